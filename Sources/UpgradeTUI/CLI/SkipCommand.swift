import ArgumentParser
import Foundation
import UpgradeModel

struct SkipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skip",
        abstract: "Create <file>.skip markers so that rke2 leaves these manifests alone.",
        discussion: "NAME is a manifest file name (rke2-canal.yaml) or addon name (rke2-canal). The manifest itself is never touched. Every control-plane node needs the same marker."
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("dry-run"), help: "Say what would happen; change nothing.")
    var dryRun = false
    @Argument(help: "Manifest file or addon names.")
    var names: [String]

    func run() async throws {
        try SkipCommandRunner.run(mode: .skip, names: names, dryRun: dryRun, global: global)
    }
}

struct UnskipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unskip",
        abstract: "Remove <file>.skip markers so that rke2 applies these manifests again.",
        discussion: "A marker that holds a renamed manifest is renamed back (or kept as a dotfile backup when the manifest exists)."
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("dry-run"), help: "Say what would happen; change nothing.")
    var dryRun = false
    @Argument(help: "Manifest file or addon names.")
    var names: [String]

    func run() async throws {
        try SkipCommandRunner.run(mode: .unskip, names: names, dryRun: dryRun, global: global)
    }
}

enum SkipCommandRunner {
    static func run(mode: SkipOperation.Mode, names: [String], dryRun: Bool, global: GlobalOptions) throws {
        guard !names.isEmpty else { throw UpgradeError.input("\(mode.rawValue): name at least one manifest") }
        let operation = SkipOperation(mode: mode, names: names, dryRun: dryRun, inspector: global.inspector)
        let outcomes = try operation.run()
        for outcome in outcomes {
            let prefix = dryRun ? "dry run: " : ""
            print("\(prefix)\(outcome.file): \(outcome.detail)")
        }
        if mode == .skip, outcomes.contains(where: { $0.action == .created }) {
            print("Remember: every control-plane node needs the same marker, or another server applies the manifest.")
            // An etcd-only server runs no deploy controller (k3s starts it with the API server).
            if let config = try? global.inspector.inspect().config, !config.runsDeployController {
                print("Note: this server runs no deploy controller (disable-apiserver): its markers change nothing here; the servers that apply manifests need them.")
            }
        }
    }
}
