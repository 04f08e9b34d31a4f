import ArgumentParser
import Foundation
import UpgradeModel

/// Builds one snapshot for the one-shot commands: the host scan plus one LIST per resource (GET only).
struct SnapshotReader {
    let global: GlobalOptions

    func read() async throws -> DashboardSnapshot {
        let connection = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment, context: global.context)
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
                                         server: client.access.server, connectionError: nil, insecure: client.access.insecurity,
                                         context: client.access.context)
        }
    }
}
