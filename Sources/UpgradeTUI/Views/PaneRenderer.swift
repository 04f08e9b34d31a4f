import UpgradeModel

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
        let count = table.selectableCount
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
