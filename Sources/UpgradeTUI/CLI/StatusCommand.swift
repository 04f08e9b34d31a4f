import ArgumentParser
import Foundation
import UpgradeModel

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print one snapshot of this node and the cluster, then exit."
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "text or json (schemaVersion 1).")
    var output: OutputFormat = .text

    func run() async throws {
        // A data dir the operator named that does not exist is a typo, not a state: exit 2.
        if let named = global.dataDir ?? global.environment["RKE2_DATA_DIR"], POSIX.fileInfo(named) == nil {
            throw UpgradeError.input("data dir \(named) does not exist (\(global.dataDir != nil ? "--data-dir" : "RKE2_DATA_DIR")); RKE2's default is \(HostPaths.defaultDataDir)")
        }
        let snapshot = try await SnapshotReader(global: global).read()
        switch output {
        case .json: print(StatusJSON.document(snapshot).serialized(pretty: true))
        case .text: print(StatusText.render(snapshot))
        }
    }
}

/// Builds one snapshot for the one-shot commands: the host scan plus one LIST per resource (GET only).
struct SnapshotReader {
    let global: GlobalOptions

    func read() async throws -> DashboardSnapshot {
        let connection = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment)
        async let local = Task.detached { [inspector = global.inspector] in try LocalSnapshot.read(inspector) }.value
        switch connection {
        case let .notConfigured(reason):
            let (node, files) = try await local
            return SnapshotBuilder.build(local: node, files: files, cache: nil, namespace: global.namespace,
                                         server: nil, connectionError: reason)
        case let .connected(client):
            let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: global.namespace))
            await client.shutdown()
            let (node, files) = try await local
            return SnapshotBuilder.build(local: node, files: files, cache: cache, namespace: global.namespace,
                                         server: client.access.server, connectionError: nil, insecure: client.access.insecurity)
        }
    }
}
