/// What one cluster derivation keeps for the next (the store owns one; `ClusterDerivation.derive` takes
/// it): each node's status as last derived and the plans it was derived against. A watch event that
/// changes one node re-derives that node; a change to a Plan, a Job or a pod re-derives every node's
/// plan states but not what comes from the node alone. The result is the same with or without it
/// (UnitTests/DerivationMemoTests replays random changes against a fresh derivation).
///
/// What the nodes add up to (each plan's counts and selection, the nodes that may give a hint, the
/// control-plane nodes, the Cluster API machines) is kept too, and a changed node takes its old part out and puts
/// its new part in: a watch event costs the node it changed, not a pass over thousands. The statuses are
/// kept in a `ChunkedArray`, so that the snapshot's copy shares all chunks but the changed node's.
///
/// A node counts as unchanged when its uid and resourceVersion are (the API server gives every change a
/// new resourceVersion); an object without one (built in a test) is derived again each time. Only the
/// two strings are kept, not the node (the cache has it): thousands of entries.
/// Not thread-safe: one owner, one derivation at a time.
public final class DerivationMemo: @unchecked Sendable {
    struct NodeEntry {
        /// The node's key in the cache.
        let key: String
        /// The node's uid and resourceVersion when last derived.
        var uid: String?
        var resourceVersion: String?
        /// From the node alone (`base`: its fields), with the plan states and the upgrade detail.
        var status: NodeStatus
        var base: NodeStatus { status.withoutPlans }
        /// The node's state for each plan of `contexts`, in order; nil where the plan does not select it.
        var states: [NodePlanState?]
        /// The Cluster API signal this node gives (OwnershipDerivation), if any.
        var machine: String?
    }

    /// The plan inputs the contexts were built from. Dictionaries compare by storage first, so an
    /// unchanged input (the cache mutated another resource) compares in constant time.
    struct PlanInputs: Equatable {
        let plans: [String: KPlan]
        let jobs: [String: KJob]
        let pods: [String: KPod]
    }

    var planInputs: PlanInputs?
    var contexts: [PlanContext] = []
    /// The cache's `nodeRelists` when last refreshed: after a LIST of nodes, every node is derived again,
    /// whatever its resourceVersion (an etcd snapshot restore hands back old resourceVersions with other
    /// content).
    var nodeRelists: UInt64?
    /// The nodes changed since the last refresh: the cache's changes are added at every derivation (the
    /// cache's owner then clears them), and a refresh takes them. A new memo starts with all.
    var pending = NodeChanges.all

    /// The entries sorted by name, and where each key is: a changed node is updated in place.
    private var ordered: [NodeEntry] = []
    private var position: [String: Int] = [:]
    /// `ordered`'s statuses, in the same order.
    private(set) var nodes = ChunkedArray<NodeStatus>()

    /// What the entries add up to for one plan (of `contexts`, in order).
    struct PlanTally {
        var counts = PlanCounts()
        /// The names of the nodes the plan selects, in name order; nil when a node's selection changed
        /// since they were listed (they are listed again when asked for).
        var selected: [String]? = []
    }
    private var tallies: [PlanTally] = []
    /// The nodes that may give a hint (cordoned, not ready, with an upgrade detail, etcd only), the
    /// control-plane nodes (the agent gate looks at those), the nodes with a Cluster API machine.
    private var notable: Set<String> = []
    private var controlPlane: Set<String> = []
    private var machines: Set<String> = []
    /// `machineNames` as last listed; nil when a node's machine changed since (on a Cluster API cluster
    /// every node names one: not listed again at every node event).
    private var machineList: [String]?

    /// The manifests as last merged, and what from: a node event leaves them as they were.
    struct ManifestInputs: Equatable {
        let files: [ManifestFile]
        let addons: [String: KAddon]
        let helmCharts: [String: KHelmChart]
        let events: [String: KEvent]
        let addonsKnown: Bool
        let context: ManifestDerivation.Context
    }
    private var manifests: (inputs: ManifestInputs, merged: [ManifestStatus])?

    /// `ManifestDerivation.merge` of these inputs: the last result when they are the last ones.
    func manifests(_ inputs: ManifestInputs, merge: () -> [ManifestStatus]) -> [ManifestStatus] {
        if let manifests, manifests.inputs == inputs { return manifests.merged }
        let merged = merge()
        manifests = (inputs, merged)
        return merged
    }

    public init() {}

    /// Brings the entries up to date with `nodes`. `derive` gives a node's status and plan states from
    /// its base; it runs for new and changed nodes, and for all of them when the plans changed. When
    /// only some nodes changed (`pending`), only those are looked at.
    func refresh(_ nodes: [String: KNode], plansChanged: Bool, trustVersions: Bool = true,
                 derive: (KNode, NodeStatus) -> (NodeStatus, [NodePlanState?])) {
        let changes = pending
        pending = NodeChanges()
        // New plans: every node's states are derived again and counted afresh.
        let recount = plansChanged || tallies.count != contexts.count
        if !changes.all, !plansChanged, trustVersions, !ordered.isEmpty {
            var joinedOrLeft = false
            for key in changes.keys {
                switch (position[key], nodes[key]) {
                case let (at?, node?): if !Self.unchanged(ordered[at], node) { update(at, node, same: false, recount: recount, derive: derive) }
                case (nil, nil): break
                default: joinedOrLeft = true
                }
            }
            // A node that joined or left re-sorts the entries: the pass below (rare: nodes come and go
            // less often than they change).
            if !joinedOrLeft, ordered.count == nodes.count {
                if recount { recountAll() }
                return
            }
        }
        var added: [NodeEntry] = []
        if ordered.isEmpty { added.reserveCapacity(nodes.count) }
        for index in nodes.indices {
            let key = nodes[index].key
            if let at = position[key] {
                let same = trustVersions && Self.unchanged(ordered[at], nodes[index].value)
                if same && !plansChanged { continue }
                update(at, nodes[index].value, same: same, recount: recount, derive: derive)
            } else {
                let node = nodes[index].value
                let base = ClusterDerivation.nodeBase(node)
                let (status, states) = derive(node, base)
                added.append(NodeEntry(key: key, uid: node.metadata.uid, resourceVersion: node.metadata.resourceVersion,
                                       status: status, states: states, machine: OwnershipDerivation.machine(node)))
            }
        }
        if !added.isEmpty || ordered.count != nodes.count {
            if ordered.isEmpty {
                ordered = added
            } else {
                ordered.removeAll { nodes[$0.key] == nil }
                ordered += added
            }
            added = []
            ordered.sort { $0.status.name < $1.status.name }
            position = Dictionary(uniqueKeysWithValues: ordered.indices.map { (ordered[$0].key, $0) })
            self.nodes = ChunkedArray(ordered.lazy.map(\.status))
            recountAll()
        } else if recount {
            recountAll()
        }
    }

