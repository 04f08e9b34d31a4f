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
        let snapshot = try await SnapshotReader(global: global).read()
        switch output {
        case .json: print(StatusJSON.document(snapshot).serialized(pretty: true))
        case .text: print(StatusText.render(snapshot))
        }
    }
}

/// Builds one snapshot for the one-shot commands.
struct SnapshotReader {
    let global: GlobalOptions

    func read() async throws -> DashboardSnapshot {
        let (node, files) = try LocalSnapshot.read(global.inspector)
        let manifests = files.map { ManifestStatus(file: $0, state: $0.localState) }
        return DashboardSnapshot(local: node, manifests: manifests, cluster: .notConfigured)
    }
}
