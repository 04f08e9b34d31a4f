import Foundation
import UpgradeModel

/// The whole screen from the view state and the snapshot: a pure function to a grid of cells.
enum ScreenRenderer {
    static func render(_ state: ViewState, _ model: ScreenModel, width: Int, height: Int, now: Date = Date()) -> Grid {
        var grid = Grid(width: width, height: height)
        let theme = model.theme
        let layout = ScreenLayout.compute(width: width, height: height, focus: state.focus, model: model)
        if layout.tooSmall {
            let lines = ["terminal too small (\(width)x\(height))", "upgrade-tui needs at least \(ScreenLayout.minWidth)x\(ScreenLayout.minHeight)", "q quits"]
            for (index, line) in lines.enumerated() {
                let y = height / 2 - 1 + index
                let x = max(0, (width - DisplayWidth.of(line)) / 2)
                grid.put(line, x: x, y: y, style: .role(index == 0 ? .warn : .dim, bold: index == 0))
            }
            return grid
        }
        drawHeader(&grid, state, model, layout, now: now)
        for pane in PaneID.allCases {
            if let rect = layout.panes[pane] {
                PaneRenderer.draw(&grid, pane: pane, rect: rect, state: state, model: model)
            }
        }
        drawMessage(&grid, state, model, layout.message)
        drawFooter(&grid, state, layout.footer, theme: theme)
        if let overlay = state.overlay {
            OverlayRenderer.draw(&grid, overlay, state: state, theme: theme)
        }
        return grid
    }

    static func put(_ grid: inout Grid, _ segments: [Segment], x: Int, y: Int, maxWidth: Int, theme: Theme) -> Int {
        var column = x
        let limit = x + maxWidth
        for (index, segment) in segments.enumerated() {
            let room = limit - column
            guard room > 0 else { break }
            let isLast = index == segments.count - 1
            let width = DisplayWidth.of(segment.text)
            if width > room || (!isLast && width == room && column + width >= limit) {
                column = grid.put(DisplayWidth.truncate(segment.text, to: room, ellipsis: theme.ellipsis), x: column, y: y, style: segment.style, maxWidth: room)
                break
            }
            column = grid.put(segment.text, x: column, y: y, style: segment.style, maxWidth: room)
        }
        return column
    }

