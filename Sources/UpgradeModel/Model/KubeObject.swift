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
