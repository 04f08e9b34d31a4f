/// Symbols and borders: Unicode when the locale is UTF-8, ASCII otherwise (or with `--ascii`).
struct Theme: Sendable, Equatable {
    let unicode: Bool
    let color: Bool

    static let unicodeColor = Theme(unicode: true, color: true)
    static let plain = Theme(unicode: false, color: false)

    var ellipsis: String { unicode ? "…" : "~" }
    var horizontal: String { unicode ? "─" : "-" }
    var vertical: String { unicode ? "│" : "|" }
    var topLeft: String { unicode ? "┌" : "+" }
    var topRight: String { unicode ? "┐" : "+" }
    var bottomLeft: String { unicode ? "└" : "+" }
    var bottomRight: String { unicode ? "┘" : "+" }
    var arrow: String { unicode ? "→" : "->" }
    var barFull: String { unicode ? "█" : "#" }
    var barEmpty: String { unicode ? "░" : "." }
    var stepDone: String { unicode ? "●" : "*" }
    var stepTodo: String { unicode ? "○" : "o" }
    var stepBusy: String { unicode ? "◐" : "~" }
    var stepFailed: String { unicode ? "✗" : "x" }
    var warning: String { unicode ? "⚠" : "!" }
    var selectionMark: String { unicode ? "▶" : ">" }

    /// A progress bar of `width` cells for done/total.
    func bar(done: Int, total: Int, width: Int) -> String {
        guard width > 0 else { return "" }
        let filled = total > 0 ? min(width, (done * width + total / 2) / total) : 0
        return String(repeating: barFull, count: filled) + String(repeating: barEmpty, count: width - filled)
    }
}