    static func drawHeader(_ grid: inout Grid, _ state: ViewState, _ model: ScreenModel, _ layout: ScreenLayout, now: Date) {
        let theme = model.theme
        let width = grid.width
        var right: [Segment] = []
        if let snapshot = model.snapshot {
            if let badge = HeaderText.insecureBadge(snapshot.cluster) { right.append(badge) }
            right.append(HeaderText.apiBadge(snapshot.cluster, now: now, theme: theme))
        }
        if state.readOnly { right.append(("  READ-ONLY", .role(.badge, bold: true))) }
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.text) }
        var left: [Segment] = [("upgrade-tui", .role(.title, bold: true)), ("  ", .normal)]
        if let snapshot = model.snapshot { left += HeaderText.clusterSummary(snapshot, theme: theme) }
        _ = put(&grid, left, x: 0, y: 0, maxWidth: max(0, width - rightWidth - 1), theme: theme)
        _ = put(&grid, right, x: max(0, width - rightWidth), y: 0, maxWidth: rightWidth, theme: theme)
        guard let snapshot = model.snapshot else {
            grid.put("reading this node" + theme.ellipsis, x: 0, y: 1, style: .role(.dim))
            return
        }
        _ = put(&grid, HeaderText.thisNode(snapshot), x: 0, y: 1, maxWidth: width, theme: theme)
        _ = put(&grid, HeaderText.workflow(snapshot, theme: theme), x: 0, y: layout.workflow.y, maxWidth: width, theme: theme)
    }

    static func drawMessage(_ grid: inout Grid, _ state: ViewState, _ model: ScreenModel, _ rect: Rect) {
        if case .filterInput = state.overlay {
            let text = "/" + state[state.focus].filter
            let end = grid.put(text, x: 0, y: rect.y, style: .role(.accent, bold: true), maxWidth: rect.width - 1)
            grid.put(" ", x: end, y: rect.y, style: .role(.selected))
            grid.put("  Enter keeps, Esc cancels", x: end + 1, y: rect.y, style: .role(.dim))
            return
        }
        if let busy = state.busy {
            grid.put(busy + model.theme.ellipsis, x: 0, y: rect.y, style: .role(.accent, bold: true), maxWidth: rect.width)
            return
        }
        if let message = state.message {
            let role: Role
            switch message.severity {
            case .info: role = .normal
            case .ok: role = .ok
            case .warn: role = .warn
            case .error: role = .error
            }
            // Too long for the line: cut, and say where the whole of it is.
            let text = DisplayWidth.of(message.text) <= rect.width ? message.text
                : DisplayWidth.truncate(message.text, to: max(1, rect.width - 9), ellipsis: model.theme.ellipsis) + " (m: all)"
            grid.put(text, x: 0, y: rect.y, style: .role(role, bold: message.severity == .error))
            return
        }
        if let error = model.snapshot?.localError {
            grid.put(DisplayWidth.truncate("! " + error, to: rect.width, ellipsis: model.theme.ellipsis), x: 0, y: rect.y, style: .role(.error))
            return
        }
        if let problem = model.snapshot?.local.problems.first {
            grid.put(DisplayWidth.truncate("! " + problem, to: rect.width, ellipsis: model.theme.ellipsis), x: 0, y: rect.y, style: .role(.warn))
        }
    }

    /// Key hints from the binding table; when they do not fit, hints are dropped from the end, but
    /// help and quit always stay.
    static func drawFooter(_ grid: inout Grid, _ state: ViewState, _ rect: Rect, theme: Theme) {
        var items = Keymap.footer(focus: state.focus, in: state.bindings).map { item in
            (label: theme.unicode ? item.0 : asciiKey(item.0), text: item.1, priority: item.2)
        }
        let essential: Set<String> = ["help", "quit"]
        let reason = state.readOnlyReason.map { "read-only: \($0)" }
        let room = rect.width - (reason.map { DisplayWidth.of($0) + 2 } ?? 0)
        func width() -> Int { items.reduce(0) { $0 + DisplayWidth.of($1.label) + 1 + DisplayWidth.of($1.text) + 2 } - 2 }
        while width() > room,
              let drop = items.indices.filter({ !essential.contains(items[$0].text) }).min(by: { items[$0].priority < items[$1].priority }) {
            items.remove(at: drop)
        }
        var x = 0
        for item in items {
            x = grid.put(item.label, x: x, y: rect.y, style: .role(.key, bold: true))
            x = grid.put(" " + item.text + "  ", x: x, y: rect.y, style: .role(.dim))
        }
        if let reason, rect.width - x >= DisplayWidth.of(reason) {
            grid.put(reason, x: rect.width - DisplayWidth.of(reason), y: rect.y, style: .role(.warn))
        }
    }

    static func asciiKey(_ label: String) -> String {
        label.replacingOccurrences(of: "↑↓", with: "j/k").replacingOccurrences(of: "⏎", with: "Enter")
            .replacingOccurrences(of: "↑", with: "Up").replacingOccurrences(of: "↓", with: "Down")
            .replacingOccurrences(of: "←", with: "Left").replacingOccurrences(of: "→", with: "Right")
    }
}

