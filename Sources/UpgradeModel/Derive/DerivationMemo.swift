/// What one cluster derivation keeps for the next (the store owns one; `ClusterDerivation.derive` takes
/// it): each node's status as last derived and the plans it was derived against. A watch event that
/// changes one node re-derives that node; a change to a Plan, a Job or a pod re-derives every node's
/// plan states but not what comes from the node alone. The result is the same with or without it
/// (UnitTests/DerivationMemoTests replays random changes against a fresh derivation).
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
    /// The cache's `relists` when last refreshed: after a relist, every node is derived again, whatever
    /// its resourceVersion (an etcd snapshot restore hands back old resourceVersions with other content).
    var relists: UInt64?
    /// The entries sorted by name, and where each key is: a changed node is updated in place.
    private var ordered: [NodeEntry] = []
    private var position: [String: Int] = [:]

    public init() {}

    /// Brings the entries up to date with `nodes` and returns them sorted by name. `derive` gives a
    /// node's status and plan states from its base; it runs for new and changed nodes, and for all of
    /// them when the plans changed.
    func refresh(_ nodes: [String: KNode], plansChanged: Bool, trustVersions: Bool = true,
                 derive: (KNode, NodeStatus) -> (NodeStatus, [NodePlanState?])) -> [NodeEntry] {
        var added: [NodeEntry] = []
        if ordered.isEmpty { added.reserveCapacity(nodes.count) }
        for index in nodes.indices {
            let key = nodes[index].key
            if let at = position[key] {
                let node = nodes[index].value
                let same = trustVersions && Self.unchanged(ordered[at], node)
                if same && !plansChanged { continue }
                let base: NodeStatus
                if same {
                    base = ordered[at].base
                } else {
                    base = ClusterDerivation.nodeBase(node)
                    ordered[at].uid = node.metadata.uid
                    ordered[at].resourceVersion = node.metadata.resourceVersion
                    ordered[at].machine = OwnershipDerivation.machine(node)
                }
                (ordered[at].status, ordered[at].states) = derive(node, base)
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
        }
        return ordered
    }

    static func unchanged(_ entry: NodeEntry, _ node: KNode) -> Bool {
        guard let before = entry.resourceVersion, let after = node.metadata.resourceVersion else { return false }
        return before == after && entry.uid == node.metadata.uid
    }
}
