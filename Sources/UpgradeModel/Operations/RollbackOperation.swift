import Foundation

/// What a rollback will reinstall, as reviewed.
public struct RollbackPreparation: Sendable, Equatable {
    public let backup: BinaryInstaller.Backup
    public let backupSha: String
    public let installedPath: String
    public let installedVersion: RKE2Version?
    public let installedSha: String?
    /// The backup's bytes are installed already (a rerun after an interruption only restarts).
    public let alreadyInstalled: Bool
    /// rke2 runs on this node (the restart that follows has something to do).
    public let running: Bool

    public init(backup: BinaryInstaller.Backup, backupSha: String, installedPath: String, installedVersion: RKE2Version?,
                installedSha: String?, alreadyInstalled: Bool, running: Bool) {
        self.backup = backup
        self.backupSha = backupSha
        self.installedPath = installedPath
        self.installedVersion = installedVersion
        self.installedSha = installedSha
        self.alreadyInstalled = alreadyInstalled
        self.running = running
    }
}

/// `upgrade-tui rollback`: reinstall the newest backup (as a swap installs a binary), then restart.
public struct RollbackOperation: Sendable {
    public let inspector: LocalInspector

    public init(inspector: LocalInspector) {
        self.inspector = inspector.resolved()
    }

    /// The backup a rollback restores: the newest one made by a swap whose bytes differ from the
    /// installed binary (backups made by a rollback itself are skipped, so two rollbacks do not
    /// ping-pong). When the newest swap backup is installed already and a rollback saved the binary it
    /// replaced after that backup was made, that rollback happened: `alreadyInstalled`.
    public func prepare() throws -> RollbackPreparation {
        let node = try inspector.inspect()
        guard let installed = node.binary else { throw UpgradeError.refused("no installed rke2 binary found; pass --rke2-binary") }
        if let distrust = TrustedPath.problem(executable: installed.path) {
            throw UpgradeError.refused("the installed binary is not safe to replace and run as root: \(distrust)")
        }
        let all = BinaryInstaller.backups(in: inspector.paths.backupsDir)
        let swaps = all.filter { $0.tag == nil }
        guard let newest = swaps.first else {
            throw UpgradeError.refused("no backup in \(inspector.paths.backupsDir): upgrade-tui keeps one at every swap")
        }
        let sha = { (backup: BinaryInstaller.Backup) in try? ManifestScanner.sha256(ofFile: backup.path) }
        if let newestSha = sha(newest), newestSha == installed.sha256,
           all.contains(where: { $0.tag != nil && $0.name.dropFirst(5) > newest.name.dropFirst(5) }) {
            return RollbackPreparation(backup: newest, backupSha: newestSha, installedPath: installed.path, installedVersion: installed.version,
                                       installedSha: installed.sha256, alreadyInstalled: true, running: node.running != nil)
        }
        for backup in swaps {
            guard let backupSha = sha(backup), backupSha != installed.sha256 else { continue }
            return RollbackPreparation(backup: backup, backupSha: backupSha, installedPath: installed.path, installedVersion: installed.version,
                                       installedSha: installed.sha256, alreadyInstalled: false, running: node.running != nil)
        }
        throw UpgradeError.refused("every backup in \(inspector.paths.backupsDir) is the binary installed now: nothing to roll back to")
    }

    public func run(user: AuditUser = .current) throws -> OperationOutcome {
        try perform(try prepare(), user: user)
    }

    public func perform(_ prepared: RollbackPreparation, user: AuditUser = .current, interruption: Interruption = .shared) throws -> OperationOutcome {
        let paths = inspector.paths
        let backup = prepared.backup
        return try Audited.run(paths: paths, command: "rollback", arguments: ["--backup", backup.name], user: user) { record in
            record.before = .init(version: prepared.installedVersion?.description, sha256: prepared.installedSha)
            let node = try inspector.inspect()
            guard let installed = node.binary, installed.path == prepared.installedPath else { throw UpgradeError.refused("no installed rke2 binary") }
            if prepared.alreadyInstalled && installed.sha256 == prepared.backupSha {
                record.result = .noOp
                record.after = record.before
                return OperationOutcome(changed: false, summary: "already rolled back: \(installed.path) is \(backup.name)", details: [])
            }
            guard installed.sha256 == prepared.installedSha else {
                throw UpgradeError.refused("\(installed.path) changed since the review; nothing was replaced: review again")
            }
            guard (try? ManifestScanner.sha256(ofFile: backup.path)) == prepared.backupSha else {
                throw UpgradeError.refused("backup \(backup.path) changed since the review; nothing was replaced")
            }
            if let distrust = TrustedPath.problem(executable: backup.path) {
                throw UpgradeError.refused("backup \(backup.path) is not safe to run as root: \(distrust)")
            }
            let result = try Subprocess.run(backup.path, ["--version"], timeout: 10)
            guard let restored = RKE2Version.parseVersionOutput(result.output)?.version else {
                throw UpgradeError.failed("backup \(backup.path) does not report an rke2 version; nothing was changed")
            }
            try interruption.checkpoint()
            let saved = try BinaryInstaller.backup(installed.path, version: installed.version, into: paths.backupsDir, tag: "rolled-back")
            try interruption.checkpoint()
            try BinaryInstaller.install(source: backup.path, over: installed.path) { temporary in
                guard try ManifestScanner.sha256(ofFile: temporary) == prepared.backupSha else {
                    throw UpgradeError.failed("the copied backup differs from \(backup.path); nothing was replaced")
                }
            }
            record.after = .init(version: restored.description, sha256: prepared.backupSha)
            record.details["backup"] = backup.path
            record.details["savedCurrent"] = saved
            var details = ["restored \(backup.name)", "the replaced binary is kept as \(saved)"]
            if let from = installed.version, from.minor != restored.minor {
                details.append("a minor-version rollback also needs an etcd snapshot taken on \(restored.minorLine) (RKE2 docs: roll-back)")
            }
            return OperationOutcome(changed: true, summary: "reinstalled \(restored) at \(installed.path)", details: details)
        }
    }
}
