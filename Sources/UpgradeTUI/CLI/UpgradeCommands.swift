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
        discussion: "The plans follow the RKE2 docs: control-plane selector, concurrency 1, cordon, rancher/rke2-upgrade, and an agent plan that waits for the server plan. A failed check blocks unless --force REASON (recorded in the audit log)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Target version, e.g. v1.32.2+rke2r1.")
    var version: String?
    @Option(help: "Release channel: a name (stable, latest, v1.32) or a full URL.")
    var channel: String?
    @Option(name: .customLong("channel-url"), help: "Base URL for channel names.")
    var channelURL: String = UpgradeTarget.defaultChannelURL
    @Flag(name: .customLong("dry-run"), help: "Print the plans and the checks; change nothing.")
    var dryRun = false
    @Flag(help: "Apply without asking.")
    var yes = false
    @Option(help: ArgumentHelp("Apply despite failed checks; the reason goes into the audit record.", valueName: "REASON"))
    var force: String?

    func run() async throws {
        let target = try UpgradeTarget.parse(version: version, channel: channel, channelURL: channelURL)
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
            print(prepared.failures.isEmpty ? "dry run: nothing applied" : "dry run: \(prepared.failures.count) check(s) fail; applying would be refused without --force")
            return
        }
        // A refusal goes through the operation too, so that it is audited.
        if prepared.failures.isEmpty || !(force ?? "").isEmpty {
            try Confirm.ask("Apply these plans (target \(prepared.targetText))?", yes: yes)
        }
        let outcome = try await operation.apply(prepared, force: force)
        print(outcome.summary)
        print("Follow it with `upgrade-tui` (the dashboard) or `upgrade-tui status`.")
    }
}

struct SwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Install a new rke2 binary on this node (atomically, with a backup); restart separately.",
        discussion: "Checks: executable, --version parses, checksum (with --checksums), no downgrade, no minor skip, servers before agents. Keeps the last 3 backups in <data-dir>/upgrade-tui/backups."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The new rke2 binary.", valueName: "PATH"))
    var binary: String
    @Option(help: ArgumentHelp("A sha256sum file from the release (sha256sum-amd64.txt).", valueName: "FILE"))
    var checksums: String?
    @Flag(name: .customLong("dry-run"), help: "Print the checks; change nothing.")
    var dryRun = false
    @Flag(help: "Swap without asking.")
    var yes = false
    @Option(help: ArgumentHelp("Swap despite failed checks; the reason goes into the audit record.", valueName: "REASON"))
    var force: String?

    func run() async throws {
        let cluster = await ClusterPeek.status(global)
        let operation = SwapOperation(binary: binary, checksums: checksums, inspector: global.inspector, cluster: cluster)
        let prepared = try operation.prepare()
        print("Swap \(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")")
        CheckText.lines(prepared.checks).forEach { print($0) }
        if dryRun {
            if prepared.alreadyInstalled {
                print("dry run: binary already replaced: \(prepared.target) already has these bytes")
            } else {
                print(prepared.failures.isEmpty ? "dry run: nothing changed" : "dry run: \(prepared.failures.count) check(s) fail; the swap would be refused without --force")
            }
            return
        }
        // Refusals and "already replaced" go through the operation too, so that they are audited.
        if !prepared.alreadyInstalled && (prepared.failures.isEmpty || !(force ?? "").isEmpty) {
            try Confirm.ask("Replace \(prepared.target) with \(prepared.newVersion?.description ?? binary)?", yes: yes)
        }
        let outcome = try operation.run(force: force)
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
        try Confirm.ask("Restart rke2 on this node?", yes: restart.yes)
        var client: KubeClient?
        if case let .connected(connected) = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment) {
            client = connected
        }
        let outcome = try await restart.run(inspector: global.inspector, client: client)
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

    func validate() throws {
        try Seconds.check(timeout, option: "--timeout", within: 0.001...86_400)
    }

    func run(inspector: LocalInspector, client: KubeClient?) async throws -> OperationOutcome {
        try await RestartOperation(inspector: inspector, viaSystemd: viaSystemd, timeout: timeout, client: client).run { line in
            Console.error("… \(line)")
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
        let (backup, node, alreadyInstalled) = try rollback.candidate()
        if !alreadyInstalled {
            try Confirm.ask("Reinstall \(backup.version?.description ?? backup.name) over \(node.binary?.version?.description ?? "the current binary") and restart?", yes: restart.yes)
        }
        let outcome = try rollback.run()
        print(outcome.summary)
        outcome.details.forEach { print("  " + $0) }
        guard node.running != nil || alreadyInstalled else {
            print("rke2 is not running: start it to run the restored binary")
            return
        }
        print(try await restart.run(inspector: global.inspector, client: nil).summary)
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