    /// Derives the entry at `at` again: from its base when the node is the same (`same`: the plans
    /// changed), else from the node; and moves its part of the tallies unless they are counted afresh.
    private func update(_ at: Int, _ node: KNode, same: Bool, recount: Bool,
                        derive: (KNode, NodeStatus) -> (NodeStatus, [NodePlanState?])) {
        let before = ordered[at]
        let base: NodeStatus
        if same {
            base = before.base
        } else {
            base = ClusterDerivation.nodeBase(node)
            ordered[at].uid = node.metadata.uid
            ordered[at].resourceVersion = node.metadata.resourceVersion
            ordered[at].machine = OwnershipDerivation.machine(node)
        }
        (ordered[at].status, ordered[at].states) = derive(node, base)
        // An equal status is not written: its chunk stays the one the last snapshot shares (a Job's
        // change re-derives every node's plan states; most come out the same).
        if !(ordered[at].status == before.status) { nodes[at] = ordered[at].status }
        if before.machine != ordered[at].machine { machineList = nil }
        guard !recount else { return }
        let after = ordered[at]
        for plan in tallies.indices {
            let (old, new) = (before.states[plan], after.states[plan])
            guard old != new else { continue }
            if let old { tallies[plan].counts.add(old, -1) }
            if let new { tallies[plan].counts.add(new, 1) }
            if (old == nil) != (new == nil) { tallies[plan].selected = nil }
        }
        mark(after)
    }

    /// Puts the entry in or out of the sets of notable nodes, servers and machines.
    private func mark(_ entry: NodeEntry) {
        func set(_ keys: inout Set<String>, _ member: Bool) {
            if member { keys.insert(entry.key) } else { keys.remove(entry.key) }
        }
        set(&notable, Self.isNotable(entry.status))
        set(&controlPlane, entry.status.isControlPlane)
        set(&machines, entry.machine != nil)
    }

    private func recountAll() {
        tallies = contexts.map { _ in PlanTally() }
        notable = []
        controlPlane = []
        machines = []
        machineList = nil
        for entry in ordered {
            for plan in tallies.indices {
                guard let state = entry.states[plan] else { continue }
                tallies[plan].counts.add(state, 1)
                tallies[plan].selected!.append(entry.status.name)
            }
            if Self.isNotable(entry.status) { notable.insert(entry.key) }
            if entry.status.isControlPlane { controlPlane.insert(entry.key) }
            if entry.machine != nil { machines.insert(entry.key) }
        }
    }

    /// May give a hint (`ClusterDerivation.hints`): cordoned, not ready, an upgrade Job that does not
    /// progress, an etcd-only server.
    static func isNotable(_ status: NodeStatus) -> Bool {
        !status.schedulable || status.ready == false || status.upgradeDetail != nil || status.roles == ["etcd"]
    }

    /// The counts of plan `index` of `contexts`.
    func counts(_ plan: Int) -> PlanCounts { tallies[plan].counts }

    /// The names of the nodes plan `index` selects, in name order.
    func selected(_ plan: Int) -> [String] {
        if let names = tallies[plan].selected { return names }
        let names = ordered.compactMap { $0.states[plan] == nil ? nil : $0.status.name }
        tallies[plan].selected = names
        return names
    }

    /// The statuses of the nodes that may give a hint, in name order.
    var notableNodes: [NodeStatus] { statuses(notable) }
    /// The statuses of the control-plane nodes (`control-plane` or `master` role), in name order.
    var controlPlaneNodes: [NodeStatus] { statuses(controlPlane) }
    /// The Cluster API machines the nodes name, sorted.
    func machineNames() -> [String] {
        if let machineList { return machineList }
        let names = machines.compactMap { position[$0].flatMap { ordered[$0].machine } }.sorted()
        machineList = names
        return names
    }

    private func statuses(_ keys: Set<String>) -> [NodeStatus] {
        keys.compactMap { position[$0] }.sorted().map { ordered[$0].status }
    }

    static func unchanged(_ entry: NodeEntry, _ node: KNode) -> Bool {
        guard let before = entry.resourceVersion, let after = node.metadata.resourceVersion else { return false }
        return before == after && entry.uid == node.metadata.uid
    }
}

extension PlanCounts {
    mutating func add(_ state: NodePlanState, _ delta: Int) {
        switch state {
        case .done: done += delta
        case .optedOut: optedOut += delta
        case .applying: applying += delta
        case .failed: failed += delta
        case .pending: pending += delta
        case .notScheduled: notScheduled += delta
        }
    }
}
