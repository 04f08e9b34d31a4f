import Foundation

/// What a swap would install, as reviewed: the private staged copy of the candidate (the only bytes
/// that are ever run or installed), its sha256, and the checks.
public struct SwapPreparation: Sendable, Equatable {
    /// The path the operator named.
    public let source: String
    /// The private copy of `source`, in a root-owned staging directory beside the target.
    public let staged: String
    /// The installed binary that is replaced.
    public let target: String
    public let newVersion: RKE2Version?
    /// sha256 of the staged copy: what the operator confirms, and what perform installs.
    public let newSha: String?
    public let currentVersion: RKE2Version?
    public let currentSha: String?
    public let checks: [PreflightCheck]

    /// upgrade.sh's "Binary already been replaced": the same bytes are installed already.
    public var alreadyInstalled: Bool { newSha != nil && newSha == currentSha }
    public var failures: [PreflightCheck] { checks.filter { $0.status == .fail } }

    public init(source: String, staged: String, target: String, newVersion: RKE2Version?, newSha: String?,
                currentVersion: RKE2Version?, currentSha: String?, checks: [PreflightCheck]) {
        self.source = source
        self.staged = staged
        self.target = target
        self.newVersion = newVersion
        self.newSha = newSha
        self.currentVersion = currentVersion
        self.currentSha = currentSha
        self.checks = checks
    }
}

/// `upgrade-tui swap --binary PATH [--checksums FILE]`: installs a new rke2 binary on this node.
///
/// prepare: the candidate is copied into a private staging directory (created exclusively, nothing
/// followed) and hashed there; the checksum (from `--checksums`, or a `sha256sum-<arch>.txt` beside the
/// candidate) is verified on that copy; its `--version` runs only in `CandidateSandbox`, never as
/// root; a copy that fails its checksum is never run.
/// perform: under the lock, the staged copy must still hash to the reviewed sha256 and the installed
/// binary must be the one reviewed; the checks run again; then the backup, then the install.
public struct SwapOperation: Sendable {
    public let binary: String
    public let checksums: String?
    public let inspector: LocalInspector
    /// The cluster as last seen (for the servers-before-agents rule); nil when unknown.
    public let cluster: ClusterStatus?

    public init(binary: String, checksums: String?, inspector: LocalInspector, cluster: ClusterStatus?) {
        self.binary = binary
        self.checksums = checksums
        self.inspector = inspector.resolved()
        self.cluster = cluster
    }

    public func prepare() throws -> SwapPreparation {
        let source = binary.hasPrefix("/") ? binary : FileManager.default.currentDirectoryPath + "/" + binary
        let node = try inspector.inspect()
        guard let installed = node.binary else {
            throw UpgradeError.refused("no installed rke2 binary found (looked at the running process, /usr/local/bin, /usr/bin, /opt/rke2/bin); pass --rke2-binary")
        }
        if let distrust = TrustedPath.problem(executable: installed.path) {
            throw UpgradeError.refused("the installed binary is not safe to replace and run as root: \(distrust)")
        }
        let staging = try Staging.stage(source, besideTarget: installed.path)
        var checks: [PreflightCheck] = []
        checks.append(PreflightCheck("executable", staging.executable ? .pass : .fail,
                                     staging.executable ? "\(source) is executable" : "\(source) is not executable (chmod +x it)"))
        let checksum = checksumCheck(sha: staging.sha256, source: source)
        checks.append(checksum)
        var version: RKE2Version?
        if staging.executable {
            let (versionCheck, parsed) = versionCheck(staged: staging.path, sandboxID: staging.sandboxID, source: source, checksum: checksum)
            checks.append(versionCheck)
            version = parsed
        }
        checks += versionChecks(version, node: node, installed: installed)
        return SwapPreparation(source: source, staged: staging.path, target: installed.path, newVersion: version, newSha: staging.sha256,
                               currentVersion: installed.version, currentSha: installed.sha256, checks: checks)
    }

