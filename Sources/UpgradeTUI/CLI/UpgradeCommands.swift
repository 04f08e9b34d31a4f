import ArgumentParser
import Foundation
import UpgradeModel

/// Asks before a change: `--yes` answers for scripts; without a terminal and without `--yes` the
/// command refuses rather than guess.
enum Confirm {
    static func ask(_ question: String, yes: Bool) throws {
        if yes { return }
        guard isatty(0) != 0 else {
            throw UpgradeError.refused("\(question) needs a confirmation: pass --yes (no terminal to ask on)")
        }
        Console.prompt("\(question) [y/N] ")
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), answer == "y" || answer == "yes" else {
            throw UpgradeError.refused("cancelled")
        }
    }
}

/// What a restart will do, in the words of the CLI's preview and prompt.
enum RestartText {
    static func describe(_ prepared: RestartPreparation) -> String {
        guard let process = prepared.process else {
            return "rke2 is not running: the restart waits (up to 15 s) for its supervisor to start \(prepared.installedPath)"
        }
        guard prepared.restartPending else {
            return "rke2 (pid \(process.pid)) already runs the installed binary \(prepared.installedVersion?.description ?? ""): nothing to restart"
        }
        let children = process.children.map { "\($0.name) \($0.pid)" }.joined(separator: ", ")
        return "Restart rke2 (pid \(process.pid)\(children.isEmpty ? "" : "; \(children)")): \(prepared.runningVersion?.description ?? "?") → \(prepared.installedVersion?.description ?? "?")"
    }
}

/// `--force REASON`: the reason is recorded in the audit log, so it cannot be empty.
enum ForceReason {
    static func validate(_ force: String?) throws {
        if let force, force.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--force needs a reason (it is recorded in the audit log), e.g. --force \"lab cluster, skip tested\"")
        }
    }
}

