import UpgradeModel

/// Nodes pane: name, roles, version, readiness, schedulability, one column per Plan.
enum NodeRows {
    /// `cp,etcd` for a server: `master` (set before v1.34.1) is the legacy name of control-plane, so it
    /// is left out when control-plane is there; the details view lists every label.
    static func roleText(_ roles: [String]) -> String {
        guard !roles.isEmpty else { return "agent" }
        let shown = roles.contains("control-plane") ? roles.filter { $0 != "master" } : roles
        return shown.map { $0 == "control-plane" ? "cp" : $0 }.joined(separator: ",")
    }

    static func stateRole(_ state: NodePlanState?) -> Role {
        switch state {
        case .done: return .ok
        case .applying: return .accent
        case .failed: return .error
        case .pending: return .normal
        case .notScheduled: return .warn
        case .optedOut, .none: return .dim
        }
    }

    /// Failed first, then applying, pending, done, opted-out: what needs attention comes first.
    static func attentionRank(_ node: NodeStatus) -> Int {
        let states = node.plans.map(\.state)
        if states.contains(.failed) || node.ready == false { return 0 }
        if states.contains(.applying) { return 1 }
        if !node.schedulable { return 2 }
        if states.contains(.pending) { return 3 }
        if states.contains(.done) { return 4 }
        return 5
    }

    /// The rows of the last snapshot, by node (sorted by name as the derivation gives them), in the
    /// chunks of its `ChunkedArray` of nodes: a snapshot in which one node changed shares every other
    /// chunk of nodes with the last one, and gets the same chunks of rows (and their summaries) back
    /// without a look at their nodes; the changed chunk rebuilds the changed node's row.
    struct Cache {
        let nodes: ChunkedArray<NodeStatus>
        let rows: ChunkedArray<TableRow>
        let summaries: [RowSummary]
        let plans: [String]
        let targets: Set<RKE2Version>
        /// Whether `nodes` are in name order: then the table's order is theirs.
        let nameOrdered: Bool
        /// Per chunk, and all of them: what the header counts.
        let tallies: [Tally]
        let tally: Tally

        init(nodes: ChunkedArray<NodeStatus>, rows: ChunkedArray<TableRow>, summaries: [RowSummary], plans: [String],
             targets: Set<RKE2Version>, nameOrdered: Bool, tallies: [Tally]) {
            (self.nodes, self.rows, self.summaries, self.plans, self.targets) = (nodes, rows, summaries, plans, targets)
            self.nameOrdered = nameOrdered
            self.tallies = tallies
            tally = tallies.reduce(into: Tally()) { $0.add($1) }
        }
    }

    /// What the header says of the nodes: how many are not ready, how many run each kubelet version.
    struct Tally: Equatable {
        var notReady = 0
        var versions: [String: Int] = [:]

        init() {}

        init<Nodes: Sequence<NodeStatus>>(_ nodes: Nodes) {
            for node in nodes {
                if node.ready == false { notReady += 1 }
                if let version = node.kubeletVersion { versions[version, default: 0] += 1 }
            }
        }

        mutating func add(_ other: Tally) {
            notReady += other.notReady
            versions.merge(other.versions, uniquingKeysWith: +)
        }
    }

    static func content(_ cluster: ClusterStatus, sort: NodeSort) -> TableContent {
        content(cluster, sort: sort, previous: nil).0
    }

