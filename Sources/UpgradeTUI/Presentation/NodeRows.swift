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

    /// The rows of the last snapshot, by node (sorted by name as the derivation gives them): a snapshot
    /// in which one node changed rebuilds that node's row and reuses the others.
    struct Cache {
        let nodes: [NodeStatus]
        let rows: [TableRow]
        let plans: [String]
        let targets: Set<RKE2Version>
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
        var rows: [TableRow] = []
        rows.reserveCapacity(nodes.count)
        if let previous, previous.plans == plans, previous.targets == targets {
            // A merge of two name-sorted lists: a row is reused only for the same name and an equal status.
            // Through buffer pointers: statuses are compared in place, never copied.
            nodes.withUnsafeBufferPointer { new in
                previous.nodes.withUnsafeBufferPointer { before in
                    var old = 0
                    for index in new.indices {
                        while old < before.count, before[old].name < new[index].name { old += 1 }
                        if old < before.count, before[old].name == new[index].name, before[old] == new[index] {
                            rows.append(previous.rows[old])
                            old += 1
                        } else {
                            rows.append(row(new[index], plans: plans, targets: targets))
                        }
                    }
                }
            }
        } else {
            rows = nodes.map { row($0, plans: plans, targets: targets) }
        }
        let cache = Cache(nodes: nodes, rows: rows, plans: plans, targets: targets)
        let empty = cluster.api == .ok ? "no nodes" : clusterUnavailableText(cluster)
        // The derivation gives the nodes sorted by name: then the order is the cache's and its rows are
        // shared, with one pass over the names instead of a sort (every snapshot comes through here).
        if sort == .name, nodes.withUnsafeBufferPointer({ b in b.indices.dropFirst().allSatisfy { b[$0 - 1].name <= b[$0].name } }) {
            return (TableContent(columns: columns, rows: rows, emptyText: empty), cache)
        }
        var order = Array(nodes.indices)
        switch sort {
        case .name: order.sort { nodes[$0].name < nodes[$1].name }
        case .version:
            let none = RKE2Version(major: 0, minor: 0, patch: 0, revision: nil)
            order.sort { (nodes[$0].version ?? none, nodes[$0].name) < (nodes[$1].version ?? none, nodes[$1].name) }
        case .state: order.sort { (attentionRank(nodes[$0]), nodes[$0].name) < (attentionRank(nodes[$1]), nodes[$1].name) }
        }
        // Sorted by name, the order is the cache's: its rows are shared, not copied.
        let sorted = order.elementsEqual(nodes.indices) ? rows : order.map { rows[$0] }
        return (TableContent(columns: columns, rows: sorted, emptyText: empty), cache)
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