enum CheckText {
    static func lines(_ checks: [PreflightCheck]) -> [String] {
        checks.map { check in
            let mark: String
            switch check.status {
            case .pass: mark = "pass"
            case .warn: mark = "WARN"
            case .fail: mark = "FAIL"
            }
            return "  \(mark)  \(DisplayWidth.pad(check.name, to: 18))\(check.reason)"
        }
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Create or update the server and agent Plans of the system-upgrade-controller, after preflight checks.",
        discussion: "One of --version or --channel is required. The plans follow the RKE2 docs: control-plane selector, concurrency 1, cordon, rancher/rke2-upgrade, and an agent plan that waits for the server plan. A failed check blocks unless --force REASON (recorded in the audit log). Writing Plans needs root: they change the whole cluster; --dry-run works for anyone who can read the cluster."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Target version, e.g. v1.32.2+rke2r1 (this or --channel is required).")
    var version: String?
    @Option(help: "Release channel: a name (stable, latest, v1.32) or a full URL (this or --version is required).")
    var channel: String?
    @Option(name: .customLong("channel-url"), help: "Base URL for channel names.")
    var channelURL: String = UpgradeTarget.defaultChannelURL
    @Flag(name: .customLong("dry-run"), help: "Print the plans and the checks; change nothing. Exits 1 when a check fails.")
    var dryRun = false
    @Flag(help: "Apply without asking.")
    var yes = false
    @Option(help: ArgumentHelp("Apply despite failed checks; the reason goes into the audit record.", valueName: "REASON"))
    var force: String?

    func validate() throws { try ForceReason.validate(force) }

    func run() async throws {
        let target = try UpgradeTarget.parse(version: version, channel: channel, channelURL: channelURL)
        if !dryRun && !Privilege.mayWrite(dataDir: global.inspector.paths.dataDir) {
            throw UpgradeError.refused("plan changes the cluster (it writes the Plans that upgrade every node) and is audited and locked on this node: run it as root (sudo), or pass --dry-run to see what it would write")
        }
        let client: KubeClient
        switch try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment) {
        case let .connected(connected): client = connected
        case let .notConfigured(reason):
            throw UpgradeError.refused("plan needs the cluster: " + (reason ?? "no kubeconfig found") + " (pass --kubeconfig; RKE2 writes /etc/rancher/rke2/rke2.yaml)")
        }
        do {
            try await run(client: client, target: target)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    func run(client: KubeClient, target: UpgradeTarget) async throws {
        let operation = PlanOperation(client: client, namespace: global.namespace, inspector: global.inspector)
        let prepared = try await operation.prepare(target: target)
        print("Plans for \(prepared.targetText) in namespace \(global.namespace):\n")
        print(prepared.yaml)
        let diff = prepared.diff
        if !diff.isEmpty {
            print("Changes to existing plans:")
            diff.forEach { print($0) }
            print("")
        }
        print("Preflight:")
        CheckText.lines(prepared.checks).forEach { print($0) }
        print("")
        if dryRun {
            guard prepared.failures.isEmpty else {
                print("dry run: \(prepared.failures.count) check(s) fail; applying would be refused without --force")
                throw ExitCode(1)
            }
            print("dry run: nothing applied")
            return
        }
        // A refusal goes through the operation too, so that it is audited.
        if prepared.failures.isEmpty || !(force ?? "").isEmpty {
            try Confirm.ask("Apply these plans (target \(prepared.targetText))?", yes: yes)
        }
        let outcome = try await Interruption.shared.catchingSignals { try await operation.apply(prepared, force: force) }
        print(outcome.summary)
        print("Follow it with `upgrade-tui` (the dashboard) or `upgrade-tui status`.")
    }
}

struct SwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Install a new rke2 binary on this node (atomically, with a backup); restart separately.",
        discussion: "The candidate is copied into a private staging directory first; its sha256 is shown, and exactly those bytes are installed. Checks: executable, checksum (--checksums, or a sha256sum-<arch>.txt beside the candidate; a failed checksum means it never runs), --version parses (run in a sandbox: never as root, no terminal, no network), no downgrade, no minor skip, servers before agents. Keeps the last 3 backups in <data-dir>/upgrade-tui/backups."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The new rke2 binary.", valueName: "PATH"))
    var binary: String
    @Option(help: ArgumentHelp("A sha256sum file from the release (sha256sum-amd64.txt).", valueName: "FILE"))
    var checksums: String?
    @Flag(name: .customLong("dry-run"), help: "Print the checks; change nothing. Exits 1 when a check fails.")
    var dryRun = false
    @Flag(help: "Swap without asking.")
    var yes = false
    @Option(help: ArgumentHelp("Swap despite failed checks; the reason goes into the audit record.", valueName: "REASON"))
    var force: String?

    func validate() throws { try ForceReason.validate(force) }

    func run() async throws {
        let cluster = await ClusterPeek.status(global)
        let operation = SwapOperation(binary: binary, checksums: checksums, inspector: global.inspector, cluster: cluster)
        let prepared = try operation.prepare()
        var performed = false
        defer { if !performed { SwapOperation.discard(prepared) } }
        print("Swap \(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")")
        print("  new binary: \(prepared.source), sha256 \(prepared.newSha ?? "?") (reviewed as a private copy)")
        CheckText.lines(prepared.checks).forEach { print($0) }
        if dryRun {
            if prepared.alreadyInstalled {
                print("dry run: binary already replaced: \(prepared.target) already has these bytes")
            } else if !prepared.failures.isEmpty {
                print("dry run: \(prepared.failures.count) check(s) fail; the swap would be refused without --force")
                throw ExitCode(1)
            } else {
                print("dry run: nothing changed")
            }
            return
        }
        // Refusals and "already replaced" go through the operation too, so that they are audited.
        if !prepared.alreadyInstalled && (prepared.failures.isEmpty || !(force ?? "").isEmpty) {
            try Confirm.ask("Replace \(prepared.target) with \(prepared.newVersion?.description ?? binary) (sha256 \(prepared.newSha?.prefix(16) ?? "?")…)?", yes: yes)
        }
        performed = true
        let outcome = try await Interruption.shared.catchingSignals { try operation.perform(prepared, force: force) }
        print(outcome.summary)
        outcome.details.forEach { print("  " + $0) }
    }
}

struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Restart rke2 on this node into the installed binary and wait for it.",
        discussion: "Sends SIGTERM to rke2 and its containerd/kubelet children (as rke2-upgrade does) and relies on the supervisor (systemd Restart=always) to start it again; --via-systemd runs systemctl restart instead."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var restart: RestartOptions

