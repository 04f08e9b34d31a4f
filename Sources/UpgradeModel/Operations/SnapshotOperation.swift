import Foundation

/// What a snapshot will do, as reviewed: the rke2 server process (pinned by pid and start time) whose
/// executable runs `etcd-snapshot save`, and the exact arguments.
public struct SnapshotPreparation: Sendable, Equatable {
    public let name: String
    /// The running rke2 server: its executable (opened through `/proc/PID/exe`) takes the snapshot, so
    /// that the client is the version the server runs.
    public let process: RKE2Process
    public let version: RKE2Version?
    public let dataDir: String
    public let snapshotsDir: String
    /// The arguments after `rke2`: `etcd-snapshot save --name N --data-dir D [--config F]`.
    public let arguments: [String]

    /// The command as an operator would type it.
    public var commandLine: String { (["rke2"] + arguments).joined(separator: " ") }

    public init(name: String, process: RKE2Process, version: RKE2Version?, dataDir: String, snapshotsDir: String, arguments: [String]) {
        self.name = name
        self.process = process
        self.version = version
        self.dataDir = dataDir
        self.snapshotsDir = snapshotsDir
        self.arguments = arguments
    }
}

/// What a snapshot produced: the file(s) rke2 wrote, rke2's own lines, and the outcome.
public struct SnapshotResult: Sendable, Equatable {
    /// The new file in `<data-dir>/server/db/snapshots` (nil when rke2 wrote none there, e.g. S3 only).
    public let file: String?
    /// rke2's messages (`msg="…"` of its log lines, else the raw lines), in order.
    public let output: [String]
    public let outcome: OperationOutcome
}

/// `upgrade-tui snapshot [--name N]`: `rke2 etcd-snapshot save --name pre-upgrade-<target>` on this
/// server, as the RKE2 docs ask before an upgrade (a minor rollback is impossible without one).
/// prepare: this node must be a server that runs etcd, with rke2 running (the save talks to it); the
/// name is checked. perform: audited and under the node lock; the server must still be the process
/// reviewed; its executable runs by its checked descriptor (`TrustedExec`); rke2's output is the
/// progress, its own message the error.
public struct SnapshotOperation: Sendable {
    public let inspector: LocalInspector
    public let timeout: TimeInterval

    public init(inspector: LocalInspector, timeout: TimeInterval = 600) {
        self.inspector = inspector.resolved()
        self.timeout = timeout
    }

    /// `pre-upgrade-<target>` with `+` as `-` (SUC's munged form; snapshot names become object names),
    /// else `pre-upgrade`.
    public static func defaultName(target: RKE2Version?) -> String {
        target.map { "pre-upgrade-\($0.munged)" } ?? "pre-upgrade"
    }

