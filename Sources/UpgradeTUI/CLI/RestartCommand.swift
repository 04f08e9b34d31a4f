import ArgumentParser
import Foundation
import UpgradeModel

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
        if case let .connected(connected) = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment, context: global.context) {
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
