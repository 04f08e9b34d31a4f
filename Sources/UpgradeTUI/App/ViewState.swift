import UpgradeModel

/// Everything the screen shows that is not the snapshot.
struct ViewState: Equatable {
    var focus: PaneID = .nodes
    var panes: [PaneID: PaneState] = Dictionary(uniqueKeysWithValues: PaneID.allCases.map { ($0, PaneState()) })
    var sort: NodeSort = .name
    var overlay: Overlay?
    var message: Message?
    let readOnly: Bool
    /// Why the dashboard is read-only when the operator did not ask for `--watch` ("not root").
    let readOnlyReason: String?
    /// An operation in progress, shown on the message line.
    var busy: String?
    /// A mutating operation is running: quitting asks first, and then stops it at a safe point.
    var mutationRunning = false
    /// The operator chose to quit while an operation ran: quit when it has finished.
    var quitWhenIdle = false

    /// Paths the swap dialog offers (the demo's newer binary).
    var swapSuggestions: [String] = []

    /// `--demo`: the header says so, and the demo's own keys exist.
    let demo: Bool

    init(readOnly: Bool, readOnlyReason: String? = nil, demo: Bool = false) {
        self.readOnly = readOnly || readOnlyReason != nil
        self.readOnlyReason = readOnlyReason
        self.demo = demo
    }

    subscript(pane: PaneID) -> PaneState {
        get { panes[pane] ?? PaneState() }
        set { panes[pane] = newValue }
    }

    var bindings: [Binding] { Keymap.table(readOnly: readOnly, demo: demo) }
}
