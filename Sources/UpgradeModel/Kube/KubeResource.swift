import Foundation

/// Where a resource lives in the API, and how it is listed.
public struct KubeResource: Sendable, Equatable, Hashable {
    public let group: String
    public let version: String
    public let plural: String
    public let namespace: String?

    public init(group: String, version: String, plural: String, namespace: String? = nil) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespace = namespace
    }

    public var collectionPath: String {
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        return prefix + (namespace.map { "/namespaces/\($0)" } ?? "") + "/" + plural
    }

    public func objectPath(_ name: String) -> String { collectionPath + "/" + name }

    public var label: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let nodes = KubeResource(group: "", version: "v1", plural: "nodes")
    public static func plans(_ namespace: String) -> KubeResource {
        KubeResource(group: "upgrade.cattle.io", version: "v1", plural: "plans", namespace: namespace)
    }
    public static func jobs(_ namespace: String) -> KubeResource {
        KubeResource(group: "batch", version: "v1", plural: "jobs", namespace: namespace)
    }
    public static func deployments(_ namespace: String) -> KubeResource {
        KubeResource(group: "apps", version: "v1", plural: "deployments", namespace: namespace)
    }
    public static let addons = KubeResource(group: "k3s.cattle.io", version: "v1", plural: "addons", namespace: "kube-system")
    public static let helmCharts = KubeResource(group: "helm.cattle.io", version: "v1", plural: "helmcharts", namespace: "kube-system")
    public static func pods(_ namespace: String) -> KubeResource { KubeResource(group: "", version: "v1", plural: "pods", namespace: namespace) }
    /// The deploy controller records its Events in kube-system (k3s `pkg/deploy/controller.go`).
    public static let events = KubeResource(group: "", version: "v1", plural: "events", namespace: "kube-system")
}
