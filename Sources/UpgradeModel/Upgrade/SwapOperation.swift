import Foundation

/// What a swap would do: the checks, and the versions and hashes on both sides.
public struct SwapPreparation: Sendable, Equatable {
    public let source: String
    /// The installed binary that is replaced.
    public let target: String
    public let newVersion: RKE2Version?
    public let newSha: String?
    public let currentVersion: RKE2Version?
    public let currentSha: String?
    public let checks: [PreflightCheck]

    /// upgrade.sh's "Binary already been replaced": the same bytes are installed already.
    public var alreadyInstalled: Bool { newSha != nil && newSha == currentSha }

    public init(source: String, target: String, newVersion: RKE2Version?, newSha: String?, currentVersion: RKE2Version?,
                currentSha: String?, checks: [PreflightCheck]) {
        self.source = source
        self.target = target
        self.newVersion = newVersion
        self.newSha = newSha
        self.currentVersion = currentVersion
        self.currentSha = currentSha
        self.checks = checks
    }
    public var failures: [PreflightCheck] { checks.filter { $0.status == .fail } }
}

/// Result lines of a mutating operation, for the CLI and the dashboard's message line.
public struct OperationOutcome: Sendable, Equatable {
    public let changed: Bool
    public let summary: String
    public let details: [String]
}

/// `upgrade-tui swap --binary PATH [--checksums FILE]`: installs a new rke2 binary on this node.
public struct SwapOperation: Sendable {
    public let binary: String
    public let checksums: String?
    public let inspector: LocalInspector
    /// The cluster as last seen (for the servers-before-agents rule); nil when unknown.
    public let cluster: ClusterStatus?

    public init(binary: String, checksums: String?, inspector: LocalInspector, cluster: ClusterStatus?) {
        self.binary = binary
        self.checksums = checksums
        self.inspector = inspector
        self.cluster = cluster
    }

    public func prepare() throws -> SwapPreparation {
        guard let st = POSIX.fileInfo(binary) else {
            throw UpgradeError.input("--binary \(binary) does not exist")
        }
        guard POSIX.isRegular(st) else { throw UpgradeError.input("--binary \(binary) is not a regular file") }
        let node = try inspector.inspect()
        guard let installed = node.binary else {
            throw UpgradeError.refused("no installed rke2 binary found (looked at the running process, /usr/local/bin, /usr/bin, /opt/rke2/bin); pass --rke2-binary")
        }
        var checks: [PreflightCheck] = []
        let executable = st.st_mode & 0o111 != 0
        checks.append(PreflightCheck("executable", executable ? .pass : .fail, executable ? "\(binary) is executable" : "\(binary) is not executable (chmod +x it)"))
        let sha = try? ManifestScanner.sha256(ofFile: binary)
        var version: RKE2Version?
        if executable {
            let result = try? Subprocess.run(binary, ["--version"], timeout: 10)
            if let output = result.flatMap({ RKE2Version.parseVersionOutput($0.output) }) {
                version = output.version
                checks.append(PreflightCheck("version", .pass, "\(binary) --version: \(output.version)\(output.commit.map { " (\($0.prefix(12)))" } ?? "")"))
            } else {
                let why = result.map { $0.timedOut ? "did not answer within 10 s" : "printed no rke2 version (exit \($0.status))" } ?? "could not be run"
                checks.append(PreflightCheck("version", .fail, "\(binary) --version \(why)"))
            }
        }
        checks.append(checksumCheck(sha: sha))
        let current = node.running?.runningVersion ?? installed.version
        if let version, let current {
            if version < current && !version.sameRelease(as: current) {
                checks.append(PreflightCheck("no downgrade", .fail, "\(version) is older than \(current) on this node: use `upgrade-tui rollback` to go back to a backup"))
            } else {
                checks.append(PreflightCheck("no downgrade", .pass, "\(current) → \(version)"))
            }
            if current.minorDistance(to: version) > 1 {
                checks.append(PreflightCheck("no minor skip", .fail, SkewRules.upgrade(from: current, to: version).first?.description ?? "skips a minor version"))
            } else {
                checks.append(PreflightCheck("no minor skip", .pass, "\(current.minorLine) → \(version.minorLine)"))
            }
        }
        checks.append(orderCheck(role: node.role, version: version, local: node))
        return SwapPreparation(source: binary, target: installed.path, newVersion: version, newSha: sha,
                               currentVersion: installed.version, currentSha: installed.sha256, checks: checks)
    }

