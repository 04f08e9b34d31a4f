import UpgradeModel

/// What the screen shows, derived from the snapshot and the view state: the tables after sorting and
/// filtering. Rebuilt after every event; never mutated.
struct ScreenModel {
    let snapshot: DashboardSnapshot?
    let theme: Theme
    let tables: [PaneID: TableContent]

    static func make(_ snapshot: DashboardSnapshot?, _ state: ViewState, theme: Theme) -> ScreenModel {
        var tables: [PaneID: TableContent] = [:]
        if let snapshot {
            tables[.nodes] = NodeRows.content(snapshot.cluster, sort: state.sort).filtered(state[.nodes].filter)
            tables[.manifests] = ManifestRows.content(snapshot.manifests, unicode: theme.unicode).filtered(state[.manifests].filter)
            tables[.plans] = PlanRows.content(snapshot.cluster, theme: theme).filtered(state[.plans].filter)
        } else {
            for pane in PaneID.allCases {
                tables[pane] = TableContent(columns: [], rows: [], emptyText: "reading this node")
            }
        }
        return ScreenModel(snapshot: snapshot, theme: theme, tables: tables)
    }

    func table(_ pane: PaneID) -> TableContent { tables[pane] ?? TableContent(columns: [], rows: [], emptyText: "") }

    func selectedRow(_ state: ViewState, _ pane: PaneID) -> TableRow? {
        let rows = table(pane).rows
        let index = state[pane].selected
        guard rows.indices.contains(index), rows[index].selectable else { return nil }
        return rows[index]
    }
}
