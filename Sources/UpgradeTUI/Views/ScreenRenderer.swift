import Foundation
import UpgradeModel

/// The whole screen from the view state and the snapshot: a pure function to a grid of cells.
enum ScreenRenderer {
    static func render(_ state: ViewState, _ screen: Screen, now: Date = Date()) -> Grid {
        let (model, layout, width, height) = (screen.model, screen.layout, screen.width, screen.height)
        var grid = Grid(width: width, height: height)
        let theme = model.theme
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
        if let box = screen.overlay {
            OverlayRenderer.draw(&grid, box, scroll: state.overlay?.scroll ?? 0, theme: theme)
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
            // Someone else (Rancher, Cluster API, other Plans) upgrades this cluster: before anything else.
            if snapshot.cluster.ownership?.managedElsewhere == true { right.append(("UPGRADES MANAGED ELSEWHERE  ", .role(.warn, bold: true))) }
            if let context = snapshot.cluster.context { right.append(("ctx \(context)  ", .role(.dim))) }
            right.append(HeaderText.apiBadge(snapshot.cluster, now: now, theme: theme))
        }
        if state.readOnly { right.append(("  READ-ONLY", .role(.badge, bold: true))) }
        // Never mistaken for a real cluster, at any width: the badge is drawn before the left side is cut.
        if state.demo { right.append(("  DEMO", .role(.badge, bold: true))) }
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.text) }
        var left: [Segment] = [("upgrade-tui", .role(.title, bold: true)), ("  ", .normal)]
        if let snapshot = model.snapshot { left += HeaderText.clusterSummary(snapshot, theme: theme, tally: model.nodeRows?.tally) }
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