    /// Removes the staged copy of a preparation that will not be performed.
    public static func discard(_ prepared: SwapPreparation) {
        Staging.remove(prepared.staged)
    }

    // MARK: checks

    func checksumCheck(sha: String, source: String) -> PreflightCheck {
        let beside = (source as NSString).deletingLastPathComponent + "/sha256sum-\(HostArch.current).txt"
        let explicit = checksums != nil
        guard let file = checksums ?? (POSIX.fileInfo(beside).map(POSIX.isRegular) == true ? beside : nil) else {
            return PreflightCheck("checksum", .warn, "no --checksums file and no sha256sum-\(HostArch.current).txt beside it: the binary's integrity is not verified (sha256 \(sha))")
        }
        let data: Data
        do {
            guard let read = try POSIX.readFileIfPresent(file, limit: 1 << 20) else { throw UpgradeError.input("cannot read \(file): it does not exist") }
            data = read
        } catch {
            return PreflightCheck("checksum", .fail, (error as? UpgradeError)?.message ?? "cannot read \(file)")
        }
        let base = (source as NSString).lastPathComponent
        let wanted = [base, "rke2.linux-\(HostArch.current)"]
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        for name in wanted {
            for line in lines {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2 else { continue }
                let entry = parts[1].hasPrefix("*") ? String(parts[1].dropFirst()) : String(parts[1])
                guard entry == name else { continue }
                let expected = parts[0].lowercased()
                return expected == sha
                    ? PreflightCheck("checksum", .pass, "sha256 \(sha.prefix(16))… matches \(entry) in \(file)")
                    : PreflightCheck("checksum", .fail, "sha256 \(sha) does not match \(entry) in \(file) (\(expected)); the binary was not run")
            }
        }
        if explicit {
            return PreflightCheck("checksum", .fail, "\(file) has no entry for \(wanted.joined(separator: " or ")); the binary was not run")
        }
        return PreflightCheck("checksum", .warn, "\(file) beside it has no entry for \(wanted.joined(separator: " or ")): not verified (sha256 \(sha))")
    }

    /// `--version` of the staged copy, in the candidate sandbox (a checksum file found beside the
    /// candidate comes from the same place as the candidate: it proves consistency, not who made it,
    /// so not even a verified copy runs as root before the operator has confirmed); not at all when
    /// the checksum failed.
    func versionCheck(staged: String, sandboxID: UInt32, source: String, checksum: PreflightCheck) -> (PreflightCheck, RKE2Version?) {
        if checksum.status == .fail {
            return (PreflightCheck("version", .fail, "not run: the checksum check failed"), nil)
        }
        let result: Subprocess.Result
        do {
            result = try CandidateSandbox.run(staged, ["--version"], id: sandboxID, timeout: 10)
        } catch {
            return (PreflightCheck("version", .fail, "\(source) --version could not be run: \((error as? UpgradeError)?.message ?? "\(error)")"), nil)
        }
        guard let output = RKE2Version.parseVersionOutput(result.output) else {
            let why = result.timedOut ? "did not answer within 10 s" : "printed no rke2 version (exit \(result.status))"
            return (PreflightCheck("version", .fail, "\(source) --version \(why)"), nil)
        }
        return (PreflightCheck("version", .pass, "\(source) --version: \(output.version)\(output.commit.map { " (\($0.prefix(12)))" } ?? "") (run in a sandbox)"),
                output.version)
    }

    func versionChecks(_ version: RKE2Version?, node: LocalNode, installed: InstalledBinary) -> [PreflightCheck] {
        var checks: [PreflightCheck] = []
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
        return checks
    }

