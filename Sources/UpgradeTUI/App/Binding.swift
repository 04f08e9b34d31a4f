/// One line of the binding table: the single source for dispatch, the footer hints and the help screen.
struct Binding: Sendable {
    let keys: [Key]
    /// How the keys are written in the footer and help.
    let label: String
    let action: Action
    let help: String
    /// Where the keys work: the panes, or one kind of dialog.
    let context: KeyContext
    /// Changes the node or the cluster: absent from the read-only table (`--watch`).
    let mutating: Bool
    /// Only in `--demo`.
    let demoOnly: Bool
    /// Only in this pane; nil everywhere.
    let pane: PaneID?
    /// Shown in the footer (the help lists everything).
    let footer: Bool
    let footerText: String
    /// When the footer is too narrow, hints with the lowest priority go first (help and quit stay).
    let footerPriority: Int

    init(_ keys: [Key], _ label: String, _ action: Action, _ help: String, context: KeyContext = .panes, mutating: Bool = false,
         demoOnly: Bool = false, pane: PaneID? = nil, footer: Bool = false, footerText: String? = nil, footerPriority: Int = 5) {
        self.demoOnly = demoOnly
        self.keys = keys
        self.label = label
        self.action = action
        self.help = help
        self.context = context
        self.mutating = mutating
        self.pane = pane
        self.footer = footer
        self.footerText = footerText ?? help
        self.footerPriority = footerPriority
    }
}
