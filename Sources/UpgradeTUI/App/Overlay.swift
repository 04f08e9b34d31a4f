import Foundation
import UpgradeModel

/// A question the operator must answer before an effect runs.
struct Confirmation: Equatable {
    var title: String
    var lines: [String]
    var effect: Effect
}

/// A one-line text input (the plan's target, the swap's binary path).
struct InputDialog: Equatable {
    enum Kind: Equatable { case planTarget, swapPath }
    var kind: Kind
    var title: String
    var prompt: String
    var text: String
    var suggestions: [String]
    var note: String?
    /// Why the last input was not accepted, shown inside the dialog.
    var error: String? = nil
}

/// The checks and preview of a prepared plan or swap, awaiting the operator's confirmation.
struct Review: Equatable {
    /// The prepared operation itself: confirming performs exactly what was reviewed.
    enum Kind: Equatable {
        case plan(PlanOperation.Prepared), swap(SwapPreparation), rollback(RollbackPreparation), snapshot(SnapshotPreparation)
    }
    var kind: Kind
    var title: String
    var lines: [String]
    var scroll: Int
    /// The plan must be confirmed by typing its target; a swap by `y`.
    var typeToConfirm: String?
    var typed: String
    /// Failed checks: the dashboard does not offer to force; the CLI's --force REASON does.
    var blocked: Bool
}

enum Overlay: Equatable {
    case help(scroll: Int)
    case details(title: String, lines: [String], scroll: Int)
    case confirm(Confirmation)
    /// Editing the focused pane's filter; the text is applied as it is typed.
    case filterInput(previous: String)
    case input(InputDialog)
    case review(Review)
    case contexts(ContextPicker)
    case journal(JournalView)

    /// How far the overlay's text is scrolled (dialogs do not scroll).
    var scroll: Int {
        switch self {
        case let .help(scroll), let .details(_, _, scroll): return scroll
        case let .review(review): return review.scroll
        case let .journal(view): return view.follow ? Int.max : view.scroll
        case .confirm, .filterInput, .input, .contexts: return 0
        }
    }

    func scrolled(to scroll: Int) -> Overlay {
        switch self {
        case .help: return .help(scroll: scroll)
        case let .details(title, lines, _): return .details(title: title, lines: lines, scroll: scroll)
        case var .review(review):
            review.scroll = scroll
            return .review(review)
        case var .journal(view):
            // Following the end is a mode, not a line number: it survives new lines.
            guard !view.follow else { return self }
            view.scroll = scroll
            return .journal(view)
        case .confirm, .filterInput, .input, .contexts: return self
        }
    }
}

/// The kubeconfig's contexts, to switch the cluster shown (k9s's `:ctx`).
struct ContextPicker: Equatable {
    var kubeconfig: String
    var names: [String]
    /// The context shown now.
    var current: String?
    var selected: Int
}

/// This node's rke2 journal, refreshed every two seconds while it is open.
struct JournalView: Equatable {
    var unit: String
    var errorsOnly = false
    var lines: [String] = []
    /// Why there are no lines (no journald; journalctl's own error).
    var problem: String?
    /// Stays at the newest line as lines arrive; scrolling up stops following.
    var follow = true
    var scroll = 0
    var lastRead: Date?
}
