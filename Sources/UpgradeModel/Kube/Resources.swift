import Foundation

/// The Kubernetes objects upgrade-tui reads, decoded with only the fields it uses (unknown fields are
/// ignored, so newer servers and controllers do not break it).
public protocol KubeObject: Codable, Sendable, Equatable {
    var metadata: ObjectMeta { get }
}

public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    public var creationTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    public var key: String { (namespace.map { $0 + "/" } ?? "") + name }
    public func label(_ key: String) -> String? { labels?[key] }
}

public struct KCondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var lastUpdateTime: String?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    public var isTrue: Bool { status == "True" }
}

extension Array where Element == KCondition {
    public func condition(_ type: String) -> KCondition? { first { $0.type == type } }
}

// MARK: Node

public struct KNode: KubeObject {
    public struct Taint: Codable, Sendable, Equatable {
        public var key: String
        public var value: String?
        public var effect: String
        public init(key: String, value: String? = nil, effect: String) { self.key = key; self.value = value; self.effect = effect }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var unschedulable: Bool?
        public var taints: [Taint]?
        public var providerID: String?
        public init(unschedulable: Bool? = nil, taints: [Taint]? = nil, providerID: String? = nil) {
            self.unschedulable = unschedulable; self.taints = taints; self.providerID = providerID
        }
    }

    public struct NodeInfo: Codable, Sendable, Equatable {
        public var kubeletVersion: String?
        public var kubeProxyVersion: String?
        public var containerRuntimeVersion: String?
        public var osImage: String?
        public var kernelVersion: String?
        public init(kubeletVersion: String?) { self.kubeletVersion = kubeletVersion; self.kubeProxyVersion = kubeletVersion }
    }

    public struct Address: Codable, Sendable, Equatable {
        public var type: String
        public var address: String
        public init(type: String, address: String) { self.type = type; self.address = address }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var conditions: [KCondition]?
        public var nodeInfo: NodeInfo?
        public var addresses: [Address]?
        public init(conditions: [KCondition]? = nil, nodeInfo: NodeInfo? = nil, addresses: [Address]? = nil) {
            self.conditions = conditions; self.nodeInfo = nodeInfo; self.addresses = addresses
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }
}

// MARK: Plan (upgrade.cattle.io/v1)

public struct KLabelSelector: Codable, Sendable, Equatable {
    public struct Requirement: Codable, Sendable, Equatable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator op: String, values: [String]? = nil) {
            self.key = key
            self.operator = op
            self.values = values
        }
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

public struct KContainerSpec: Codable, Sendable, Equatable {
    public var image: String?
    public var command: [String]?
    public var args: [String]?

    public init(image: String?, command: [String]? = nil, args: [String]? = nil) {
        self.image = image
        self.command = command
        self.args = args
    }
}

public struct KPlan: KubeObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var concurrency: Int?
        public var nodeSelector: KLabelSelector?
        public var serviceAccountName: String?
        public var channel: String?
        public var version: String?
        public var cordon: Bool?
        public var drain: JSONValue?
        public var prepare: KContainerSpec?
        public var upgrade: KContainerSpec?
        public var tolerations: JSONValue?
        public var window: JSONValue?
        /// `concurrency` is there but is no Int64 (2^64, 1.5): unknown, which is not the same as absent (0).
        public var concurrencyUnreadable = false

        enum CodingKeys: String, CodingKey {
            case concurrency, nodeSelector, serviceAccountName, channel, version, cordon, drain, prepare, upgrade, tolerations, window
        }

        /// SUC's `Concurrency int64 json:"concurrency,omitempty"`: absent is 0, which schedules no node.
        public var effectiveConcurrency: Int? { concurrencyUnreadable ? nil : (concurrency ?? 0) }

