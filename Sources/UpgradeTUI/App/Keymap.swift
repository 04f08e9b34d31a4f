/// A key press as the app sees it (the terminal adapter maps curses codes to these).
enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case resize
}

/// What a key asks for. Handlers never draw: the reducer turns actions into state changes and effects.
enum Action: Equatable, Sendable {
    case quit, repaint
    case nextPane, previousPane
    case up, down, pageUp, pageDown, top, bottom, scrollLeft, scrollRight
    case filter, details, help, close, sort, showMessage
    case toggleSkip
    case plan, swap, restart, rollback
}

/// One line of the binding table: the single source for dispatch, the footer hints and the help screen.
struct Binding: Sendable {
    let keys: [Key]
    /// How the keys are written in the footer and help.
    let label: String
    let action: Action
    let help: String
    /// Changes the node or the cluster: absent from the read-only table (`--watch`).
    let mutating: Bool
    /// Only in this pane; nil everywhere.
    let pane: PaneID?
    /// Shown in the footer (the help lists everything).
    let footer: Bool
    let footerText: String
    /// When the footer is too narrow, hints with the lowest priority go first (help and quit stay).
    let footerPriority: Int

    init(_ keys: [Key], _ label: String, _ action: Action, _ help: String, mutating: Bool = false, pane: PaneID? = nil,
         footer: Bool = false, footerText: String? = nil, footerPriority: Int = 5) {
        self.keys = keys
        self.label = label
        self.action = action
        self.help = help
        self.mutating = mutating
        self.pane = pane
        self.footer = footer
        self.footerText = footerText ?? help
        self.footerPriority = footerPriority
    }
}

enum PaneID: String, CaseIterable, Sendable {
    case nodes, manifests, plans

    var title: String {
        switch self {
        case .nodes: return "Nodes"
        case .manifests: return "Manifests"
        case .plans: return "Plans & Jobs"
        }
    }
}

enum Keymap {
    static let all: [Binding] = [
        Binding([.tab], "Tab", .nextPane, "next pane", footer: true, footerText: "pane", footerPriority: 9),
        Binding([.backTab], "S-Tab", .previousPane, "previous pane"),
        Binding([.up, .char("k")], "↑/k", .up, "move up"),
        Binding([.down, .char("j")], "↓/j", .down, "move down", footer: true, footerText: "move"),
        Binding([.pageUp, .ctrl("b")], "PgUp/C-b", .pageUp, "page up"),
        Binding([.pageDown, .ctrl("f")], "PgDn/C-f", .pageDown, "page down"),
        Binding([.home, .char("g")], "Home/g", .top, "first row"),
        Binding([.end, .char("G")], "End/G", .bottom, "last row"),
        Binding([.left, .char("h")], "←/h", .scrollLeft, "scroll the selected long name left"),
        Binding([.right, .char("l")], "→/l", .scrollRight, "scroll the selected long name right"),
        Binding([.char("/")], "/", .filter, "filter the pane (case-insensitive)", footer: true, footerText: "filter", footerPriority: 3),
        Binding([.enter], "Enter", .details, "details of the selected row", footer: true, footerText: "details", footerPriority: 6),
        Binding([.char(" "), .char("s")], "Space/s", .toggleSkip, "skip / unskip the selected manifest (.skip marker)",
                mutating: true, pane: .manifests, footer: true, footerText: "skip", footerPriority: 8),
        Binding([.char("o")], "o", .sort, "sort nodes by name, version, state", pane: .nodes, footer: true, footerText: "sort", footerPriority: 2),
        Binding([.char("p")], "p", .plan, "plan: create or update the server and agent Plans", mutating: true, footer: true, footerText: "plan",
                footerPriority: 7),
        Binding([.char("w")], "w", .swap, "swap: install a new rke2 binary on this node", mutating: true, footer: true, footerText: "swap",
                footerPriority: 7),
        Binding([.char("r")], "r", .restart, "restart rke2 on this node into the installed binary", mutating: true, footer: true,
                footerText: "restart", footerPriority: 7),
        Binding([.char("R")], "R", .rollback, "rollback: reinstall the newest backup, then restart", mutating: true),
        Binding([.escape], "Esc", .close, "close, clear the filter"),
        Binding([.char("m")], "m", .showMessage, "the last message in full"),
        Binding([.char("?")], "?", .help, "help", footer: true, footerText: "help"),
        Binding([.ctrl("l")], "C-l", .repaint, "repaint the screen"),
        Binding([.char("q"), .ctrl("c")], "q/C-c", .quit, "quit", footer: true, footerText: "quit"),
    ]

    /// The table in force: read-only mode filters out every mutating binding (it does not disable them).
    static func table(readOnly: Bool) -> [Binding] {
        readOnly ? all.filter { !$0.mutating } : all
    }

    static func action(for key: Key, focus: PaneID, in table: [Binding]) -> Action? {
        table.first { $0.keys.contains(key) && ($0.pane == nil || $0.pane == focus) }?.action
    }

    static func footer(focus: PaneID, in table: [Binding]) -> [(String, String, Int)] {
        table.filter { $0.footer && ($0.pane == nil || $0.pane == focus) }.map { (shortLabel($0), $0.footerText, $0.footerPriority) }
    }

    static func shortLabel(_ binding: Binding) -> String {
        switch binding.action {
        case .down: return "↑↓"
        case .toggleSkip: return "Space"
        case .details: return "⏎"
        case .quit: return "q"
        default: return binding.label
        }
    }
}
