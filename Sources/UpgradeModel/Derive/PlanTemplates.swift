/// The server and agent Plans of the current RKE2 docs (docs/rke2-rules.md#canonical-plans-rke2-docs):
/// control-plane selector, concurrency 1, cordon, the rke2-upgrade image; the agent plan's prepare
/// step waits for the server plan. `PlanBuilder` adapts them to a cluster.
public enum PlanTemplates {
    public static let image = "rancher/rke2-upgrade"

    public static func server(namespace: String, version: String? = nil, channel: String? = nil, name: String = "server-plan") -> KPlan {
        KPlan(metadata: ObjectMeta(name: name, namespace: namespace),
              spec: .init(concurrency: 1, nodeSelector: KLabelSelector(matchExpressions: [.init(key: "node-role.kubernetes.io/control-plane", operator: "In", values: ["true"])]),
                          serviceAccountName: "system-upgrade", channel: channel, version: version, cordon: true,
                          upgrade: KContainerSpec(image: image)))
    }

    public static func agent(namespace: String, version: String? = nil, channel: String? = nil, serverPlan: String = "server-plan",
                             name: String = "agent-plan") -> KPlan {
        KPlan(metadata: ObjectMeta(name: name, namespace: namespace),
              spec: .init(concurrency: 1, nodeSelector: KLabelSelector(matchExpressions: [.init(key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist")]),
                          serviceAccountName: "system-upgrade", channel: channel, version: version, cordon: true,
                          prepare: KContainerSpec(image: image, args: ["prepare", serverPlan]),
                          upgrade: KContainerSpec(image: image)))
    }
}
