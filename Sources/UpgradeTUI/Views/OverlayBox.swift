import UpgradeModel

/// The open overlay laid out for a screen size: its text wrapped to the box, the lines pinned under it
/// (prompts), and how many lines fit. Computed with the layout, so the reducer clamps scrolling to what
/// exists and the renderer only draws.
struct OverlayBox: Equatable {
    var title: String
    /// Scrolling content, already wrapped.
    var lines: [String]
    /// Lines that stay at the bottom (a prompt), already wrapped.
    var pinned: [String]
    var footer: String
    var rect: Rect
    var contentWidth: Int
    /// Content lines that fit in the box.
    var visible: Int

    var maxScroll: Int { max(0, lines.count - visible) }

    /// nil for the filter, which is typed on the message line.
    static func make(_ overlay: Overlay, state: ViewState, theme: Theme, width: Int, height: Int) -> OverlayBox? {
        let content: (title: String, lines: [String], footer: String, pinned: [String])
        switch overlay {
        case .filterInput: return nil
        case .help:
            content = ("Help", helpLines(state, theme: theme), scrollFooter(theme), [])
        case let .details(title, lines, _):
            content = (title, lines, scrollFooter(theme), [])
        case let .confirm(confirmation):
            content = (confirmation.title, confirmation.lines, "y confirms, n or Esc cancels", ["", "[y] yes    [n] no"])
        case let .input(dialog):
            var lines: [String] = []
            if !dialog.suggestions.isEmpty {
                lines.append("suggestions (↑↓):")
                lines += dialog.suggestions.map { ($0 == dialog.text ? theme.selectionMark + " " : "  ") + $0 }
                lines.append("")
            }
            if let note = dialog.note { lines.append(note) }
            if let error = dialog.error { lines += ["", "\(theme.stepFailed) \(error)"] }
            content = (dialog.title, lines, "Enter checks, Esc cancels", ["", dialog.prompt + dialog.text + (theme.unicode ? "█" : "_")])
        case let .journal(view):
            let title = "journalctl -u \(view.unit)" + (view.errorsOnly ? " -p err" : "")
            let lines = view.problem.map { [$0] } ?? (view.lines.isEmpty ? [view.lastRead == nil ? "reading" + theme.ellipsis : "no lines"] : view.lines)
            let footer = (view.follow ? "following; " : "") + "e errors only, ↑↓ scroll, End follow, Esc close"
            content = (title, lines, footer, [])
        case let .contexts(picker):
            let lines = picker.names.enumerated().map { index, name in
                (index == picker.selected ? theme.selectionMark + " " : "  ") + name + (name == picker.current ? "  (shown now)" : "")
            }
            content = ("Contexts in \(picker.kubeconfig)", lines, "↑↓ choose, Enter shows it, Esc keeps this one", [])
        case let .review(review):
            let prompt: String
            if review.blocked {
                prompt = "\(theme.stepFailed) failed checks block this; Esc closes"
            } else if let expected = review.typeToConfirm {
                prompt = "type \(expected) and Enter to apply: \(review.typed)\(theme.unicode ? "█" : "_")"
            } else {
                prompt = "[y] yes    [n] no"
            }
            content = (review.title, review.lines, "↑↓ PgUp PgDn scroll, Esc cancels", ["", prompt])
        }
        let maxContent = width - 6
        let lines = content.lines.flatMap { wrap($0, width: maxContent) }
        let pinned = content.pinned.flatMap { wrap($0, width: maxContent) }
        let contentWidth = min(maxContent, max(DisplayWidth.of(content.title) + 4, (lines + pinned).map(DisplayWidth.of).max() ?? 0,
                                               DisplayWidth.of(content.footer) + 4))
        let boxWidth = contentWidth + 4
        let boxHeight = min(height - 2, lines.count + pinned.count + 4)
        let rect = Rect(x: max(0, (width - boxWidth) / 2), y: max(0, (height - boxHeight) / 2), width: boxWidth, height: boxHeight)
        return OverlayBox(title: content.title, lines: lines, pinned: pinned, footer: content.footer, rect: rect,
                          contentWidth: contentWidth, visible: max(0, boxHeight - 4 - pinned.count))
    }

    /// Every binding in force, by where it works, then what the states on screen mean.
    static func helpLines(_ state: ViewState, theme: Theme) -> [String] {
        let bindings = state.bindings
        func line(_ binding: Binding) -> String {
            let scope = binding.pane.map { " (\($0.title))" } ?? ""
            return DisplayWidth.pad(theme.unicode ? binding.label : ScreenRenderer.asciiKey(binding.label), to: 10) + "  " + binding.help + scope
        }
        var lines = ["Keys" + (state.readOnly ? " (read-only: no key changes anything)" : ""), ""]
        lines += bindings.filter { $0.context == .panes }.map(line)
        // Read-only: no dialog that could change anything ever opens.
        let contexts: [KeyContext] = state.readOnly ? [.filter, .pager] : KeyContext.allCases.filter { $0 != .panes }
        for context in contexts {
            lines += ["", context.title] + bindings.filter { $0.context == context }.map(line)
        }
        lines += ["",
                  "Manifest states: applied, out-of-sync, pending, skipped, disabled, ignored, active",
                  "SYNC column: = the Addon was applied from this file's bytes; " + (theme.unicode ? "≠" : "!=") + " from other bytes",
                  "  (another server's file, or a re-apply pending); - no Addon yet; addon: an Addon but no file here",
                  "Node plan states: done, applying, failed, pending, opted-out"]
        return lines
    }

    static func scrollFooter(_ theme: Theme) -> String { theme.unicode ? "Esc close  ↑↓ scroll" : "Esc close  j/k scroll" }

    /// Wraps a line to `width` columns at spaces; continuation lines are indented under the value of a
    /// "key   value" line.
    static func wrap(_ line: String, width: Int) -> [String] {
        guard width > 8, DisplayWidth.of(line) > width else { return [line] }
        // Prose continues at its own margin; a "key   value" line continues under its value.
        var indent = line.prefix { $0 == " " }.count
        if let range = line.range(of: "  "), range.lowerBound != line.startIndex, let valueStart = line[range.upperBound...].firstIndex(where: { $0 != " " }) {
            let column = DisplayWidth.of(String(line[..<valueStart]))
            if column < width / 2 { indent = column }
        }
        var result: [String] = []
        var rest = Substring(line)
        var prefix = ""
        while !rest.isEmpty {
            let room = width - DisplayWidth.of(prefix)
            if DisplayWidth.of(String(rest)) <= room {
                result.append(prefix + rest)
                break
            }
            var cut = rest.startIndex
            var used = 0
            var lastSpace: Substring.Index?
            for index in rest.indices {
                let w = DisplayWidth.of(rest[index])
                if used + w > room { break }
                used += w
                if rest[index] == " " { lastSpace = index }
                cut = rest.index(after: index)
            }
            if let lastSpace, rest.distance(from: rest.startIndex, to: lastSpace) > room / 3 { cut = lastSpace }
            result.append(prefix + rest[..<cut])
            rest = rest[cut...].drop { $0 == " " }
            prefix = String(repeating: " ", count: indent)
        }
        return result
    }
}
