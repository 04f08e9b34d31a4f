import Foundation

/// A running rke2 `server` or `agent` process, as `/proc` shows it.
public struct RKE2Process: Sendable, Equatable {
    public struct Child: Sendable, Equatable {
        public let pid: Int32
        /// `containerd` or `kubelet` (the process' comm, as `pgrep -l` prints it).
        public let name: String

        public init(pid: Int32, name: String) {
            self.pid = pid
            self.name = name
        }
    }

    public init(pid: Int32, role: String, arguments: [String], argv0: String, exe: String, exeDeleted: Bool, children: [Child]) {
        self.pid = pid
        self.role = role
        self.arguments = arguments
        self.argv0 = argv0
        self.exe = exe
        self.exeDeleted = exeDeleted
        self.children = children
    }

    public let pid: Int32
    /// `server` or `agent`.
    public let role: String
    /// argv, without argv[0].
    public let arguments: [String]
    /// argv[0] as upgrade.sh reads it from `/proc/PID/cmdline`.
    public let argv0: String
    /// The target of `/proc/PID/exe`, with a ` (deleted)` suffix removed.
    public let exe: String
    /// The executable the process runs was deleted or replaced on disk.
    public let exeDeleted: Bool
    /// Its containerd and kubelet children, which upgrade.sh signals together with it.
    public let children: [Child]

    /// The file upgrade.sh replaces: argv[0] when absolute, else the exe path.
    public var binaryPath: String { argv0.hasPrefix("/") ? argv0 : exe }
    public var procExe: String { "/proc/\(pid)/exe" }

    /// The arguments after the subcommand (what rke2 parses as flags).
    public var flags: [String] {
        guard let index = arguments.firstIndex(of: role) else { return arguments }
        return Array(arguments[(index + 1)...])
    }
}

/// Finds the running rke2 by scanning `/proc` (RKE2-FACTS §1.2: upgrade.sh greps `ps` for
/// `(/usr|/usr/local|/opt/rke2)/bin/rke2 .*(server|agent)`; upgrade-tui accepts any path whose argv[0]
/// or exe base name is `rke2`, so that custom tarball prefixes work too).
public struct ProcessScanner: Sendable {
    public let procRoot: String
    /// Processes whose explicit `--data-dir` differs from this one are some other rke2 instance.
    public let dataDir: String?

    public init(procRoot: String = "/proc", dataDir: String? = nil) {
        self.procRoot = procRoot
        self.dataDir = dataDir
    }

    struct Entry {
        let pid: Int32
        let ppid: Int32
        let comm: String
        let argv: [String]
        let exe: String?
    }

    /// The rke2 process, nil when none runs. More than one → an error naming them, as upgrade.sh does.
    public func find() throws -> RKE2Process? {
        let entries = try readProcessTable()
        let candidates = entries.compactMap { entry -> (Entry, String)? in
            guard let argv0 = entry.argv.first else { return nil }
            let exeBase = entry.exe.map { Self.stripDeleted($0).0 }.map { ($0 as NSString).lastPathComponent }
            guard (argv0 as NSString).lastPathComponent == "rke2" || exeBase == "rke2" else { return nil }
            guard let role = entry.argv.dropFirst().first(where: { !$0.hasPrefix("-") }), role == "server" || role == "agent" else {
                return nil
            }
            if let dataDir, let theirs = Self.explicitDataDir(Array(entry.argv.dropFirst())),
               Self.normalize(theirs) != Self.normalize(dataDir) {
                return nil
            }
            return (entry, role)
        }
        guard !candidates.isEmpty else { return nil }
        guard candidates.count == 1, let (entry, role) = candidates.first else {
            let list = candidates.map { "\($0.0.pid) (\($0.0.argv.joined(separator: " ")))" }.joined(separator: ", ")
            throw UpgradeError.refused("found multiple rke2 processes: \(list); stop the extra one or pass --data-dir to pick one")
        }
        let (exe, deleted) = entry.exe.map(Self.stripDeleted) ?? ("", false)
        let children = entries
            .filter { $0.ppid == entry.pid && ($0.comm == "containerd" || $0.comm == "kubelet") }
            .map { RKE2Process.Child(pid: $0.pid, name: $0.comm) }
        return RKE2Process(pid: entry.pid, role: role, arguments: Array(entry.argv.dropFirst()),
                           argv0: entry.argv[0], exe: exe, exeDeleted: deleted, children: children)
    }

    private func readProcessTable() throws -> [Entry] {
        let names = try POSIX.listDirectory(procRoot)
        return names.compactMap { name -> Entry? in
            guard let pid = Int32(name) else { return nil }
            let base = "\(procRoot)/\(name)"
            // Processes come and go while we read: any read failing just drops that entry.
            guard let statData = try? POSIX.readFileIfPresent(base + "/stat"),
                  let (comm, ppid) = Self.parseStat(statData) else { return nil }
            let cmdline = (try? POSIX.readFileIfPresent(base + "/cmdline")) ?? Data()
            let argv = cmdline.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            let trimmed = argv.last == "" ? Array(argv.dropLast()) : argv
            return Entry(pid: pid, ppid: ppid, comm: comm, argv: trimmed, exe: POSIX.readLink(base + "/exe"))
        }
    }

    /// `/proc/PID/stat`: `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    static func parseStat(_ data: Data) -> (String, Int32)? {
        let text = String(decoding: data, as: UTF8.self)
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let ppid = Int32(fields[1]) else { return nil }
        return (comm, ppid)
    }

    static func stripDeleted(_ path: String) -> (String, Bool) {
        path.hasSuffix(" (deleted)") ? (String(path.dropLast(10)), true) : (path, false)
    }

    static func explicitDataDir(_ args: [String]) -> String? {
        RKE2Config.flagValues(args).first { $0.0 == "data-dir" }?.1.last
    }

    static func normalize(_ path: String) -> String {
        (path as NSString).standardizingPath
    }
}
