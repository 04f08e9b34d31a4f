import UpgradeModel

/// Where everything goes for a terminal size. Pure.
struct ScreenLayout: Equatable {
    static let minWidth = 60
    static let minHeight = 15

    var width: Int
    var height: Int
    var header: Rect
    var workflow: Rect
    var panes: [PaneID: Rect]
    var message: Rect
    var footer: Rect
    var tooSmall: Bool

    /// Rows of data a pane shows (its rect minus the title rule and the column header).
    func visibleRows(_ pane: PaneID) -> Int { max(0, (panes[pane]?.height ?? 0) - 2) }

    static func compute(width: Int, height: Int, focus: PaneID, model: ScreenModel) -> ScreenLayout {
        let zero = Rect(x: 0, y: 0, width: 0, height: 0)
        guard width >= minWidth, height >= minHeight else {
            return ScreenLayout(width: width, height: height, header: zero, workflow: zero, panes: [:], message: zero, footer: zero, tooSmall: true)
        }
        let header = Rect(x: 0, y: 0, width: width, height: 2)
        let workflow = Rect(x: 0, y: 2, width: width, height: 1)
        let message = Rect(x: 0, y: height - 2, width: width, height: 1)
        let footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let top = 3
        let available = height - 5
        // A pane wants its rows, a title rule and a column header; an empty one a line for why.
        let desired = Dictionary(uniqueKeysWithValues: PaneID.allCases.map { ($0, max(3, model.table($0).rows.count + 2)) })
        let all = PaneID.allCases
        var panes: [PaneID: Rect] = [:]
        func stack(_ heights: [PaneID: Int]) {
            var y = top
            for pane in all {
                panes[pane] = Rect(x: 0, y: y, width: width, height: heights[pane]!)
                y += heights[pane]!
            }
        }
        let bottomWant = max(desired[.manifests]!, desired[.plans]!)
        if all.reduce(0, { $0 + desired[$1]! }) <= available {
            // Everything fits stacked, at full width (nothing cut): each pane is as tall as its content,
            // and the rows left over stay below them.
            stack(desired)
        } else if width >= 150 && height >= 30 && desired[.nodes]! > 4 {
            // Wide and not enough rows: nodes across the top, manifests and plans side by side below.
            // The bottom panes get what they need (up to half); the nodes take the rest.
            let bottomHeight = max(4, min(bottomWant, available / 2, available - 4))
            let nodesHeight = min(desired[.nodes]!, available - bottomHeight)
            let left = width * 9 / 20
            panes[.nodes] = Rect(x: 0, y: top, width: width, height: nodesHeight)
            panes[.manifests] = Rect(x: 0, y: top + nodesHeight, width: left, height: min(bottomHeight, desired[.manifests]!))
            panes[.plans] = Rect(x: left + 1, y: top + nodesHeight, width: width - left - 1, height: min(bottomHeight, desired[.plans]!))
        } else {
            // Stacked and not enough rows: every pane keeps two rows of data (or its content, if less);
            // the rest goes to the panes whose rows do not fit, the focused pane first and faster.
            var heights = Dictionary(uniqueKeysWithValues: all.map { ($0, min(4, desired[$0]!)) })
            var remaining = available - heights.values.reduce(0, +)
            let order = [focus] + all.filter { $0 != focus }
            var grew = true
            while remaining > 0 && grew {
                grew = false
                for pane in order where remaining > 0 && heights[pane]! < desired[pane]! {
                    let step = pane == focus ? min(2, remaining, desired[pane]! - heights[pane]!) : 1
                    heights[pane]! += step
                    remaining -= step
                    grew = true
                }
            }
            stack(heights)
        }
        return ScreenLayout(width: width, height: height, header: header, workflow: workflow, panes: panes, message: message, footer: footer, tooSmall: false)
    }
}
