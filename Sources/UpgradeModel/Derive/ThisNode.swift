/// Which cluster node this host is, and what the upgrade means for it.
public enum ThisNode {
    /// The Node object for this host: RKE2's `node-name` (config or flag), else the hostname, matched
    /// against node names and `kubernetes.io/hostname` labels. RKE2 lowercases both before registering
    /// (k3s `pkg/agent/config/config.go` via `util.GetHostnameAndIPs`; docs/rke2-rules.md#rke2-node-names-and-roles).
    public static func node(_ local: LocalNode, in cluster: ClusterStatus) -> NodeStatus? {
        // One pass (the header asks at every frame, of thousands of nodes): the node matching the
        // earliest of the names wins, the first such node on a tie.
        let names = nodeNames(local)
        var best: (rank: Int, index: Int)?
        for index in cluster.nodes.indices {
            let name = cluster.nodes[index].name, hostname = cluster.nodes[index].hostname
            guard let rank = names.firstIndex(where: { $0 == name || $0 == hostname }) else { continue }
            if best == nil || rank < best!.rank { best = (rank, index) }
            if rank == 0 { break }
        }
        return best.map { cluster.nodes[$0.index] }
    }

    /// The names RKE2 would register this host as, in order: `node-name`, the hostname, its first label;
    /// lowercased as RKE2 does.
    public static func nodeNames(_ local: LocalNode) -> [String] {
        var names: [String] = []
        for name in [local.config.string("node-name"), local.hostname, local.hostname.split(separator: ".").first.map(String.init)]
        where name.map({ !$0.isEmpty }) == true {
            let lowered = name!.lowercased()
            if !names.contains(lowered) { names.append(lowered) }
        }
        return names
    }

    /// The plan that upgrades this node (`node`, as `node(_:in:)` found it): the one that selects it, else
    /// the one for its role.
    public static func plan(_ local: LocalNode, node: NodeStatus?, in cluster: ClusterStatus) -> PlanStatus? {
        if let node, let name = node.plans.first?.plan { return cluster.plan(named: name) }
        let isAgent = local.role == .agent
        return cluster.plans.first { ($0.waitsFor != nil) == isAgent } ?? cluster.plans.first
    }

    /// The other control-plane nodes, by name: each needs the same `.skip` marker.
    public static func otherControlPlaneNodes(_ local: LocalNode, in cluster: ClusterStatus) -> [String] {
        let me = node(local, in: cluster)?.name
        return cluster.controlPlaneNodes.map(\.name).filter { $0 != me }
    }
}
