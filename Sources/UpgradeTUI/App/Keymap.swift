/// The binding table: every key the dashboard knows, in the panes and in each dialog.
enum Keymap {
    static let all: [Binding] = panes + filter + input + review + typedReview + confirm + pager + picker + journal

    static let panes: [Binding] = [
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
        Binding([.char("b")], "b", .runbook, "runbook: the upgrade to the plans' target as a document (as upgrade-tui runbook)"),
        Binding([.char("S")], "S", .snapshot, "etcd snapshot: rke2 etcd-snapshot save --name pre-upgrade-<target> on this server",
                mutating: true),
        Binding([.char("x")], "x", .injectFailure, "demo: make something fail (a Job, a node); again: recover", mutating: true,
                demoOnly: true, footer: true, footerText: "fail (demo)", footerPriority: 1),
        Binding([.char("L")], "L", .journal, "log: this node's rke2 journal (journalctl -u rke2-server or rke2-agent)"),
        Binding([.char("c")], "c", .contexts, "contexts: show another cluster of the kubeconfig (as k9s :ctx)"),
        Binding([.escape], "Esc", .close, "close, clear the filter"),
        Binding([.char("m")], "m", .showMessage, "the last message in full"),
        Binding([.char("?")], "?", .help, "help", footer: true, footerText: "help"),
        Binding([.ctrl("l")], "C-l", .repaint, "repaint the screen"),
        Binding([.char("q"), .ctrl("c")], "q/C-c", .quit, "quit", footer: true, footerText: "quit"),
    ]

    static let filter: [Binding] = [
        Binding([.enter], "Enter", .accept, "keep the filter", context: .filter),
        Binding([.escape], "Esc", .cancel, "restore the filter as it was", context: .filter),
        Binding([.backspace, .delete], "Bksp", .deleteBackward, "delete a character", context: .filter),
        Binding([.ctrl("u")], "C-u", .clearInput, "clear the filter", context: .filter),
        Binding([.up], "↑", .up, "keep the filter and move up", context: .filter),
        Binding([.down], "↓", .down, "keep the filter and move down", context: .filter),
        Binding([.pageUp], "PgUp", .pageUp, "keep the filter, page up", context: .filter),
        Binding([.pageDown], "PgDn", .pageDown, "keep the filter, page down", context: .filter),
    ]

    static let input: [Binding] = [
        Binding([.enter], "Enter", .accept, "check the input (nothing changes before the review)", context: .input),
        Binding([.escape], "Esc", .cancel, "close the dialog", context: .input),
        Binding([.tab], "Tab", .complete, "complete a path, take the first suggestion", context: .input),
        Binding([.up], "↑", .up, "previous suggestion", context: .input),
        Binding([.down], "↓", .down, "next suggestion", context: .input),
        Binding([.backspace, .delete], "Bksp", .deleteBackward, "delete a character", context: .input),
        Binding([.ctrl("u")], "C-u", .clearInput, "clear the input", context: .input),
        Binding([.ctrl("c")], "C-c", .quit, "quit", context: .input),
    ]

    static let review: [Binding] = [
        Binding([.char("y"), .char("Y")], "y", .confirm, "do what the review shows", context: .review),
        Binding([.char("n"), .char("N"), .char("q"), .escape], "n/q/Esc", .cancel, "cancel: nothing is changed", context: .review),
    ] + scrolling(.review)

    static let typedReview: [Binding] = [
        Binding([.enter], "Enter", .accept, "apply, when the typed text is the target", context: .typedReview),
        Binding([.escape], "Esc", .cancel, "cancel: nothing is changed", context: .typedReview),
        Binding([.backspace, .delete], "Bksp", .deleteBackward, "delete a character", context: .typedReview),
        Binding([.ctrl("u")], "C-u", .clearInput, "clear what was typed", context: .typedReview),
    ] + scrolling(.typedReview)

