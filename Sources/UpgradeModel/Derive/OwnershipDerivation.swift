import Foundation

public enum OwnershipDerivation {
    public static let rancherNamespace = "cattle-system"
    public static let rancherAgentName = "cattle-cluster-agent"
    /// Cluster API annotations a machine-backed node carries.
    public static let clusterAPIAnnotations = ["cluster.x-k8s.io/machine", "cluster.x-k8s.io/cluster-name", "cluster.x-k8s.io/owner-name"]

    /// Pure: the cache's Plans in every namespace, the Rancher agent Deployment and the nodes.
    /// `machines`: the nodes' Cluster API signals (`machine(_:)`) sorted, when the caller already has them.
    public static func derive(_ cache: ClusterCache, namespace: String, machines: [String]? = nil) -> UpgradeOwnership {
        var ownership = UpgradeOwnership()
        switch cache.health(.allPlans) {
        case .ok:
            let foreign = cache.allPlans.values.filter { ($0.metadata.namespace ?? "") != namespace && upgradesRKE2($0) }
                .sorted { $0.metadata.key < $1.metadata.key }
            if !foreign.isEmpty {
                let names = foreign.map(\.metadata.key)
                let rancher = foreign.contains { $0.metadata.namespace == rancherNamespace }
                ownership.signals.append(.init(kind: .foreignPlans, objects: names, message:
                    "rke2 upgrade Plans in another namespace than \(namespace): \(names.joined(separator: ", "))"
                    + (rancher ? " (Rancher's own: it upgrades this cluster)" : "")
                    + "; two plan sets for the same nodes fight"))
            }
        case .missing: break // no Plan CRD: no Plans anywhere
        case .pending: ownership.notChecked.append("Plans in other namespaces not read yet")
        case let .unauthorized(message), let .unreachable(message, _):
            ownership.notChecked.append("Plans in other namespaces could not be read: \(message)")
        }
        switch cache.health(.rancherAgent) {
        case .ok, .missing:
            let agents = cache.rancherAgents.values.filter { $0.metadata.name == rancherAgentName }.sorted { $0.metadata.key < $1.metadata.key }
            if !agents.isEmpty {
                let names = agents.map { "deployment/\($0.metadata.key)" }
                ownership.signals.append(.init(kind: .rancherAgent, objects: names, message:
                    "\(names.joined(separator: ", ")) runs: the cluster is imported into or provisioned by Rancher, which manages its upgrades unless version management is disabled there"))
            }
        case .pending: ownership.notChecked.append("\(rancherNamespace)/\(rancherAgentName) not read yet")
        case let .unauthorized(message), let .unreachable(message, _):
            ownership.notChecked.append("\(rancherNamespace)/\(rancherAgentName) could not be read: \(message)")
        }
        let machines = machines ?? cache.nodes.values.compactMap(machine).sorted()
        if !machines.isEmpty {
            let shown = machines.count > 5 ? machines.prefix(5).joined(separator: ", ") + " and \(machines.count - 5) more" : machines.joined(separator: ", ")
            ownership.signals.append(.init(kind: .clusterAPI, objects: machines, message:
                "Cluster API machines: \(shown): Rancher provisioned this cluster and upgrades it through its machine agents, not through SUC Plans"))
        }
        return ownership
    }

    /// What a node says about Cluster API: `node/<name> (machine <machine>)`, `node/<name>`, or nil.
    static func machine(_ node: KNode) -> String? {
        guard let annotations = node.metadata.annotations,
              let key = clusterAPIAnnotations.first(where: { annotations[$0] != nil }) else { return nil }
        return key == clusterAPIAnnotations[0] ? "node/\(node.metadata.name) (machine \(annotations[key]!))" : "node/\(node.metadata.name)"
    }

    /// A Plan that upgrades rke2: its upgrade image is rke2-upgrade, or its name says rke2.
    static func upgradesRKE2(_ plan: KPlan) -> Bool {
        if let image = plan.spec?.upgrade?.image {
            let repository = image.split(separator: "/").last.map { String($0.split(separator: ":").first ?? "") } ?? ""
            if repository.hasPrefix("rke2-upgrade") || repository.hasPrefix("rke2") { return true }
        }
        return plan.metadata.name.contains("rke2")
    }
}