    func checksumCheck(sha: String?) -> PreflightCheck {
        guard let checksums else {
            return PreflightCheck("checksum", .warn, "no --checksums file: the binary's integrity is not verified (sha256 \(sha ?? "?"))")
        }
        guard let data = try? POSIX.readFileIfPresent(checksums) else {
            return PreflightCheck("checksum", .fail, "cannot read \(checksums)")
        }
        let base = (binary as NSString).lastPathComponent
        let wanted = [base, "rke2.linux-\(HostArch.current)"]
        for name in wanted {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2 else { continue }
                let file = parts[1].hasPrefix("*") ? String(parts[1].dropFirst()) : String(parts[1])
                guard file == name else { continue }
                let expected = parts[0].lowercased()
                return expected == sha
                    ? PreflightCheck("checksum", .pass, "matches \(file) in \(checksums)")
                    : PreflightCheck("checksum", .fail, "sha256 \(sha ?? "?") does not match \(file) in \(checksums) (\(expected))")
            }
        }
        return PreflightCheck("checksum", .fail, "\(checksums) has no entry for \(wanted.joined(separator: " or "))")
    }

    /// Servers before agents (RKE2-FACTS §4.6): an agent waits until every control-plane node runs the version.
    func orderCheck(role: String, version: RKE2Version?, local: LocalNode) -> PreflightCheck {
        guard let version else { return PreflightCheck("servers first", .warn, "no version to compare") }
        guard let cluster, cluster.api == .ok else {
            return PreflightCheck("servers first", .warn, "the cluster cannot be asked: check by hand that the control plane already runs \(version)")
        }
        let controlPlane = cluster.controlPlaneNodes.compactMap(\.version)
        if role == "agent" {
            if let problem = SkewRules.agentUpgrade(to: version, controlPlane: controlPlane).first {
                return PreflightCheck("servers first", .fail, problem.description)
            }
            return PreflightCheck("servers first", .pass, "every control-plane node runs \(version) or newer")
        }
        let others = cluster.controlPlaneNodes.filter { $0.name != ThisNode.node(local, in: cluster)?.name }.compactMap(\.version)
        if let problem = SkewRules.apiServers(others + [version]).first {
            return PreflightCheck("servers first", .fail, problem.description)
        }
        return PreflightCheck("servers first", .pass, "a server: servers go first, one at a time")
    }

    /// Swaps under the node lock with an audit record. Failed checks refuse unless `force` gives a reason.
    public func run(force: String?, user: AuditUser = .current) throws -> OperationOutcome {
        let paths = inspector.paths
        let arguments = ["--binary", binary] + (checksums.map { ["--checksums", $0] } ?? [])
        return try Audited.run(paths: paths, command: "swap", arguments: arguments, user: user) { record in
            let prepared = try prepare()
            record.before = .init(version: prepared.currentVersion?.description, sha256: prepared.currentSha)
            if prepared.alreadyInstalled {
                record.result = "no-op"
                record.after = record.before
                return OperationOutcome(changed: false, summary: "binary already replaced: \(prepared.target) is \(prepared.newVersion?.description ?? "the same file")",
                                        details: [])
            }
            try Forcing.check(prepared.failures, force: force, what: "swap", record: &record)
            let backup = try BinaryInstaller.backup(prepared.target, version: prepared.currentVersion, into: paths.backupsDir)
            record.details["backup"] = backup
            try BinaryInstaller.install(source: binary, over: prepared.target) { temporary in
                let result = try Subprocess.run(temporary, ["--version"], timeout: 10)
                guard RKE2Version.parseVersionOutput(result.output)?.version == prepared.newVersion else {
                    throw UpgradeError.failed("the copied binary does not report \(prepared.newVersion?.description ?? "a version"); nothing was replaced")
                }
                guard try ManifestScanner.sha256(ofFile: temporary) == prepared.newSha else {
                    throw UpgradeError.failed("the copied binary's sha256 differs from \(binary); nothing was replaced")
                }
            }
            record.after = .init(version: prepared.newVersion?.description, sha256: prepared.newSha)
            return OperationOutcome(changed: true,
                                    summary: "installed \(prepared.newVersion?.description ?? "the new binary") at \(prepared.target); rke2 still runs \(prepared.currentVersion?.description ?? "the old binary") until `upgrade-tui restart`",
                                    details: ["backup of the old binary: \(backup)"])
        }
    }
}

/// Failed checks refuse an operation unless `--force` gives a reason; the reason is audited.
enum Forcing {
    static func check(_ failures: [PreflightCheck], force: String?, what: String, record: inout AuditRecord) throws {
        guard !failures.isEmpty else { return }
        guard let force, !force.isEmpty else {
            throw UpgradeError.refused("\(what) refused: " + failures.map { "\($0.name): \($0.reason)" }.joined(separator: "; ") + " (--force REASON overrides)")
        }
        record.details["forced"] = failures.map(\.name).joined(separator: ", ")
        record.details["forceReason"] = force
    }
}