/// One pane: a title rule with counts and progress, column headers, rows, selection.
enum PaneRenderer {
    static func draw(_ grid: inout Grid, pane: PaneID, rect: Rect, state: ViewState, model: ScreenModel) {
        let theme = model.theme
        let table = model.table(pane)
        let pstate = state[pane]
        let focused = state.focus == pane
        // Title rule.
        grid.fill(x: rect.x, y: rect.y, width: rect.width, style: .role(focused ? .accent : .border), text: theme.horizontal)
        var title: [Segment] = [(" \(pane.title) ", .role(focused ? .accent : .title, bold: true))]
        let count = table.rows.filter(\.selectable).count
        title.append(("(\(count)) ", .role(.dim)))
        // Before anything that may be cut at 80 columns: what is shown is not current.
        if pane != .manifests, model.snapshot?.cluster.isStale == true {
            title.append((" last known, API not answering ", .role(.warn, bold: true)))
        }
        if pane == .nodes, let snapshot = model.snapshot {
            for plan in snapshot.cluster.plans {
                let (done, total) = NodeRows.progress(plan)
                title.append((" \(plan.name) \(done)/\(total) upgraded ", .role(.normal)))
                title.append((theme.bar(done: done, total: total, width: 8) + " ", .role(done == total && total > 0 ? .ok : .accent)))
            }
            if state.sort != .name { title.append((" sort: \(state.sort.rawValue) ", .role(.dim))) }
        }
        if !pstate.filter.isEmpty { title.append((" /\(pstate.filter) ", .role(.warn, bold: true))) }
        let visible = max(0, rect.height - 2)
        if table.rows.count > visible, visible > 0 {
            let last = min(table.rows.count, pstate.scroll + visible)
            title.append((" \(pstate.scroll + 1)-\(last) of \(table.rows.count) ", .role(.dim)))
        }
        _ = ScreenRenderer.put(&grid, title, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, theme: theme)

        let layout = table.layout(width: rect.width - 2)
        // Column headers.
        var x = rect.x + 1
        for (index, width) in layout {
            let column = table.columns[index]
            grid.put(DisplayWidth.pad(column.title, to: width, ellipsis: theme.ellipsis),
                     x: x, y: rect.y + 1, style: .role(.header, bold: true), maxWidth: width)
            x += width + 1
        }
        guard visible > 0 else { return }
        if table.rows.isEmpty {
            grid.put(DisplayWidth.truncate(table.emptyText, to: rect.width - 4, ellipsis: theme.ellipsis), x: rect.x + 2, y: rect.y + 2, style: .role(.dim))
            return
        }
        for line in 0..<visible {
            let rowIndex = pstate.scroll + line
            guard rowIndex < table.rows.count else { break }
            let row = table.rows[rowIndex]
            let y = rect.y + 2 + line
            var x = rect.x + 1
            for (index, width) in layout {
                var text = index < row.cells.count ? row.cells[index] : ""
                var cellWidth = width
                if index == layout.first?.index {
                    if row.indent > 0 {
                        x += row.indent
                        cellWidth -= row.indent
                    }
                    // h/l scroll the selected row's long name; the other rows stay put.
                    if pstate.nameOffset > 0 && rowIndex == pstate.selected { text = String(text.dropFirst(pstate.nameOffset)) }
                }
                let role = index < row.roles.count ? row.roles[index] : .normal
                grid.put(DisplayWidth.pad(text, to: max(0, cellWidth), ellipsis: theme.ellipsis),
                         x: x, y: y, style: .role(role), maxWidth: max(0, cellWidth))
                x += cellWidth + 1
            }
            if rowIndex == pstate.selected && row.selectable {
                grid.restyle(x: rect.x, y: y, width: rect.width) { style in
                    var style = style
                    style.role = focused ? .selected : .selectedDim
                    return style
                }
                if focused { grid.put(theme.selectionMark, x: rect.x, y: y, style: .role(.selected, bold: true), maxWidth: 1) }
            }
        }
    }
}

