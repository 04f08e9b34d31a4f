import UpgradeModel

/// What the screen shows, derived from the snapshot and the view state: the tables after sorting and
/// filtering. Rebuilt after every event; never mutated.
struct ScreenModel {
    let snapshot: DashboardSnapshot?
    let theme: Theme
    let tables: [PaneID: TableContent]
    /// The tables before filtering, and what they were built from: an event that changes neither the
    /// snapshot nor the sort (a key, a tick) filters these again instead of rebuilding every row.
    let base: [PaneID: TableContent]
    let baseKey: BaseKey?
    /// The node rows by node, for the next snapshot to reuse.
    let nodeRows: NodeRows.Cache?

    struct BaseKey: Equatable {
        let sequence: UInt64
        let sort: NodeSort
        let unicode: Bool
    }

    static func make(_ snapshot: DashboardSnapshot?, _ state: ViewState, theme: Theme, previous: ScreenModel? = nil) -> ScreenModel {
        var tables: [PaneID: TableContent] = [:]
        var base: [PaneID: TableContent] = [:]
        var key: BaseKey?
        var nodeRows = previous?.nodeRows
        if let snapshot {
            key = BaseKey(sequence: snapshot.sequence, sort: state.sort, unicode: theme.unicode)
            // Only one snapshot per sequence is ever shown by one dashboard (older and equal ones are dropped).
            if let previous, previous.baseKey == key, previous.snapshot != nil {
                base = previous.base
            } else {
                (base[.nodes], nodeRows) = NodeRows.content(snapshot.cluster, sort: state.sort, previous: previous?.nodeRows)
                // A node change leaves the other panes' inputs as they were: their tables are kept.
                let last = previous?.baseKey?.unicode == theme.unicode ? previous : nil
                if let last, let before = last.snapshot, before.manifests == snapshot.manifests, let kept = last.base[.manifests] {
                    base[.manifests] = kept
                } else {
                    base[.manifests] = ManifestRows.content(snapshot.manifests, unicode: theme.unicode)
                }
                if let last, let before = last.snapshot, PlanRows.sameInputs(before.cluster, snapshot.cluster), let kept = last.base[.plans] {
                    base[.plans] = kept
                } else {
                    base[.plans] = PlanRows.content(snapshot.cluster, theme: theme)
                }
            }
            for pane in PaneID.allCases { tables[pane] = base[pane]?.filtered(state[pane].filter) }
        } else {
            for pane in PaneID.allCases {
                tables[pane] = TableContent(columns: [], rows: [], emptyText: "reading this node")
            }
        }
        return ScreenModel(snapshot: snapshot, theme: theme, tables: tables, base: base, baseKey: key, nodeRows: nodeRows)
    }

    func table(_ pane: PaneID) -> TableContent { tables[pane] ?? TableContent(columns: [], rows: [], emptyText: "") }

    func selectedRow(_ state: ViewState, _ pane: PaneID) -> TableRow? {
        let rows = table(pane).rows
        let index = state[pane].selected
        guard rows.indices.contains(index), rows[index].selectable else { return nil }
        return rows[index]
    }
}
