/// What a key asks for. Handlers never draw: the reducer turns actions into state changes and effects.
enum Action: Equatable, Sendable {
    case quit, repaint
    case nextPane, previousPane
    case up, down, pageUp, pageDown, top, bottom, scrollLeft, scrollRight
    case filter, details, help, close, sort, showMessage
    case toggleSkip
    case plan, swap, restart, rollback, snapshot, runbook
    /// Pick another kubeconfig context (k9s's `:ctx`).
    case contexts
    /// This node's rke2 journal; in it, errors only or everything.
    case journal, toggleErrors
    /// `--demo` only: make something fail in the simulated cluster, or recover.
    case injectFailure
    // In dialogs.
    /// Enter: keep the filter, check the input, apply a typed confirmation.
    case accept
    /// y in a confirmation or a review.
    case confirm
    /// Esc or n: close the dialog and change nothing.
    case cancel
    /// Tab in an input: complete the path, take the first suggestion.
    case complete
    case deleteBackward
    case clearInput
}