/// Help, details and confirmation boxes, drawn over the panes.
enum OverlayRenderer {
    static func draw(_ grid: inout Grid, _ overlay: Overlay, state: ViewState, theme: Theme) {
        switch overlay {
        case .filterInput: return
        case let .help(scroll):
            var lines = ["Keys" + (state.readOnly ? " (read-only: no key changes anything)" : ""), ""]
            for binding in state.bindings {
                let scope = binding.pane.map { " (\($0.title))" } ?? ""
                lines.append(DisplayWidth.pad(theme.unicode ? binding.label : ScreenRenderer.asciiKey(binding.label), to: 10) + "  " + binding.help + scope)
            }
            lines += ["", "In dialogs",
                      DisplayWidth.pad("y / n / Esc", to: 10) + "  answer a confirmation or a swap review",
                      DisplayWidth.pad("↑↓ PgUp PgDn", to: 10) + "  scroll a review, pick a suggestion",
                      DisplayWidth.pad("Tab", to: 10) + "  complete a path, take the first suggestion",
                      DisplayWidth.pad("C-u", to: 10) + "  clear the input",
                      DisplayWidth.pad("Enter", to: 10) + "  check the input; in a plan review, confirm the typed target",
                      "",
                      "Manifest states: applied, out-of-sync, pending, skipped, disabled, ignored, active",
                      "SYNC column: = the Addon was applied from this file's bytes; " + (theme.unicode ? "≠" : "!=") + " from other bytes",
                      "  (another server's file, or a re-apply pending); - no Addon yet; addon: an Addon but no file here",
                      "Node plan states: done, applying, failed, pending, opted-out"]
            box(&grid, title: "Help", lines: lines, scroll: scroll, footer: scrollFooter(theme), theme: theme)
        case let .details(title, lines, scroll):
            box(&grid, title: title, lines: lines, scroll: scroll, footer: scrollFooter(theme), theme: theme)
        case let .confirm(confirmation):
            box(&grid, title: confirmation.title, lines: confirmation.lines, scroll: 0,
                footer: "y confirms, n or Esc cancels", theme: theme, pinned: ["", "[y] yes    [n] no"])
        case let .input(dialog):
            var lines: [String] = []
            if !dialog.suggestions.isEmpty {
                lines.append("suggestions (↑↓):")
                lines += dialog.suggestions.map { ($0 == dialog.text ? theme.selectionMark + " " : "  ") + $0 }
                lines.append("")
            }
            if let note = dialog.note { lines.append(note) }
            if let error = dialog.error { lines += ["", "\(theme.stepFailed) \(error)"] }
            box(&grid, title: dialog.title, lines: lines, scroll: 0, footer: "Enter checks, Esc cancels", theme: theme,
                pinned: ["", dialog.prompt + dialog.text + (theme.unicode ? "█" : "_")])
        case let .review(review):
            let prompt: String
            if review.blocked {
                prompt = "\(theme.stepFailed) failed checks block this; Esc closes"
            } else if let expected = review.typeToConfirm {
                prompt = "type \(expected) and Enter to apply: \(review.typed)\(theme.unicode ? "█" : "_")"
            } else {
                prompt = "[y] yes    [n] no"
            }
            box(&grid, title: review.title, lines: review.lines, scroll: review.scroll, footer: "↑↓ PgUp PgDn scroll, Esc cancels",
                theme: theme, pinned: ["", prompt])
        }
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

    /// A centred box: `lines` scroll, `pinned` lines stay at the bottom (prompts).
    static func box(_ grid: inout Grid, title: String, lines unwrapped: [String], scroll: Int, footer: String, theme: Theme,
                    pinned unwrappedPinned: [String] = []) {
        let maxContent = grid.width - 6
        let lines = unwrapped.flatMap { wrap($0, width: maxContent) }
        let pinned = unwrappedPinned.flatMap { wrap($0, width: maxContent) }
        let contentWidth = min(maxContent, max(DisplayWidth.of(title) + 4, (lines + pinned).map(DisplayWidth.of).max() ?? 0, DisplayWidth.of(footer) + 4))
        let width = contentWidth + 4
        let height = min(grid.height - 2, lines.count + pinned.count + 4)
        let x = max(0, (grid.width - width) / 2)
        let y = max(0, (grid.height - height) / 2)
        let visible = max(0, height - 4 - pinned.count)
        let first = min(scroll, max(0, lines.count - visible))
        for row in 0..<height {
            grid.fill(x: x, y: y + row, width: width, style: .normal)
        }
        grid.put(theme.topLeft + String(repeating: theme.horizontal, count: width - 2) + theme.topRight, x: x, y: y, style: .role(.accent))
        grid.put(" \(title) ", x: x + 2, y: y, style: .role(.title, bold: true), maxWidth: width - 4)
        for row in 1..<(height - 1) {
            grid.put(theme.vertical, x: x, y: y + row, style: .role(.accent))
            grid.put(theme.vertical, x: x + width - 1, y: y + row, style: .role(.accent))
        }
        grid.put(theme.bottomLeft + String(repeating: theme.horizontal, count: width - 2) + theme.bottomRight, x: x, y: y + height - 1, style: .role(.accent))
        let more = lines.count > visible ? " \(first + 1)-\(min(lines.count, first + visible))/\(lines.count)" : ""
        grid.put(" \(footer)\(more) ", x: x + 2, y: y + height - 1, style: .role(.dim), maxWidth: width - 4)
        for index in 0..<visible {
            let lineIndex = first + index
            guard lineIndex < lines.count else { break }
            grid.put(DisplayWidth.truncate(lines[lineIndex], to: contentWidth, ellipsis: theme.ellipsis), x: x + 2, y: y + 2 + index,
                     style: .normal, maxWidth: contentWidth)
        }
        for (index, line) in pinned.enumerated() {
            grid.put(DisplayWidth.truncate(line, to: contentWidth, ellipsis: theme.ellipsis), x: x + 2, y: y + 2 + visible + index,
                     style: .role(.accent, bold: true), maxWidth: contentWidth)
        }
    }
}
