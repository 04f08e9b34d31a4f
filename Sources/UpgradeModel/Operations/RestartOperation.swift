import Foundation

/// What a restart will do, as reviewed: the rke2 process (pinned by pid and start time) and the
/// children that get SIGTERM, and the binary it should come back with.
public struct RestartPreparation: Sendable, Equatable {
    /// nil when rke2 is not running (a rerun after an interruption waits for the supervisor).
    public let process: RKE2Process?
    public let installedPath: String
    public let installedSha: String
    public let installedVersion: RKE2Version?
    public let runningVersion: RKE2Version?
    public let runningSha: String?
    /// The running bytes are the installed ones already: nothing to restart.
    public var upToDate: Bool { process != nil && !restartPending }
    public let restartPending: Bool
}

/// `upgrade-tui restart`: stop the running rke2 (SIGTERM to it and its containerd/kubelet children, as
/// upgrade.sh does, or `systemctl restart rke2-<role>`) and wait, bounded, for a new process running the
/// installed binary; then for the API to answer again. Signals go only to the processes reviewed,
/// pinned by pid and start time (`ProcessIdentity`).
public struct RestartOperation: Sendable {
    public let inspector: LocalInspector
    public let viaSystemd: Bool
    public let timeout: TimeInterval
    /// Used to wait for the API after the restart; nil skips that wait.
    public let client: (any KubeAPI)?

    public init(inspector: LocalInspector, viaSystemd: Bool = false, timeout: TimeInterval = 120, client: (any KubeAPI)? = nil) {
        self.inspector = inspector.resolved()
        self.viaSystemd = viaSystemd
        self.timeout = timeout
        self.client = client
    }

    public func prepare() throws -> RestartPreparation {
        let node = try inspector.inspect()
        guard let installed = node.binary, let installedSha = installed.sha256 else {
            throw UpgradeError.refused("no installed rke2 binary to restart into")
        }
        if let distrust = TrustedPath.problem(executable: installed.path) {
            throw UpgradeError.refused("the installed binary is not safe to run as root: \(distrust)")
        }
        return RestartPreparation(process: node.running?.process, installedPath: installed.path, installedSha: installedSha,
                                  installedVersion: installed.version, runningVersion: node.running?.runningVersion ?? installed.version,
                                  runningSha: node.running?.runningSha256,
                                  restartPending: node.running?.restartPending ?? false)
    }

    public func run(user: AuditUser = .current, progress: @Sendable (String) -> Void = { _ in }) async throws -> OperationOutcome {
        try await perform(try prepare(), user: user, progress: progress)
    }

    public func perform(_ prepared: RestartPreparation, user: AuditUser = .current, interruption: Interruption = .shared,
                        progress: @Sendable (String) -> Void = { _ in }) async throws -> OperationOutcome {
        var arguments = viaSystemd ? ["--via-systemd"] : []
        if let process = prepared.process { arguments += ["--pid", String(process.pid)] }
        return try await Audited.run(paths: inspector.paths, command: "restart", arguments: arguments, user: user) { record in
            try await restart(prepared, record: &record, interruption: interruption, progress: progress)
        }
    }

