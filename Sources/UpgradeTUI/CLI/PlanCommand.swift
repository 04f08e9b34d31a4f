import ArgumentParser
import Foundation
import UpgradeModel

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
        switch try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment, context: global.context) {
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