        public init(concurrency: Int? = nil, nodeSelector: KLabelSelector? = nil, serviceAccountName: String? = nil,
                    channel: String? = nil, version: String? = nil, cordon: Bool? = nil, drain: JSONValue? = nil,
                    prepare: KContainerSpec? = nil, upgrade: KContainerSpec? = nil, tolerations: JSONValue? = nil) {
            self.concurrency = concurrency; self.nodeSelector = nodeSelector; self.serviceAccountName = serviceAccountName
            self.channel = channel; self.version = version; self.cordon = cordon; self.drain = drain
            self.prepare = prepare; self.upgrade = upgrade; self.tolerations = tolerations
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var conditions: [KCondition]?
        public var latestVersion: String?
        public var latestHash: String?
        public var applying: [String]?
        public init(conditions: [KCondition]? = nil, latestVersion: String? = nil, latestHash: String? = nil, applying: [String]? = nil) {
            self.conditions = conditions; self.latestVersion = latestVersion; self.latestHash = latestHash; self.applying = applying
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }
}

extension KPlan.Spec {
    /// A Plan is a custom resource: its numbers are whatever someone wrote. A `concurrency` that does
    /// not fit an Int (2^64, 1e400, 1.5) is unknown (nil), not a reason to lose every Plan of the list.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        concurrency = try? c.decodeIfPresent(Int.self, forKey: .concurrency)
        concurrencyUnreadable = concurrency == nil && c.contains(.concurrency) && (try? c.decodeNil(forKey: .concurrency)) != true
        nodeSelector = try c.decodeIfPresent(KLabelSelector.self, forKey: .nodeSelector)
        serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        cordon = try c.decodeIfPresent(Bool.self, forKey: .cordon)
        drain = try c.decodeIfPresent(JSONValue.self, forKey: .drain)
        prepare = try c.decodeIfPresent(KContainerSpec.self, forKey: .prepare)
        upgrade = try c.decodeIfPresent(KContainerSpec.self, forKey: .upgrade)
        tolerations = try c.decodeIfPresent(JSONValue.self, forKey: .tolerations)
        window = try c.decodeIfPresent(JSONValue.self, forKey: .window)
    }
}

// MARK: Job (batch/v1)

public struct KJob: KubeObject {
    public struct Status: Codable, Sendable, Equatable {
        public var conditions: [KCondition]?
        public var active: Int?
        public var succeeded: Int?
        public var failed: Int?
        public var startTime: String?
        public var completionTime: String?
        public init(conditions: [KCondition]? = nil, active: Int? = nil, succeeded: Int? = nil, failed: Int? = nil, startTime: String? = nil) {
            self.conditions = conditions; self.active = active; self.succeeded = succeeded; self.failed = failed; self.startTime = startTime
        }
    }

    public var metadata: ObjectMeta
    public var status: Status?

    public init(metadata: ObjectMeta, status: Status? = nil) { self.metadata = metadata; self.status = status }
}

// MARK: Addon (k3s.cattle.io/v1) and HelmChart (helm.cattle.io/v1)

public struct KAddon: KubeObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var source: String?
        public var checksum: String?
        public init(source: String?, checksum: String?) { self.source = source; self.checksum = checksum }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec?) { self.metadata = metadata; self.spec = spec }
}

public struct KHelmChart: KubeObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var chart: String?
        public var version: String?
        public var targetNamespace: String?
        public init(chart: String? = nil, version: String? = nil, targetNamespace: String? = nil) {
            self.chart = chart; self.version = version; self.targetNamespace = targetNamespace
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var jobName: String?
        public var conditions: [KCondition]?
        public init(jobName: String? = nil, conditions: [KCondition]? = nil) { self.jobName = jobName; self.conditions = conditions }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }
}

// MARK: Deployment (apps/v1), for the system-upgrade-controller

public struct KDeployment: KubeObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var replicas: Int?
        public init(replicas: Int?) { self.replicas = replicas }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var replicas: Int?
        public var readyReplicas: Int?
        public var availableReplicas: Int?
        public var conditions: [KCondition]?
        public init(replicas: Int?, readyReplicas: Int?, availableReplicas: Int?) {
            self.replicas = replicas; self.readyReplicas = readyReplicas; self.availableReplicas = availableReplicas
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }
}

/// A LIST response (one page): items, the resourceVersion to WATCH from, and the token of the next page.
struct KList<T: KubeObject>: Decodable {
    struct Meta: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    var metadata: Meta?
    var items: [T]?
}

/// One line of a WATCH stream.
struct KWatchEvent<T: KubeObject>: Decodable {
    let type: String
    let object: T?
    let status: KStatus?
    let bookmarkVersion: String?

    enum CodingKeys: String, CodingKey { case type, object }
    struct Bookmark: Decodable {
        struct Meta: Decodable { var resourceVersion: String? }
        var metadata: Meta?
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ERROR":
            status = try container.decodeIfPresent(KStatus.self, forKey: .object)
            object = nil
            bookmarkVersion = nil
        case "BOOKMARK":
            bookmarkVersion = try container.decodeIfPresent(Bookmark.self, forKey: .object)?.metadata?.resourceVersion
            object = nil
            status = nil
        default:
            object = try container.decode(T.self, forKey: .object)
            status = nil
            bookmarkVersion = nil
        }
    }
}

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
