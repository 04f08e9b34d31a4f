import Foundation

/// Builds the server and agent Plans (`PlanTemplates`) for a target and a cluster, and the JSON and
/// YAML that are written and shown.
public struct PlanBuilder: Sendable {
    public var namespace: String
    public var serverPlanName = "server-plan"
    public var agentPlanName = "agent-plan"
    public var image = PlanTemplates.image

    public init(namespace: String) {
        self.namespace = namespace
    }

    /// `cluster` adapts the plans to what the nodes carry: servers tainted `CriticalAddonsOnly` get a
    /// toleration, or the upgrade pods could never run there (rancher/rancher#32050).
    public func plans(target: UpgradeTarget, cluster: ClusterStatus?) -> [KPlan] {
        let (version, channel): (String?, String?) = {
            switch target {
            case let .version(version): return (version.description, nil)
            case let .channel(url): return (nil, url)
            }
        }()
        var server = PlanTemplates.server(namespace: namespace, version: version, channel: channel, name: serverPlanName)
        var agent = PlanTemplates.agent(namespace: namespace, version: version, channel: channel, serverPlan: serverPlanName, name: agentPlanName)
        for index in [0, 1] {
            var plan = index == 0 ? server : agent
            plan.metadata.namespace = namespace
            plan.metadata.labels = ["rke2-upgrade": index == 0 ? "server" : "agent", "app.kubernetes.io/managed-by": "upgrade-tui"]
            plan.spec?.upgrade = KContainerSpec(image: image)
            if index == 1 { plan.spec?.prepare = KContainerSpec(image: image, args: ["prepare", serverPlanName]) }
            if index == 0 { server = plan } else { agent = plan }
        }
        if let cluster, cluster.nodes.contains(where: { $0.isControlPlane && $0.taints.contains { $0.key == "CriticalAddonsOnly" } }) {
            server.spec?.tolerations = .array([.object([("key", .text("CriticalAddonsOnly")), ("operator", .text("Exists"))])])
        }
        return [server, agent]
    }

    /// The plans as the YAML an operator would `kubectl apply`, in a stable field order.
    public static func yaml(_ plans: [KPlan]) -> String {
        plans.map { YAMLText.render(planJSON($0)) }.joined(separator: "---\n")
    }

    /// The JSON the API receives (status left out: it belongs to the controller). An update carries the
    /// resourceVersion it was based on, so that a concurrent change is a 409, not a lost update.
    public static func planJSON(_ plan: KPlan, resourceVersion: String? = nil) -> JSONValue {
        var copy = plan
        copy.status = nil
        copy.metadata.resourceVersion = resourceVersion
        copy.metadata.uid = nil
        copy.metadata.creationTimestamp = nil
        copy.metadata.generation = nil
        return copy.apiJSON
    }
}

extension PlanBuilder {
    /// The spec fields upgrade-tui decides; every other field of an existing Plan (secrets, drain, window,
    /// envs, a toleration it did not add…) is kept as the operator wrote it.
    static let managedSpecKeys: Set<String> = ["concurrency", "cordon", "nodeSelector", "serviceAccountName", "upgrade", "prepare",
                                               "version", "channel"]

    /// The Plan to PUT: the existing object with upgrade-tui's fields replaced and its labels added.
    public static func merged(existing: JSONValue, desired: KPlan, resourceVersion: String?) -> JSONValue {
        let want = planJSON(desired, resourceVersion: resourceVersion)
        guard case .object = existing, case let .object(wantFields) = want else { return want }
        let wantSpec = want["spec"] ?? .object([])
        var spec: [(String, JSONValue)] = []
        if case let .object(old) = existing["spec"] ?? .object([]) {
            let wantKeys = Set(wantSpec.objectKeys)
            spec = old.filter { !managedSpecKeys.contains($0.0) && !wantKeys.contains($0.0) }
        }
        if case let .object(new) = wantSpec { spec += new }
        var metadata: [(String, JSONValue)] = []
        if case let .object(old) = existing["metadata"] ?? .object([]) {
            metadata = old.filter { !["labels", "resourceVersion", "managedFields"].contains($0.0) }
        }
        var labels: [(String, JSONValue)] = []
        if case let .object(old) = existing["metadata"]?["labels"] ?? .object([]) { labels = old }
        for (key, value) in desired.metadata.labels ?? [:] {
            labels.removeAll { $0.0 == key }
            labels.append((key, .text(value)))
        }
        metadata.append(("labels", .object(labels.sorted { $0.0 < $1.0 })))
        if let resourceVersion { metadata.append(("resourceVersion", .text(resourceVersion))) }
        return .object(wantFields.map { key, value in
            switch key {
            case "metadata": return (key, .object(metadata))
            case "spec": return (key, .object(spec))
            default: return (key, value)
            }
        })
    }

    /// What matters when comparing Plans: identity, labels and spec (not status, uid, managedFields…).
    public static func comparable(_ plan: JSONValue) -> JSONValue {
        .object([
            ("apiVersion", plan["apiVersion"] ?? .null), ("kind", plan["kind"] ?? .null),
            ("metadata", .object([("name", plan["metadata"]?["name"] ?? .null), ("namespace", plan["metadata"]?["namespace"] ?? .null),
                                  ("labels", normalized(plan["metadata"]?["labels"] ?? .object([])))])),
            ("spec", normalized(plan["spec"] ?? .object([]))),
        ])
    }

    /// Objects with their keys sorted, recursively, so that field order never counts as a change.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(fields): return .object(fields.sorted { $0.0 < $1.0 }.map { ($0.0, normalized($0.1)) })
        case let .array(items): return .array(items.map(normalized))
        default: return value
        }
    }
}

extension JSONValue {
    var objectKeys: [String] {
        if case let .object(fields) = self { return fields.map(\.0) }
        return []
    }
}
