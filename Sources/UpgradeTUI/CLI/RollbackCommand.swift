import ArgumentParser
import Foundation
import UpgradeModel

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
