import Foundation

/// `upgrade-tui restart`: stop the running rke2 (SIGTERM to it and its containerd/kubelet children, as
/// upgrade.sh does, or `systemctl restart rke2-<role>`) and wait, bounded, for a new process running the
/// installed binary; then for the API to answer again.
public struct RestartOperation: Sendable {
    public let inspector: LocalInspector
    public let viaSystemd: Bool
    public let timeout: TimeInterval
    /// Used to wait for the API after the restart; nil skips that wait.
    public let client: KubeClient?

    public init(inspector: LocalInspector, viaSystemd: Bool = false, timeout: TimeInterval = 120, client: KubeClient? = nil) {
        self.inspector = inspector
        self.viaSystemd = viaSystemd
        self.timeout = timeout
        self.client = client
    }

    public func run(user: AuditUser = .current, progress: @Sendable (String) -> Void = { _ in }) async throws -> OperationOutcome {
        try await Audited.run(paths: inspector.paths, command: "restart", arguments: viaSystemd ? ["--via-systemd"] : [], user: user) { record in
            try await restart(record: &record, progress: progress)
        }
    }

    /// A process other than `notPid` whose running bytes are the installed binary's, within the timeout.
    private func waitForProcess(running sha: String, notPid: Int32?, within limit: TimeInterval? = nil,
                                progress: @Sendable (String) -> Void) async -> RKE2Process? {
        let started = Date()
        let timeout = limit ?? self.timeout
        let scanner = ProcessScanner(procRoot: inspector.paths.procRoot, dataDir: inspector.dataDirExplicit ? inspector.paths.dataDir : nil)
        var lastReport = -1
        while Date().timeIntervalSince(started) < timeout {
            if let candidate = try? scanner.find(), candidate.pid != notPid,
               (try? ManifestScanner.sha256(ofFile: candidate.procExe)) == sha {
                return candidate
            }
            let waited = Int(Date().timeIntervalSince(started))
            if waited != lastReport {
                progress("waiting for the new rke2 process (\(waited) s)")
                lastReport = waited
            }
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
        return nil
    }

    private func restart(record: inout AuditRecord, progress: @Sendable (String) -> Void) async throws -> OperationOutcome {
        let node = try inspector.inspect()
        guard let installed = node.binary, let installedSha = installed.sha256 else {
            throw UpgradeError.refused("no installed rke2 binary to restart into")
        }
        guard let running = node.running else {
            // An interrupted restart: the supervisor may be about to start it. Wait for that, bounded.
            // systemd restarts rke2 5 s after it stops (RestartSec=5s): a short grace, not the whole timeout.
            progress("rke2 is not running: waiting for its supervisor to start it")
            if let process = await waitForProcess(running: installedSha, notPid: nil, within: min(timeout, 15), progress: progress) {
                record.result = "no-op"
                record.after = .init(version: installed.version?.description, sha256: installedSha)
                return OperationOutcome(changed: false, summary: "rke2 came back on its own: pid \(process.pid) runs \(installed.version?.description ?? "the installed binary")", details: [])
            }
            throw UpgradeError.refused("rke2 is not running on this node and did not start within \(Int(min(timeout, 15))) s; start it (systemctl start rke2-server or rke2-agent)")
        }
        let oldVersion = running.runningVersion ?? installed.version
        record.before = .init(version: oldVersion?.description, sha256: running.runningSha256)
        guard running.restartPending else {
            record.result = "no-op"
            record.after = record.before
            return OperationOutcome(changed: false, summary: "rke2 already runs the installed binary (\(installed.version?.description ?? "?"), pid \(running.process.pid)): nothing to restart", details: [])
        }
        let oldPid = running.process.pid
        if viaSystemd {
            let unit = "rke2-\(running.process.role)"
            progress("systemctl restart \(unit)")
            let result = try Subprocess.run("/usr/bin/env", ["systemctl", "restart", unit], timeout: timeout)
            guard result.status == 0 else {
                throw UpgradeError.failed("systemctl restart \(unit) failed (exit \(result.status)): \(result.output.prefix(300))")
            }
        } else {
            let children = running.process.children
            progress("SIGTERM to rke2 pid \(oldPid) and \(children.map { "\($0.name) \($0.pid)" }.joined(separator: ", "))")
            guard kill(oldPid, SIGTERM) == 0 else {
                throw UpgradeError.failed("cannot signal rke2 pid \(oldPid): \(POSIX.errorText())")
            }
            for child in children { kill(child.pid, SIGTERM) }
        }
        record.details["oldPid"] = String(oldPid)
        // Wait for the supervisor (systemd: Restart=always, RestartSec=5s) to start the new binary.
        let deadline = Date().addingTimeInterval(timeout)
        guard let newProcess = await waitForProcess(running: installedSha, notPid: oldPid, progress: progress) else {
            throw UpgradeError.failed("no new rke2 process running \(installed.path) within \(Int(timeout)) s; is a supervisor (systemd) restarting it? Check `systemctl status rke2-\(running.process.role)` and `journalctl -u rke2-\(running.process.role)`")
        }
        record.details["newPid"] = String(newProcess.pid)
        record.after = .init(version: installed.version?.description, sha256: installedSha)
        var details = ["old: pid \(oldPid) \(oldVersion?.description ?? "?")", "new: pid \(newProcess.pid) \(installed.version?.description ?? "?")"]
        if let client {
            progress("waiting for the API server")
            var answered = false
            while Date() < deadline {
                if (try? await client.send(.GET, "/version")) != nil { answered = true; break }
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
            details.append(answered ? "the API answers again" : "the API did not answer within the timeout (it may still be starting)")
            record.details["apiBack"] = String(answered)
        }
        return OperationOutcome(changed: true, summary: "restarted rke2: pid \(oldPid) (\(oldVersion?.description ?? "?")) → pid \(newProcess.pid) (\(installed.version?.description ?? "?"))", details: details)
    }
}

/// `upgrade-tui rollback`: reinstall the newest backup (as a swap installs a binary), then restart.
public struct RollbackOperation: Sendable {
    public let inspector: LocalInspector

    public init(inspector: LocalInspector) {
        self.inspector = inspector
    }

    /// The backup a rollback restores: the newest one made by a swap (backups made by a rollback itself
    /// are skipped, so two rollbacks do not ping-pong). `alreadyInstalled` when its bytes are in place:
    /// a rerun after an interruption then only restarts.
    public func candidate() throws -> (backup: BinaryInstaller.Backup, node: LocalNode, alreadyInstalled: Bool) {
        let node = try inspector.inspect()
        guard let installed = node.binary else { throw UpgradeError.refused("no installed rke2 binary found; pass --rke2-binary") }
        guard let backup = BinaryInstaller.backups(in: inspector.paths.backupsDir).first(where: { $0.tag == nil }) else {
            throw UpgradeError.refused("no backup in \(inspector.paths.backupsDir): upgrade-tui keeps one at every swap")
        }
        let installedAlready = (try? ManifestScanner.sha256(ofFile: backup.path)) == installed.sha256
        return (backup, node, installedAlready)
    }

    public func run(user: AuditUser = .current) throws -> OperationOutcome {
        let paths = inspector.paths
        return try Audited.run(paths: paths, command: "rollback", arguments: [], user: user) { record in
            let (backup, node, alreadyInstalled) = try candidate()
            guard let installed = node.binary else { throw UpgradeError.refused("no installed rke2 binary") }
            record.before = .init(version: installed.version?.description, sha256: installed.sha256)
            if alreadyInstalled {
                record.result = "no-op"
                record.after = record.before
                return OperationOutcome(changed: false, summary: "already rolled back: \(installed.path) is \(backup.name)", details: [])
            }
            let result = try Subprocess.run(backup.path, ["--version"], timeout: 10)
            guard let restored = RKE2Version.parseVersionOutput(result.output)?.version else {
                throw UpgradeError.failed("backup \(backup.path) does not report an rke2 version; nothing was changed")
            }
            let saved = try BinaryInstaller.backup(installed.path, version: installed.version, into: paths.backupsDir, tag: "rolled-back")
            try BinaryInstaller.install(source: backup.path, over: installed.path) { temporary in
                guard RKE2Version.parseVersionOutput(try Subprocess.run(temporary, ["--version"], timeout: 10).output)?.version == restored else {
                    throw UpgradeError.failed("the copied backup does not report \(restored); nothing was replaced")
                }
            }
            record.after = .init(version: restored.description, sha256: try? ManifestScanner.sha256(ofFile: installed.path))
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
