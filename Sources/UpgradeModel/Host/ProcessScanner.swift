import Foundation

/// Which processes a scan looks at. A node scans them all; the tests scan only the process tree they
/// started (`.descendants(of: getpid())`), so that a developer's own rke2, or another suite's fake one,
/// is neither found, nor reported, nor signalled by a test. It only narrows the scan: the processes left
/// are judged by the same trust rules (`UPGRADE_TUI_PROCESS_TREE`, read by the CLI, sets it).
public enum ProcessScope: Sendable, Equatable {
    case all
    /// `pid` and the processes below it (parent links followed up to pid 1).
    case descendants(of: Int32)

    /// `UPGRADE_TUI_PROCESS_TREE=PID`: the scope the CLI and the dashboard use (tests set it; unset: `.all`).
    public static func from(environment: [String: String]) -> ProcessScope {
        guard let text = environment["UPGRADE_TUI_PROCESS_TREE"], let pid = Int32(text), pid > 0 else { return .all }
        return .descendants(of: pid)
    }

    func contains(_ pid: Int32, parents: [Int32: Int32]) -> Bool {
        guard case let .descendants(root) = self else { return true }
        var current = pid
        // Bounded: a table read while processes come and go could hold a cycle of reused pids.
        for _ in 0..<4096 {
            if current == root { return true }
            guard let parent = parents[current], parent > 0, parent != current else { return false }
            current = parent
        }
        return false
    }
}

/// What a scan of `/proc` found: the rke2 process (nil when none runs) and the rke2-like processes
/// that were not trusted, each with the reason (SECURITY.md: only root's processes running root's files).
public struct ProcessScan: Sendable, Equatable {
    public var process: RKE2Process?
    public var ignored: [String]
}

/// Finds the running rke2 by scanning `/proc` (docs/rke2-rules.md#rke2-upgrade-image-upgrade-step: upgrade.sh greps `ps` for
/// `(/usr|/usr/local|/opt/rke2)/bin/rke2 .*(server|agent)`; upgrade-tui accepts any path whose argv[0]
/// or exe base name is `rke2`, so that custom tarball prefixes work too). A candidate counts only when
/// it runs as uid 0 (real, effective, saved and fs; for an unprivileged caller its own uid also does)
/// and, where `/proc/PID/exe` can be read, its executable passes `TrustedPath`: any user can name a
/// process `rke2 server`, only root can make one that counts.
public struct ProcessScanner: Sendable {
    public let procRoot: String
    /// Processes whose explicit `--data-dir` differs from this one are some other rke2 instance.
    public let dataDir: String?
    /// Which processes are looked at at all (`.all` on a node).
    public let scope: ProcessScope

    public init(procRoot: String = "/proc", dataDir: String? = nil, scope: ProcessScope = .all) {
        self.procRoot = procRoot
        self.dataDir = dataDir
        self.scope = scope
    }

    struct Entry {
        let pid: Int32
        let ppid: Int32
        let comm: String
        let startTicks: UInt64
        let argv: [String]
        let exe: String?
    }

    /// The rke2 process, nil when none runs. More than one trusted → an error naming them, as upgrade.sh does.
    public func find() throws -> RKE2Process? { try scan().process }

    public func scan() throws -> ProcessScan {
        let entries = try readProcessTable()
        var ignored: [String] = []
        let parents = Dictionary(entries.map { ($0.pid, $0.ppid) }, uniquingKeysWith: { first, _ in first })
        let candidates = entries.compactMap { entry -> (Entry, NodeRole)? in
            guard scope.contains(entry.pid, parents: parents), let argv0 = entry.argv.first else { return nil }
            let exeBase = entry.exe.map { Self.stripDeleted($0).0 }.map { ($0 as NSString).lastPathComponent }
            guard (argv0 as NSString).lastPathComponent == "rke2" || exeBase == "rke2" else { return nil }
            guard let subcommand = entry.argv.dropFirst().first(where: { !$0.hasPrefix("-") }),
                  let role = NodeRole(rawValue: subcommand), role != .unknown else {
                return nil
            }
            if let dataDir, let theirs = Self.explicitDataDir(Array(entry.argv.dropFirst())),
               Self.normalize(theirs) != Self.normalize(dataDir) {
                return nil
            }
            if let problem = trustProblem(entry) {
                ignored.append("ignored rke2-like process \(entry.pid) \(problem)")
                return nil
            }
            return (entry, role)
        }
        guard !candidates.isEmpty else { return ProcessScan(process: nil, ignored: ignored) }
        guard candidates.count == 1, let (entry, role) = candidates.first else {
            let list = candidates.map { "\($0.0.pid) (\($0.0.argv.joined(separator: " ")))" }.joined(separator: ", ")
            throw UpgradeError.refused("found multiple rke2 processes: \(list); stop the extra one or pass --data-dir to pick one")
        }
        let (exe, deleted) = entry.exe.map(Self.stripDeleted) ?? ("", false)
        let children = entries
            .filter { $0.ppid == entry.pid && ($0.comm == "containerd" || $0.comm == "kubelet") }
            .map { RKE2Process.Child(pid: $0.pid, name: $0.comm, startTicks: $0.startTicks) }
        var process = RKE2Process(pid: entry.pid, startTicks: entry.startTicks, role: role, arguments: Array(entry.argv.dropFirst()),
                                  argv0: entry.argv[0], exe: exe, exeDeleted: deleted, children: children)
        process.environment = Self.environment("\(procRoot)/\(entry.pid)/environ")
        process.startTime = Self.startTime(ticks: entry.startTicks, procRoot: procRoot)
        return ProcessScan(process: process, ignored: ignored)
    }

