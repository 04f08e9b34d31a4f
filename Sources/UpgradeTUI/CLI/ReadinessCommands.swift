import ArgumentParser
import Foundation
import UpgradeModel

/// `upgrade-tui snapshot`: an etcd snapshot on this server before an upgrade (SnapshotOperation).
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take an etcd snapshot on this server (rke2 etcd-snapshot save) before an upgrade.",
        discussion: "Runs `rke2 etcd-snapshot save --name pre-upgrade-<target>` (the target of the server Plan, + written as -; or --name) through the running rke2 server's own executable, audited and under the node lock; shows rke2's output and the file it wrote in <data-dir>/server/db/snapshots. Agents, servers without etcd (disable-etcd) and a node where rke2 is not running refuse with the reason. A minor-version rollback needs a snapshot taken before the upgrade."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Snapshot name (default pre-upgrade-<target>, else pre-upgrade).", valueName: "N"))
    var name: String?
    @Flag(name: .customLong("dry-run"), help: "Say what would run; run nothing. Exits 1 when this node cannot take a snapshot.")
    var dryRun = false
    @Option(help: "Seconds rke2 etcd-snapshot save may take.")
    var timeout: Double = 600

    func validate() throws {
        try Seconds.check(timeout, option: "--timeout", within: 1...86_400)
        if let name {
            do { try SnapshotOperation.validate(name: name) } catch let error as UpgradeError { throw ValidationError("--name: " + error.message) }
        }
    }

    func run() async throws {
        let operation = SnapshotOperation(inspector: global.inspector, timeout: timeout)
        if !dryRun { try Privilege.requireWriteAccess(dataDir: operation.inspector.paths.dataDir, command: "snapshot") }
        // The default name carries the upgrade's target: the server Plan's, when the cluster has one.
        var target: RKE2Version?
        if name == nil, let cluster = await ClusterPeek.status(global) {
            let server = cluster.plans.first { $0.waitsFor == nil && $0.namespace == global.namespace }
            target = server?.target.flatMap(RKE2Version.init)
        }
        let prepared = try operation.prepare(name: name, target: target)
        print("etcd snapshot on this node: \(prepared.commandLine)")
        print("  run by the rke2 server pid \(prepared.process.pid) (\(prepared.version?.description ?? "version unknown")); files go to \(prepared.snapshotsDir)")
        if dryRun {
            print("dry run: nothing run")
            return
        }
        let result = try await Interruption.shared.catchingSignals {
            try await operation.perform(prepared) { line in Console.error("… \(line)") }
        }
        print(result.outcome.summary)
    }
}

enum RunbookFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, json
}

/// `upgrade-tui runbook`: the upgrade as a document to review, from the live cluster (Runbook).
struct RunbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Print the upgrade as a runbook to review: checks, snapshot, skip markers, Plans, node order, what to watch, rollback.",
        discussion: "Reads the cluster and this node (GET requests only) and changes nothing. Without --version or --channel the target is the one the server Plan names. The output is deterministic for a given cluster state; --output json has the same content (schemaVersion 1; see README)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Target version, e.g. v1.32.2+rke2r1 (default: the server Plan's target).")
    var version: String?
    @Option(help: "Release channel: a name (stable, latest, v1.32) or a full URL.")
    var channel: String?
    @Option(name: .customLong("channel-url"), help: "Base URL for channel names.")
    var channelURL: String = UpgradeTarget.defaultChannelURL
    @Option(name: [.short, .long], help: "markdown or json.")
    var output: RunbookFormat = .markdown

    func validate() throws {
        if version != nil && channel != nil { throw ValidationError("give --version or --channel, not both") }
    }

    func run() async throws {
        let client: KubeClient
        switch try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment) {
        case let .connected(connected): client = connected
        case let .notConfigured(reason):
            throw UpgradeError.refused("runbook needs the cluster: " + (reason ?? "no kubeconfig found") + " (pass --kubeconfig; RKE2 writes /etc/rancher/rke2/rke2.yaml)")
        }
        do {
            let runbook = try await build(client: client)
            await client.shutdown()
            switch output {
            case .markdown: print(runbook.markdown, terminator: "")
            case .json: print(runbook.json.serialized(pretty: true))
            }
        } catch {
            await client.shutdown()
            throw error
        }
    }

    func build(client: KubeClient) async throws -> Runbook {
        let target: UpgradeTarget
        if version != nil || channel != nil {
            target = try UpgradeTarget.parse(version: version, channel: channel, channelURL: channelURL)
        } else {
            let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: global.namespace))
            let cluster = ClusterDerivation.derive(cache, namespace: global.namespace, server: client.access.server)
            guard cluster.api == .ok else {
                throw UpgradeError.failed("runbook: the API is \(cluster.api.rawValue)\(cluster.error.map { ": \($0)" } ?? "")")
            }
            let server = cluster.plans.first { $0.waitsFor == nil }
            if let version = server?.version.flatMap(RKE2Version.init) {
                target = .version(version)
            } else if let channel = server?.channel {
                target = .channel(channel)
            } else {
                throw UpgradeError.input("runbook: give --version V or --channel C (no server Plan in \(global.namespace) names a target yet)")
            }
        }
        let prepared = try await PlanOperation(client: client, namespace: global.namespace, inspector: global.inspector).prepare(target: target)
        return Runbook.build(prepared, namespace: global.namespace)
    }
}
