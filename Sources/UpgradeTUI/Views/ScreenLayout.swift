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
        let desired = Dictionary(uniqueKeysWithValues: PaneID.allCases.map { ($0, max(4, model.table($0).rows.count + 2)) })
        var panes: [PaneID: Rect] = [:]
        if width >= 150 && height >= 30 {
            // Wide: nodes across the top, manifests and plans side by side below.
            // Nodes take what they need, up to half (more when the bottom panes need less).
            let bottomWant = max(desired[.manifests]!, desired[.plans]!)
            let nodesHeight = max(4, min(desired[.nodes]!, available - 6, max(available / 2, available - bottomWant)))
            let bottomHeight = available - nodesHeight
            let left = width * 9 / 20
            panes[.nodes] = Rect(x: 0, y: top, width: width, height: nodesHeight)
            panes[.manifests] = Rect(x: 0, y: top + nodesHeight, width: left, height: bottomHeight)
            panes[.plans] = Rect(x: left + 1, y: top + nodesHeight, width: width - left - 1, height: bottomHeight)
        } else {
            // Stacked: every pane keeps at least two rows of data; the focused pane grows first.
            var heights = Dictionary(uniqueKeysWithValues: PaneID.allCases.map { ($0, 4) })
            var remaining = available - 12
            let order = [focus] + PaneID.allCases.filter { $0 != focus }
            while remaining > 0 {
                var grew = false
                for pane in order where remaining > 0 && heights[pane]! < desired[pane]! {
                    let step = pane == focus ? min(2, remaining, desired[pane]! - heights[pane]!) : 1
                    heights[pane]! += step
                    remaining -= step
                    grew = true
                }
                if !grew {
                    heights[focus]! += remaining
                    remaining = 0
                }
            }
            var y = top
            for pane in PaneID.allCases {
                panes[pane] = Rect(x: 0, y: y, width: width, height: heights[pane]!)
                y += heights[pane]!
            }
        }
        return ScreenLayout(width: width, height: height, header: header, workflow: workflow, panes: panes, message: message, footer: footer, tooSmall: false)
    }
}