    static func content(_ cluster: ClusterStatus, sort: NodeSort, previous: Cache?) -> (TableContent, Cache) {
        let plans = cluster.plans.map(\.name)
        var columns = [
            Column(title: "NAME", minWidth: 8, maxWidth: 40, flexible: true, comfortWidth: 16, priority: 10),
            Column(title: "ROLES", minWidth: 5, maxWidth: 16, priority: 3),
            Column(title: "VERSION", minWidth: 14, maxWidth: 20, priority: 9),
            Column(title: "READY", minWidth: 5, maxWidth: 8, priority: 8),
            Column(title: "SCHED", minWidth: 5, maxWidth: 8, priority: 4),
        ]
        columns += plans.map { Column(title: $0.uppercased(), minWidth: 7, maxWidth: 14, priority: 7) }
        let targets = Set(cluster.plans.compactMap { $0.target.flatMap(RKE2Version.init) })
        let nodes = cluster.nodes
        let cache: Cache
        if let previous, previous.plans == plans, previous.targets == targets, previous.nodes.count == nodes.count {
            cache = rebuildChanged(nodes, previous: previous)
        } else {
            let rows: ChunkedArray<TableRow>, summaries: [RowSummary]
            if let previous, previous.plans == plans, previous.targets == targets {
                // A node joined or left: a merge of two name-sorted lists, a row reused only for the same
                // name and an equal status.
                var old = 0
                (rows, summaries) = TableContent.chunked(nodes.lazy.map { node -> TableRow in
                    while old < previous.nodes.count, previous.nodes[old].name < node.name { old += 1 }
                    guard old < previous.nodes.count, previous.nodes[old] == node else { return row(node, plans: plans, targets: targets) }
                    old += 1
                    return previous.rows[old - 1]
                })
            } else {
                (rows, summaries) = TableContent.chunked(nodes.lazy.map { row($0, plans: plans, targets: targets) })
            }
            cache = Cache(nodes: nodes, rows: rows, summaries: summaries, plans: plans, targets: targets,
                          nameOrdered: zip(nodes, nodes.dropFirst()).allSatisfy { $0.name <= $1.name }, tallies: nodes.chunks.map { Tally($0) })
        }
        let empty = cluster.api == .ok ? "no nodes" : clusterUnavailableText(cluster)
        // The derivation gives the nodes sorted by name: then the table is the cache's rows, shared.
        if sort == .name, cache.nameOrdered {
            return (TableContent(columns: columns, rows: cache.rows, summaries: cache.summaries, emptyText: empty), cache)
        }
        var order = Array(nodes.indices)
        switch sort {
        case .name: order.sort { nodes[$0].name < nodes[$1].name }
        case .version:
            let none = RKE2Version(major: 0, minor: 0, patch: 0, revision: nil)
            order.sort { (nodes[$0].version ?? none, nodes[$0].name) < (nodes[$1].version ?? none, nodes[$1].name) }
        case .state: order.sort { (attentionRank(nodes[$0]), nodes[$0].name) < (attentionRank(nodes[$1]), nodes[$1].name) }
        }
        return (TableContent(columns: columns, rows: order.lazy.map { cache.rows[$0] }, emptyText: empty), cache)
    }

    /// The same number of nodes as last time: chunk by chunk, a chunk of nodes that is the last one's
    /// gives its chunk of rows back; in another, a node equal to the one at its place keeps its row.
    private static func rebuildChanged(_ nodes: ChunkedArray<NodeStatus>, previous: Cache) -> Cache {
        var chunks: [[TableRow]] = []
        var summaries: [RowSummary] = []
        var tallies: [Tally] = []
        chunks.reserveCapacity(nodes.chunks.count)
        summaries.reserveCapacity(nodes.chunks.count)
        tallies.reserveCapacity(nodes.chunks.count)
        var nameOrdered = previous.nameOrdered
        for chunk in nodes.chunks.indices {
            if nodes.sameChunk(chunk, as: previous.nodes) {
                chunks.append(previous.rows.chunks[chunk])
                summaries.append(previous.summaries[chunk])
                tallies.append(previous.tallies[chunk])
                continue
            }
            let (new, old, oldRows) = (nodes.chunks[chunk], previous.nodes.chunks[chunk], previous.rows.chunks[chunk])
            var rows: [TableRow] = []
            rows.reserveCapacity(new.count)
            for index in new.indices {
                rows.append(old[index] == new[index] ? oldRows[index] : row(new[index], plans: previous.plans, targets: previous.targets))
            }
            chunks.append(rows)
            summaries.append(RowSummary(rows))
            tallies.append(Tally(new))
            // Still in name order: within the chunk and against its neighbours (the other chunks are the
            // last snapshot's, whose order was checked).
            if nameOrdered {
                let before = chunk > 0 ? nodes.chunks[chunk - 1].last?.name : nil
                let after = chunk + 1 < nodes.chunks.count ? nodes.chunks[chunk + 1].first?.name : nil
                nameOrdered = zip(new, new.dropFirst()).allSatisfy { $0.name <= $1.name }
                    && (before.map { $0 <= new[0].name } ?? true) && (after.map { new[new.count - 1].name <= $0 } ?? true)
            }
        }
        return Cache(nodes: nodes, rows: ChunkedArray(chunks: chunks), summaries: summaries, plans: previous.plans,
                     targets: previous.targets, nameOrdered: nameOrdered, tallies: tallies)
    }