    /// Servers before agents (docs/rke2-rules.md#version-skew-rules): an agent waits until every control-plane node runs the version.
    func orderCheck(role: NodeRole, version: RKE2Version?, local: LocalNode) -> PreflightCheck {
        guard let version else { return PreflightCheck("servers first", .warn, "no version to compare") }
        guard let cluster, cluster.api == .ok else {
            return PreflightCheck("servers first", .warn, "the cluster cannot be asked: check by hand that the control plane already runs \(version)")
        }
        let controlPlane = cluster.controlPlaneNodes.compactMap(\.version)
        if role == .agent {
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

    // MARK: perform

    /// prepare, then perform: for callers that review nothing (tests, scripts with --yes).
    public func run(force: String?, user: AuditUser = .current) throws -> OperationOutcome {
        let prepared = try prepare()
        return try perform(prepared, force: force, user: user)
    }

    /// Installs exactly the reviewed bytes, under the node lock with an audit record. Failed checks
    /// refuse unless `force` gives a reason; a node changed since the review refuses.
    public func perform(_ prepared: SwapPreparation, force: String?, user: AuditUser = .current,
                        interruption: Interruption = .shared) throws -> OperationOutcome {
        let paths = inspector.paths
        var arguments = ["--binary", prepared.source] + (checksums.map { ["--checksums", $0] } ?? [])
        arguments += ["--sha256", prepared.newSha ?? "?"]
        defer { Staging.remove(prepared.staged) }
        return try Audited.run(paths: paths, command: "swap", arguments: arguments, user: user) { record in
            record.before = .init(version: prepared.currentVersion?.description, sha256: prepared.currentSha)
            let node = try inspector.inspect()
            guard let installed = node.binary, installed.path == prepared.target else {
                throw UpgradeError.refused("the installed binary changed since the review (it was \(prepared.target)); nothing was replaced: review again")
            }
            if prepared.alreadyInstalled && installed.sha256 == prepared.newSha {
                record.result = .noOp
                record.after = record.before
                return OperationOutcome(changed: false, summary: "binary already replaced: \(prepared.target) is \(prepared.newVersion?.description ?? "the same file")",
                                        details: [])
            }
            guard installed.sha256 == prepared.currentSha else {
                throw UpgradeError.refused("\(prepared.target) changed since the review (sha256 \(installed.sha256 ?? "?"), reviewed \(prepared.currentSha ?? "?")); nothing was replaced: review again")
            }
            guard let newSha = prepared.newSha, (try? ManifestScanner.sha256(ofFile: prepared.staged)) == newSha else {
                throw UpgradeError.refused("the staged copy no longer matches the reviewed sha256 \(prepared.newSha ?? "?"); nothing was replaced: review again")
            }
            // The checks again, under the lock: the node or the cluster may have moved since the review.
            let fresh = prepared.checks.filter { ["executable", "checksum", "version"].contains($0.name) }
                + versionChecks(prepared.newVersion, node: node, installed: installed)
            try Forcing.check(fresh.filter { $0.status == .fail }, force: force, what: "swap", record: &record)
            try interruption.checkpoint()
            let backup = try BinaryInstaller.backup(prepared.target, version: prepared.currentVersion, into: paths.backupsDir)
            record.details["backup"] = backup
            try interruption.checkpoint()
            try BinaryInstaller.install(source: prepared.staged, over: prepared.target) { temporary in
                guard try ManifestScanner.sha256(ofFile: temporary) == newSha else {
                    throw UpgradeError.failed("the copied binary's sha256 differs from the reviewed \(newSha); nothing was replaced")
                }
            }
            record.after = .init(version: prepared.newVersion?.description, sha256: newSha)
            var details = ["backup of the old binary: \(backup)"]
            if let now = try? ManifestScanner.sha256(ofFile: prepared.source), now != newSha {
                details.append("\(prepared.source) changed after the review; the reviewed bytes (sha256 \(newSha.prefix(16))…) were installed")
            }
            return OperationOutcome(changed: true,
                                    summary: "installed \(prepared.newVersion?.description ?? "the new binary") at \(prepared.target); rke2 still runs \(prepared.currentVersion?.description ?? "the old binary") until `upgrade-tui restart`",
                                    details: details)
        }
    }
}
