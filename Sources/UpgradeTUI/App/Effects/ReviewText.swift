import Foundation
import UpgradeModel

/// Presents prepared operations for review (pure).
enum ReviewText {
    static func checkLines(_ checks: [PreflightCheck], unicode: Bool) -> [String] {
        checks.map { check in
            let mark: String
            switch check.status {
            case .pass: mark = unicode ? "✓" : "ok"
            case .warn: mark = unicode ? "⚠" : "!"
            case .fail: mark = unicode ? "✗" : "X"
            }
            return "\(mark) \(DisplayWidth.pad(check.name, to: 18))\(check.reason)"
        }
    }

    static func plan(_ prepared: PlanOperation.Prepared) -> Review {
        var lines = ["Preflight"] + checkLines(prepared.checks, unicode: true)
        let diff = prepared.diff
        if !diff.isEmpty { lines += ["", "Changes to the existing Plans"] + diff }
        lines += ["", "Plans (\(prepared.plans.first?.metadata.namespace ?? ""))"] + prepared.yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Confirmed by typing the version it upgrades to (a channel not resolvable here: its name).
        let confirm: String
        switch prepared.target {
        case let .version(version): confirm = version.description
        case let .channel(url): confirm = prepared.resolved?.description ?? String(url.split(separator: "/").last ?? "")
        }
        return Review(kind: .plan(prepared), title: "Plan \(prepared.targetText)", lines: lines, scroll: 0,
                      typeToConfirm: confirm, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func swap(_ prepared: SwapPreparation) -> Review {
        var lines = ["\(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")",
                     "new binary: \(prepared.source)", "sha256 \(prepared.newSha ?? "?") (a private copy: these bytes are what y installs)", ""]
        lines += checkLines(prepared.checks, unicode: true)
        lines += ["", prepared.alreadyInstalled ? "These bytes are already installed: confirming changes nothing."
                  : "The old binary is kept as a backup; rke2 keeps running it until you restart (r)."]
        return Review(kind: .swap(prepared), title: "Swap to \(prepared.newVersion?.description ?? prepared.source)",
                      lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func rollback(_ prepared: RollbackPreparation) -> Review {
        let from = prepared.installedVersion?.description ?? "the installed binary"
        let to = prepared.backup.version?.description ?? prepared.backup.name
        var lines = ["\(prepared.installedPath): \(from) → \(to)",
                     "backup: \(prepared.backup.path)", "sha256 \(prepared.backupSha)", ""]
        if prepared.alreadyInstalled {
            lines.append("This backup is installed already: confirming only restarts rke2 if it still runs the old binary.")
        } else {
            lines.append("Reinstalls this backup (the replaced binary is kept), then restarts rke2.")
        }
        if let installed = prepared.installedVersion, let restored = prepared.backup.version, installed.minor != restored.minor {
            lines += ["", "A minor-version rollback also needs the etcd snapshot taken on \(restored.minorLine) restored (RKE2 docs: roll-back)."]
        }
        return Review(kind: .rollback(prepared), title: "Roll back to \(to)", lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: false)
    }

    static func snapshot(_ prepared: SnapshotPreparation) -> Review {
        let lines = ["Runs, as the rke2 server (pid \(prepared.process.pid)) that runs this node:",
                     "  " + prepared.commandLine,
                     "The snapshot is written to \(prepared.snapshotsDir); rke2's output is shown as it comes.",
                     "", "The RKE2 docs ask for one before an upgrade: a minor-version rollback needs it restored."]
        return Review(kind: .snapshot(prepared), title: "Take etcd snapshot \(prepared.name)?", lines: lines, scroll: 0,
                      typeToConfirm: nil, typed: "", blocked: false)
    }

    /// The runbook, for the details pager (`upgrade-tui runbook --output markdown` prints the same text).
    static func runbook(_ prepared: PlanOperation.Prepared, namespace: String) -> Event {
        let text = Runbook.build(prepared, namespace: namespace).markdown
        return .document(title: "Runbook: upgrade to \(prepared.targetText)", lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    static func message(_ outcome: OperationOutcome) -> Message {
        Message(text: ([outcome.summary] + outcome.details.prefix(1)).joined(separator: "; "), severity: outcome.changed ? .ok : .info)
    }

    static func failure(_ what: String, _ error: Error) -> Event {
        .operationFinished(Message(text: "\(what) failed: \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error))
    }
}
