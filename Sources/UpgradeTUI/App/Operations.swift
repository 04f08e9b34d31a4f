import Foundation
import UpgradeModel

/// Performs the dashboard's mutating effects. Never constructed in `--watch`: a read-only dashboard
/// has no object that could change anything.
struct Operations: Sendable {
    let inspector: LocalInspector

    func perform(_ effect: Effect, snapshot: DashboardSnapshot?) async -> Message {
        switch effect {
        case let .skip(file), let .unskip(file):
            let mode: SkipOperation.Mode
            if case .skip = effect { mode = .skip } else { mode = .unskip }
            let name = (file as NSString).lastPathComponent
            let inspector = self.inspector
            let result = await Task.detached { () -> Result<[SkipOutcome], Error> in
                Result { try SkipOperation(mode: mode, names: [name], dryRun: false, inspector: inspector).run() }
            }.value
            switch result {
            case let .success(outcomes):
                guard let outcome = outcomes.first else { return Message(text: "nothing to do", severity: .info) }
                var text: String
                switch outcome.action {
                case .created: text = "skipped \(name) (\(name).skip created)"
                case .alreadySkipped: text = "\(name) was already skipped"
                case .removed: text = "unskipped \(name): rke2 applies it again"
                case .notSkipped: text = "\(name) was not skipped"
                case .restored, .keptAsBackup: text = outcome.detail
                }
                if outcome.changed, let snapshot {
                    let others = ThisNode.otherControlPlaneNodes(snapshot.local, in: snapshot.cluster)
                    if !others.isEmpty { text += "; do the same on \(others.joined(separator: ", "))" }
                }
                return Message(text: text, severity: outcome.changed ? .ok : .info)
            case let .failure(error):
                return Message(text: "\(mode.rawValue) \(name) failed: \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error)
            }
        case .quit, .repaint:
            return Message(text: "", severity: .info)
        }
    }
}