    static func row(_ node: NodeStatus, plans: [String], targets: Set<RKE2Version>) -> TableRow {
        let ready = node.ready.map { $0 ? "Ready" : "NotReady" } ?? "?"
        // Sized once: a table keeps a row per node.
        var cells: [String] = []
        cells.reserveCapacity(5 + plans.count)
        cells += [node.name, roleText(node.roles), node.kubeletVersion ?? "?", ready, node.schedulable ? "yes" : "cordoned"]
        var roles: [Role] = []
        roles.reserveCapacity(5 + plans.count)
        roles += [.normal, .dim, node.version.map { targets.contains($0) } == true ? .ok : .normal,
                  node.ready == true ? .ok : .error, node.schedulable ? .dim : .warn]
        for plan in plans {
            let state = node.state(for: plan)
            cells.append(state?.rawValue ?? "-")
            roles.append(stateRole(state))
        }
        return TableRow(id: node.name, cells: cells, roles: roles)
    }

    static func clusterUnavailableText(_ cluster: ClusterStatus) -> String {
        switch cluster.api {
        case .notConfigured: return "no cluster: " + (cluster.error ?? "no kubeconfig found")
        case .unauthorized: return "the API refused the credentials: " + (cluster.error ?? "")
        case .unreachable: return cluster.connecting ? "connecting to the API server" : "API unreachable: " + (cluster.error ?? "")
        case .ok: return ""
        }
    }

    /// "server-plan 1/3" progress for the pane title.
    static func progress(_ plan: PlanStatus) -> (done: Int, total: Int) {
        (plan.counts.done, plan.counts.total - plan.counts.optedOut)
    }

    static func details(_ node: NodeStatus) -> [String] {
        var lines = ["Node \(node.name)", ""]
        lines.append("roles           \(node.roles.isEmpty ? "agent (no node-role labels)" : node.roles.joined(separator: ", "))")
        lines.append("kubelet         \(node.kubeletVersion ?? "?")")
        lines.append("ready           \(node.ready.map { $0 ? "yes" : "no" } ?? "unknown")\(node.readyMessage.map { " (\($0))" } ?? "")")
        lines.append("schedulable     \(node.schedulable ? "yes" : "no (cordoned)")")
        lines.append("hostname label  \(node.hostname ?? "(none: SUC will not select this node)")")
        if let ip = node.internalIP { lines.append("internal IP     \(ip)") }
        for (plan, state) in node.plans { lines.append("plan            \(plan): \(state.rawValue)") }
        if let detail = node.upgradeDetail { lines.append("upgrade Job     \(detail)") }
        lines.append("")
        lines.append("Labels")
        lines += node.labels.map { "  \($0.0)=\($0.1)" }
        lines.append("")
        lines.append("Annotations")
        lines += node.annotations.map { "  \($0.0): \($0.1)" }
        lines.append("")
        lines.append("Conditions")
        lines += node.conditions.map { "  \($0.type)=\($0.status)\($0.reason.map { " \($0)" } ?? "")\($0.message.map { ": \($0)" } ?? "")" }
        return lines
    }
}
