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
    public var labels: StringMap?
    public var annotations: StringMap?

    public init(name: String, namespace: String? = nil, labels: StringMap? = nil, annotations: StringMap? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey { case name, namespace, uid, resourceVersion, generation, creationTimestamp, labels, annotations }

    /// Decoded with the decoder's `Interner`: labels and annotations repeat across objects.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = decoder.interned(ifPresent: try container.decodeIfPresent(String.self, forKey: .namespace))
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
        generation = try container.decodeIfPresent(Int.self, forKey: .generation)
        creationTimestamp = try container.decodeIfPresent(String.self, forKey: .creationTimestamp)
        labels = try container.decodeIfPresent(StringMap.self, forKey: .labels)
        annotations = try container.decodeIfPresent(Annotations.self, forKey: .annotations)?.map
    }

    /// Annotations decoded with their keys shared and their values not (see `StringMap.init(from:sharingValues:)`).
    private struct Annotations: Decodable {
        let map: StringMap
        init(from decoder: Decoder) throws { map = try StringMap(from: decoder, sharingValues: false) }
    }

    public var key: String { (namespace.map { $0 + "/" } ?? "") + name }
    public func label(_ key: String) -> String? { labels?[key] }
}

/// A status condition, without its timestamps: nothing shows them, and without them the conditions of
/// healthy nodes are equal and decode to one shared array (`Interner`).
public struct KCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let interner = decoder.interner
        func shared(_ text: String) -> String { interner?.intern(text) ?? text }
        type = shared(try container.decode(String.self, forKey: .type))
        status = shared(try container.decode(String.self, forKey: .status))
        reason = try container.decodeIfPresent(String.self, forKey: .reason).map(shared)
        message = try container.decodeIfPresent(String.self, forKey: .message).map(shared)
    }

    public var isTrue: Bool { status == "True" }
}

extension Array where Element == KCondition {
    public func condition(_ type: String) -> KCondition? { first { $0.type == type } }
}

// MARK: Node