    /// Why an rke2-like process is not trusted; nil when it is root's, running root's file.
    func trustProblem(_ entry: Entry) -> String? {
        let base = "\(procRoot)/\(entry.pid)"
        guard let uids = Self.uids(base + "/status") else { return "(its owner cannot be read)" }
        guard uids.allSatisfy({ $0 == uids[0] }), TrustedPath.isTrustedOwner(uids[0]) else {
            return "owned by uid \(uids.first { !TrustedPath.isTrustedOwner($0) } ?? uids[0])"
        }
        // rke2 runs in the host's namespaces; a pod's process named `rke2 server` (root in its container)
        // is not this node's rke2, whatever its files look like from here.
        // Only root can read another user's /proc/PID/{exe,ns}; an unprivileged scan executes nothing as root.
        let privileged = POSIX.effectiveUID == 0
        for ns in ["mnt", "pid"] {
            let theirs = POSIX.readLink("\(base)/ns/\(ns)"), ours = POSIX.readLink("/proc/self/ns/\(ns)")
            if theirs == nil && privileged { return "(its \(ns) namespace cannot be read)" }
            if let theirs, theirs != ours { return "(in another \(ns) namespace: a container's process)" }
        }
        guard let exe = entry.exe else { return privileged ? "(its executable cannot be read)" : nil }
        let (path, deleted) = Self.stripDeleted(exe)
        if let problem = TrustedPath.problem(processExe: base + "/exe", path: path) { return "(\(problem))" }
        // The path must name the very file it runs (unless that was replaced, as a swap does): a
        // process whose exe only looks like a host path is not judged by the host's file.
        if !deleted, let running = POSIX.fileInfo(base + "/exe"), let named = POSIX.fileInfo(path),
           running.st_dev != named.st_dev || running.st_ino != named.st_ino {
            return "(its executable is not the file \(path))"
        }
        return nil
    }

    /// The real, effective, saved and filesystem uids from `/proc/PID/status` (not the owner of
    /// `/proc/PID`, which is root for any process that made itself non-dumpable).
    static func uids(_ statusPath: String) -> [UInt32]? {
        guard let data = try? POSIX.readFileIfPresent(statusPath) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Uid:") {
            let values = line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { UInt32($0) }
            return values.count == 4 ? values : nil
        }
        return nil
    }

    private func readProcessTable() throws -> [Entry] {
        let names = try POSIX.listDirectory(procRoot)
        return names.compactMap { name -> Entry? in
            guard let pid = Int32(name) else { return nil }
            let base = "\(procRoot)/\(name)"
            // Processes come and go while we read: any read failing just drops that entry.
            guard let statData = try? POSIX.readFileIfPresent(base + "/stat"),
                  let stat = Self.parseStat(statData) else { return nil }
            let cmdline = (try? POSIX.readFileIfPresent(base + "/cmdline")) ?? Data()
            let argv = cmdline.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            let trimmed = argv.last == "" ? Array(argv.dropLast()) : argv
            return Entry(pid: pid, ppid: stat.ppid, comm: stat.comm, startTicks: stat.startTicks, argv: trimmed,
                         exe: POSIX.readLink(base + "/exe"))
        }
    }

    /// `/proc/PID/stat`: `pid (comm) state ppid … starttime(22) …`; comm may hold spaces and parentheses.
    static func parseStat(_ data: Data) -> (comm: String, ppid: Int32, startTicks: UInt64)? {
        let text = String(decoding: data, as: UTF8.self)
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        // After the comm: field 3 (state) is index 0, ppid (4) index 1, starttime (22) index 19.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ppid = Int32(fields[1]), let start = UInt64(fields[19]) else { return nil }
        return (comm, ppid, start)
    }

    /// The `RKE2_*` and `RKE_*` variables of a process' environment (root can read any process').
    static func environment(_ path: String) -> [String: String] {
        guard let data = try? POSIX.readFileIfPresent(path) else { return [:] }
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard text.hasPrefix("RKE2_") || text.hasPrefix("RKE_"), let eq = text.firstIndex(of: "=") else { continue }
            result[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        return result
    }

    /// Wall-clock start of a process: `btime` of `/proc/stat` plus its start ticks (`CLK_TCK` per second).
    static func startTime(ticks: UInt64, procRoot: String) -> Date? {
        guard let data = try? POSIX.readFileIfPresent(procRoot + "/stat") else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("btime ") {
            guard let boot = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) else { return nil }
            let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
            return Date(timeIntervalSince1970: boot + Double(ticks) / (hz > 0 ? hz : 100))
        }
        return nil
    }

    /// The start time of `pid` now, nil when it is gone.
    public static func startTicks(of pid: Int32, procRoot: String = "/proc") -> UInt64? {
        (try? POSIX.readFileIfPresent("\(procRoot)/\(pid)/stat")).flatMap { $0 }.flatMap(parseStat)?.startTicks
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