    /// A name rke2 can put in a file name and an ETCDSnapshotFile object: letters, digits, `.`, `_`, `-`.
    public static func validate(name: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 100, name.unicodeScalars.allSatisfy(allowed.contains),
              let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            throw UpgradeError.input("snapshot name '\(TerminalText.line(name))' is not usable: up to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// Checks this node and pins the rke2 server; reads only. Agents, etcd-less servers and a stopped
    /// rke2 are refused with the reason.
    public func prepare(name: String? = nil, target: RKE2Version? = nil) throws -> SnapshotPreparation {
        let name = name ?? Self.defaultName(target: target)
        try Self.validate(name: name)
        let node = try inspector.inspect()
        if let reason = Self.refusal(node) { throw UpgradeError.refused(reason) }
        guard let running = node.running else { throw UpgradeError.refused("rke2 is not running on this node") }
        let paths = inspector.paths
        var arguments = ["etcd-snapshot", "save", "--name", name, "--data-dir", paths.dataDir]
        if paths.configFile != HostPaths.defaultConfigFile, POSIX.fileInfo(paths.configFile) != nil {
            arguments += ["--config", paths.configFile]
        }
        return SnapshotPreparation(name: name, process: running.process, version: node.currentVersion, dataDir: paths.dataDir,
                                   snapshotsDir: paths.snapshotsDir, arguments: arguments)
    }

    /// Why this node cannot take an etcd snapshot, or nil.
    public static func refusal(_ node: LocalNode) -> String? {
        if node.role == .agent {
            return "this node is an agent: etcd snapshots are taken on a server that runs etcd; run upgrade-tui snapshot there"
        }
        guard let running = node.running else {
            return "rke2 is not running on this node: rke2 etcd-snapshot save needs this server's etcd running (start rke2-server first)"
        }
        let flags = running.process.flags
        let flagged = flags.contains("--disable-etcd") || flags.contains("--disable-etcd=true")
        if flagged || node.config.string("disable-etcd")?.lowercased() == "true" {
            let source = flagged ? "the rke2 process' --disable-etcd" : "disable-etcd: true in \(node.config.sources["disable-etcd"] ?? "the config")"
            return "this server runs no etcd (\(source)): take the snapshot on a server with the etcd role"
        }
        return nil
    }

    /// Runs the reviewed snapshot, audited and under the node lock.
    public func perform(_ prepared: SnapshotPreparation, user: AuditUser = .current, interruption: Interruption = .shared,
                        progress: @Sendable (String) -> Void = { _ in }) async throws -> SnapshotResult {
        try performNow(prepared, user: user, interruption: interruption, progress: progress)
    }

    private func performNow(_ prepared: SnapshotPreparation, user: AuditUser, interruption: Interruption,
                            progress: @Sendable (String) -> Void) throws -> SnapshotResult {
        try Audited.run(paths: inspector.paths, command: "snapshot", arguments: ["--name", prepared.name],
                        lockLabel: "snapshot \(prepared.name)", user: user) { record in
            try save(prepared, record: &record, interruption: interruption, progress: progress)
        }
    }

    private func save(_ prepared: SnapshotPreparation, record: inout AuditRecord, interruption: Interruption,
                      progress: @Sendable (String) -> Void) throws -> SnapshotResult {
        // Under the lock: the server reviewed must still be the one running.
        let node = try inspector.inspect()
        if let reason = Self.refusal(node) { throw UpgradeError.refused(reason) }
        guard let running = node.running, running.process.identity == prepared.process.identity else {
            throw UpgradeError.refused("rke2 pid \(prepared.process.pid) is gone since the review (restarted?); nothing was run: review again")
        }
        record.before = .init(version: prepared.version?.description, sha256: running.runningSha256)
        record.details["name"] = prepared.name
        try interruption.checkpoint()
        let before = Set(Self.files(prepared.snapshotsDir))
        progress("running \(prepared.commandLine) (up to \(Int(timeout)) s)")
        // rke2's lines are the progress, as they come.
        let result = try withoutActuallyEscaping(progress) { report in
            try TrustedExec.run(executableOf: prepared.process.identity, prepared.arguments, timeout: timeout,
                                procRoot: inspector.paths.procRoot) { line in Self.messages(line).forEach(report) }
        }
        let lines = Self.messages(result.output)
        if result.timedOut {
            throw UpgradeError.failed("\(prepared.commandLine) did not finish within \(Int(timeout)) s and was stopped"
                                      + (lines.last.map { ": last said \($0)" } ?? ""))
        }
        guard result.status == 0 else {
            let said = Self.errors(result.output)
            throw UpgradeError.failed("\(prepared.commandLine) failed (exit \(result.status))"
                                      + (said.isEmpty ? "" : ": " + said.joined(separator: "; ")))
        }
        let new = Self.files(prepared.snapshotsDir).filter { !before.contains($0) && $0.hasPrefix(prepared.name) }
        let file = new.max { Self.mtime(prepared.snapshotsDir + "/" + $0) < Self.mtime(prepared.snapshotsDir + "/" + $1) }
            .map { prepared.snapshotsDir + "/" + $0 }
        record.after = record.before
        if let file { record.details["file"] = file }
        let summary = file.map { "etcd snapshot saved: \($0)" }
            ?? "rke2 etcd-snapshot save succeeded, but no new file named \(prepared.name)* appeared in \(prepared.snapshotsDir) (S3 only?)"
        return SnapshotResult(file: file, output: lines, outcome: OperationOutcome(changed: true, summary: summary, details: lines))
    }

    static func files(_ dir: String) -> [String] {
        ((try? POSIX.listDirectory(dir)) ?? []).filter { !$0.hasPrefix(".") }
    }

    static func mtime(_ path: String) -> Int {
        POSIX.fileInfo(path).map { Int($0.st_mtim.tv_sec) } ?? 0
    }

    /// rke2 logs with logrus (`time="…" level=info msg="…"`): the `msg` of each line, else the line.
    public static func messages(_ output: String) -> [String] {
        output.split(separator: "\n").map { line in
            let text = String(line).trimmingCharacters(in: .whitespaces)
            guard let level = field("level", in: text), let msg = field("msg", in: text) else { return text }
            return level == "info" ? msg : "\(level): \(msg)"
        }.filter { !$0.isEmpty }
    }

    /// rke2's own error: the `msg` of its fatal and error lines, else its last lines.
    public static func errors(_ output: String) -> [String] {
        let lines = output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let errors = lines.filter { ["fatal", "error", "panic"].contains(field("level", in: $0) ?? "") }.compactMap { field("msg", in: $0) }
        return errors.isEmpty ? Array(lines.suffix(3)) : errors
    }

    /// The value of `key=value` or `key="quoted \"value\""` in a logfmt line.
    static func field(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: key + "=") else { return nil }
        let start = range.upperBound
        guard start < line.endIndex else { return "" }
        if line[start] == "\"" {
            var value = ""
            var index = line.index(after: start)
            while index < line.endIndex {
                let c = line[index]
                if c == "\\", line.index(after: index) < line.endIndex {
                    index = line.index(after: index)
                    value.append(line[index])
                } else if c == "\"" {
                    return value
                } else {
                    value.append(c)
                }
                index = line.index(after: index)
            }
            return value
        }
        return String(line[start...].prefix { $0 != " " })
    }
}