    func run() async throws {
        var client: KubeClient?
        if case let .connected(connected) = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment) {
            client = connected
        }
        let operation = restart.operation(inspector: global.inspector, client: client)
        if !restart.dryRun { try Privilege.requireWriteAccess(dataDir: global.inspector.paths.dataDir, command: "restart") }
        let prepared = try operation.prepare()
        let plan = RestartText.describe(prepared)
        if restart.dryRun {
            print(plan)
            print("dry run: nothing signalled")
            await client?.shutdown()
            return
        }
        if prepared.restartPending {
            try Confirm.ask(plan + "\nRestart rke2 on this node?", yes: restart.yes)
        }
        let outcome = try await restart.perform(operation, prepared)
        await client?.shutdown()
        print(outcome.summary)
        outcome.details.forEach { print("  " + $0) }
    }
}

/// The options restart and rollback share, and the restart they both end with.
struct RestartOptions: ParsableArguments {
    @Flag(help: "Do it without asking.")
    var yes = false
    @Option(help: "Seconds to wait for the new process (and the API).")
    var timeout: Double = 120
    @Flag(name: .customLong("via-systemd"), help: "systemctl restart rke2-server|rke2-agent instead of signals.")
    var viaSystemd = false
    @Flag(name: .customLong("dry-run"), help: "Say what would be done; change nothing.")
    var dryRun = false

    func validate() throws {
        try Seconds.check(timeout, option: "--timeout", within: 0.001...86_400)
    }

    func operation(inspector: LocalInspector, client: KubeClient?) -> RestartOperation {
        RestartOperation(inspector: inspector, viaSystemd: viaSystemd, timeout: timeout, client: client)
    }

    /// Performs a reviewed restart; SIGINT, SIGTERM and SIGHUP stop it at a safe point (audited).
    func perform(_ operation: RestartOperation, _ prepared: RestartPreparation) async throws -> OperationOutcome {
        try await Interruption.shared.catchingSignals {
            try await operation.perform(prepared) { line in
                Console.error("… \(line)")
            }
        }
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Reinstall the newest backup of the rke2 binary, then restart into it.",
        discussion: "A minor-version rollback also needs an etcd snapshot taken on the old version (RKE2 docs: roll-back)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var restart: RestartOptions

    func run() async throws {
        let rollback = RollbackOperation(inspector: global.inspector)
        if !restart.dryRun { try Privilege.requireWriteAccess(dataDir: global.inspector.paths.dataDir, command: "rollback") }
        let prepared = try rollback.prepare()
        let from = prepared.installedVersion?.description ?? "the current binary"
        let to = prepared.backup.version?.description ?? prepared.backup.name
        print("Rollback \(prepared.installedPath): \(from) → \(to)")
        print("  backup: \(prepared.backup.path) (sha256 \(prepared.backupSha.prefix(16))…)")
        if let installed = prepared.installedVersion, let restored = prepared.backup.version, installed.minor != restored.minor {
            print("  a minor-version rollback also needs the etcd snapshot taken on \(restored.minorLine) restored (RKE2 docs: roll-back): restoring the binary alone is not enough")
        }
        print(prepared.alreadyInstalled ? "  this backup is installed already: only the restart remains" : "  then rke2 is restarted into it")
        if restart.dryRun {
            print("dry run: nothing changed")
            return
        }
        if !prepared.alreadyInstalled {
            try Confirm.ask("Reinstall \(to) over \(from) and restart?", yes: restart.yes)
        }
        let outcome = try await Interruption.shared.catchingSignals { try rollback.perform(prepared) }
        print(outcome.summary)
        outcome.details.forEach { print("  " + $0) }
        guard prepared.running || prepared.alreadyInstalled else {
            print("rke2 is not running: start it to run the restored binary")
            return
        }
        let operation = restart.operation(inspector: global.inspector, client: nil)
        print(try await restart.perform(operation, try operation.prepare()).summary)
    }
}

/// The cluster's state for checks that need it (swap's order rule); nil when there is no cluster.
enum ClusterPeek {
    static func status(_ global: GlobalOptions) async -> ClusterStatus? {
        guard case let .connected(client)? = try? ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment) else {
            return nil
        }
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: global.namespace))
        await client.shutdown()
        return ClusterDerivation.derive(cache, namespace: global.namespace, server: client.access.server)
    }
}