    static let confirm: [Binding] = [
        Binding([.char("y"), .char("Y")], "y", .confirm, "yes", context: .confirm),
        Binding([.char("n"), .char("N"), .char("q"), .escape], "n/q/Esc", .cancel, "no", context: .confirm),
    ]

    static let pager: [Binding] = [
        Binding([.escape, .char("q"), .enter, .char("?")], "Esc/q/⏎", .close, "close (also ? and Enter)", context: .pager),
        Binding([.up, .char("k")], "↑/k", .up, "scroll up", context: .pager),
        Binding([.down, .char("j")], "↓/j", .down, "scroll down", context: .pager),
        Binding([.pageUp, .ctrl("b")], "PgUp/C-b", .pageUp, "page up", context: .pager),
        Binding([.pageDown, .char(" "), .ctrl("f")], "PgDn/Space", .pageDown, "page down", context: .pager),
        Binding([.home, .char("g")], "Home/g", .top, "first line", context: .pager),
        Binding([.end, .char("G")], "End/G", .bottom, "last line", context: .pager),
        Binding([.ctrl("c")], "C-c", .quit, "quit", context: .pager),
    ]

    static let picker: [Binding] = [
        Binding([.up, .char("k")], "↑/k", .up, "previous context", context: .picker),
        Binding([.down, .char("j")], "↓/j", .down, "next context", context: .picker),
        Binding([.enter], "Enter", .accept, "show the selected context's cluster", context: .picker),
        Binding([.escape, .char("q")], "Esc/q", .cancel, "keep the cluster shown", context: .picker),
        Binding([.ctrl("c")], "C-c", .quit, "quit", context: .picker),
    ]

    static let journal: [Binding] = [
        Binding([.char("e")], "e", .toggleErrors, "errors only (journalctl -p err), or everything", context: .journal),
        Binding([.up, .char("k")], "↑/k", .up, "scroll up (stops following)", context: .journal),
        Binding([.down, .char("j")], "↓/j", .down, "scroll down", context: .journal),
        Binding([.pageUp, .ctrl("b")], "PgUp/C-b", .pageUp, "page up", context: .journal),
        Binding([.pageDown, .char(" "), .ctrl("f")], "PgDn/Space", .pageDown, "page down", context: .journal),
        Binding([.home, .char("g")], "Home/g", .top, "oldest line shown", context: .journal),
        Binding([.end, .char("G")], "End/G", .bottom, "newest line, and follow", context: .journal),
        Binding([.escape, .char("q"), .char("L")], "Esc/q", .close, "close", context: .journal),
        Binding([.ctrl("c")], "C-c", .quit, "quit", context: .journal),
    ]

    /// Reviews scroll with the arrows and pages (letters may be the typed confirmation); C-c quits.
    private static func scrolling(_ context: KeyContext) -> [Binding] {
        [Binding([.up], "↑", .up, "scroll up", context: context),
         Binding([.down], "↓", .down, "scroll down", context: context),
         Binding([.pageUp], "PgUp", .pageUp, "page up", context: context),
         Binding([.pageDown], "PgDn", .pageDown, "page down", context: context),
         Binding([.ctrl("c")], "C-c", .quit, "quit (asks first while an operation runs)", context: context)]
    }

    /// The table in force: read-only mode filters out every mutating binding (it does not disable them);
    /// demo keys exist only in the demo.
    static func table(readOnly: Bool, demo: Bool = false) -> [Binding] {
        all.filter { !(readOnly && $0.mutating) && (demo || !$0.demoOnly) }
    }

    static func action(for key: Key, context: KeyContext = .panes, focus: PaneID, in table: [Binding]) -> Action? {
        table.first { $0.context == context && $0.keys.contains(key) && ($0.pane == nil || $0.pane == focus) }?.action
    }

    static func footer(focus: PaneID, in table: [Binding]) -> [(String, String, Int)] {
        table.filter { $0.context == .panes && $0.footer && ($0.pane == nil || $0.pane == focus) }
            .map { (shortLabel($0), $0.footerText, $0.footerPriority) }
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
