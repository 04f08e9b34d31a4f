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
        case .json:
            StatusJSON.write(snapshot, upgradeTuiVersion: BuildInfo.version) { print($0, terminator: "") }
            print("")
        case .text: print(StatusText.render(snapshot))
        }
    }
}