    /// A process other than `notPid` whose running bytes are the installed binary's, within the timeout.
    private func waitForProcess(running sha: String, notPid: Int32?, within limit: TimeInterval? = nil, interruption: Interruption,
                                progress: @Sendable (String) -> Void) async throws -> RKE2Process? {
        let started = Date()
        let timeout = limit ?? self.timeout
        let scanner = ProcessScanner(procRoot: inspector.paths.procRoot, dataDir: inspector.paths.dataDir, scope: inspector.paths.processScope)
        var lastReport = -1
        while Date().timeIntervalSince(started) < timeout {
            if let candidate = try? scanner.find(), candidate.pid != notPid,
               (try? ManifestScanner.sha256(ofFile: candidate.procExe)) == sha {
                return candidate
            }
            try interruption.checkpoint("rke2 was already signalled; the new process was not seen yet")
            let waited = Int(Date().timeIntervalSince(started))
            if waited != lastReport {
                progress("waiting for the new rke2 process (\(waited) s)")
                lastReport = waited
            }
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
        return nil
    }

    private func restart(_ prepared: RestartPreparation, record: inout AuditRecord, interruption: Interruption,
                         progress: @Sendable (String) -> Void) async throws -> OperationOutcome {
        // Under the lock: the node as it is now must be the node reviewed.
        let now = try prepare()
        guard now.installedSha == prepared.installedSha else {
            throw UpgradeError.refused("\(prepared.installedPath) changed since the review; nothing was signalled: review again")
        }
        guard let running = now.process else {
            // An interrupted restart: the supervisor may be about to start it. Wait for that, bounded.
            // systemd restarts rke2 5 s after it stops (RestartSec=5s): a short grace, not the whole timeout.
            progress("rke2 is not running: waiting for its supervisor to start it")
            if let process = try await waitForProcess(running: now.installedSha, notPid: nil, within: min(timeout, 15),
                                                      interruption: interruption, progress: progress) {
                record.result = .noOp
                record.after = .init(version: now.installedVersion?.description, sha256: now.installedSha)
                return OperationOutcome(changed: false, summary: "rke2 came back on its own: pid \(process.pid) runs \(now.installedVersion?.description ?? "the installed binary")", details: [])
            }
            throw UpgradeError.refused("rke2 is not running on this node and did not start within \(Int(min(timeout, 15))) s; start it (systemctl start rke2-server or rke2-agent)")
        }
        let oldVersion = now.runningVersion
        record.before = .init(version: oldVersion?.description, sha256: now.runningSha)
        guard now.restartPending else {
            record.result = .noOp
            record.after = record.before
            return OperationOutcome(changed: false, summary: "rke2 already runs the installed binary (\(now.installedVersion?.description ?? "?"), pid \(running.pid)): nothing to restart", details: [])
        }
        if let reviewed = prepared.process, reviewed.identity != running.identity {
            throw UpgradeError.refused("rke2 pid \(reviewed.pid) is gone (now pid \(running.pid)) since the review; nothing was signalled: review again")
        }
        try interruption.checkpoint()
        let oldPid = running.pid
        if viaSystemd {
            let unit = "rke2-\(running.role)"
            progress("systemctl restart \(unit)")
            // An absolute, trusted path: never whatever `systemctl` the caller's PATH finds first.
            guard let systemctl = ["/usr/bin/systemctl", "/bin/systemctl"].first(where: { TrustedPath.problem(executable: $0) == nil }) else {
                throw UpgradeError.refused("--via-systemd: no root-owned systemctl in /usr/bin or /bin")
            }
            let result = try Subprocess.run(systemctl, ["restart", unit], timeout: timeout)
            guard result.status == 0 else {
                throw UpgradeError.failed("systemctl restart \(unit) failed (exit \(result.status)): \(result.output.prefix(300))")
            }
        } else {
            let children = running.children
            progress("SIGTERM to rke2 pid \(oldPid) and \(children.map { "\($0.name) \($0.pid)" }.joined(separator: ", "))")
            try running.identity.send(SIGTERM, procRoot: inspector.paths.procRoot)
            // A child that already exited with its parent is not an error; a reused pid is never signalled.
            for child in children { try? child.identity.send(SIGTERM, procRoot: inspector.paths.procRoot) }
        }
        record.details["oldPid"] = String(oldPid)
        // Wait for the supervisor (systemd: Restart=always, RestartSec=5s) to start the new binary.
        let deadline = Date().addingTimeInterval(timeout)
        guard let newProcess = try await waitForProcess(running: now.installedSha, notPid: oldPid, interruption: interruption, progress: progress) else {
            throw UpgradeError.failed("no new rke2 process running \(now.installedPath) within \(Int(timeout)) s; is a supervisor (systemd) restarting it? Check `systemctl status rke2-\(running.role)` and `journalctl -u rke2-\(running.role)`")
        }
        record.details["newPid"] = String(newProcess.pid)
        record.after = .init(version: now.installedVersion?.description, sha256: now.installedSha)
        var details = ["old: pid \(oldPid) \(oldVersion?.description ?? "?")", "new: pid \(newProcess.pid) \(now.installedVersion?.description ?? "?")"]
        if let client {
            progress("waiting for the API server")
            var answered = false
            while Date() < deadline {
                if (try? await client.send(.GET, "/version")) != nil { answered = true; break }
                try interruption.checkpoint("the new rke2 runs (pid \(newProcess.pid)); the API was not seen yet")
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
            details.append(answered ? "the API answers again" : "the API did not answer within the timeout (it may still be starting)")
            record.details["apiBack"] = String(answered)
        }
        return OperationOutcome(changed: true, summary: "restarted rke2: pid \(oldPid) (\(oldVersion?.description ?? "?")) → pid \(newProcess.pid) (\(now.installedVersion?.description ?? "?"))", details: details)
    }
}
