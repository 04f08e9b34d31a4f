/// Which cluster node this host is, and what the upgrade means for it.
public enum ThisNode {
    /// The Node object for this host: RKE2's `node-name` (config or flag), else the hostname, matched
    /// against node names and `kubernetes.io/hostname` labels.
    public static func node(_ local: LocalNode, in cluster: ClusterStatus) -> NodeStatus? {
        let names = [local.config.string("node-name"), local.hostname, local.hostname.split(separator: ".").first.map(String.init)].compactMap { $0 }
        for name in names {
            if let node = cluster.nodes.first(where: { $0.name == name || $0.hostname == name }) { return node }
        }
        return nil
    }

    /// The plan that upgrades this node (the one that selects it), else the one for its role.
    public static func plan(_ local: LocalNode, in cluster: ClusterStatus) -> PlanStatus? {
        if let node = node(local, in: cluster), let name = node.plans.first?.plan { return cluster.plan(named: name) }
        let isAgent = local.role == "agent"
        return cluster.plans.first { ($0.waitsFor != nil) == isAgent } ?? cluster.plans.first
    }

    /// The version this node should end at, per its plan.
    public static func target(_ local: LocalNode, in cluster: ClusterStatus) -> RKE2Version? {
        plan(local, in: cluster)?.target.flatMap(RKE2Version.init)
    }

    /// The other control-plane nodes, by name: each needs the same `.skip` marker.
    public static func otherControlPlaneNodes(_ local: LocalNode, in cluster: ClusterStatus) -> [String] {
        let me = node(local, in: cluster)?.name
        return cluster.controlPlaneNodes.map(\.name).filter { $0 != me }
    }
}
