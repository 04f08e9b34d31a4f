import Foundation
import UpgradeModel

enum SkipEffect {
    static func perform(_ effect: Effect, inspector: LocalInspector, snapshot: DashboardSnapshot?) async -> Message {
        let (mode, file): (SkipOperation.Mode, String)
        switch effect {
        case let .skip(path): (mode, file) = (.skip, path)
        case let .unskip(path): (mode, file) = (.unskip, path)
        default: return Message(text: "", severity: .info)
        }
        let name = (file as NSString).lastPathComponent
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
    }
}
