import ArgumentParser
import Foundation
import UpgradeModel

struct SwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Install a new rke2 binary on this node (atomically, with a backup); restart separately.",
        discussion: "The candidate is copied into a private staging directory first; its sha256 is shown, and exactly those bytes are installed. Checks: executable, checksum (--checksums, or a sha256sum-<arch>.txt beside the candidate; a failed checksum means it never runs), --version parses (run in a sandbox: never as root, no terminal, no network), no downgrade, no minor skip, servers before agents. Keeps the last 3 backups in <data-dir>/upgrade-tui/backups."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The new rke2 binary.", valueName: "PATH"))
    var binary: String
    @Option(help: ArgumentHelp("A sha256sum file from the release (sha256sum-amd64.txt).", valueName: "FILE"))
    var checksums: String?
    @Flag(name: .customLong("dry-run"), help: "Print the checks; change nothing. Exits 1 when a check fails.")
    var dryRun = false
    @Flag(help: "Swap without asking.")
    var yes = false
    @Option(help: ArgumentHelp("Swap despite failed checks; the reason goes into the audit record.", valueName: "REASON"))
    var force: String?

    func validate() throws { try ForceReason.validate(force) }

    func run() async throws {
        let cluster = await ClusterPeek.status(global)
        let operation = SwapOperation(binary: binary, checksums: checksums, inspector: global.inspector, cluster: cluster)
        let prepared = try operation.prepare()
        var performed = false
        defer { if !performed { SwapOperation.discard(prepared) } }
        print("Swap \(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")")
        print("  new binary: \(prepared.source), sha256 \(prepared.newSha ?? "?") (reviewed as a private copy)")
        CheckText.lines(prepared.checks).forEach { print($0) }
        if dryRun {
            if prepared.alreadyInstalled {
                print("dry run: binary already replaced: \(prepared.target) already has these bytes")
            } else if !prepared.failures.isEmpty {
                print("dry run: \(prepared.failures.count) check(s) fail; the swap would be refused without --force")
                throw ExitCode(1)
            } else {
                print("dry run: nothing changed")
            }
            return
        }
        // Refusals and "already replaced" go through the operation too, so that they are audited.
        if !prepared.alreadyInstalled && (prepared.failures.isEmpty || !(force ?? "").isEmpty) {
            try Confirm.ask("Replace \(prepared.target) with \(prepared.newVersion?.description ?? binary) (sha256 \(prepared.newSha?.prefix(16) ?? "?")…)?", yes: yes)
        }
        performed = true
        let outcome = try await Interruption.shared.catchingSignals { try operation.perform(prepared, force: force) }
        print(outcome.summary)
        outcome.details.forEach { print("  " + $0) }
    }
}
