import Foundation

public struct KNode: KubeObject {
    public struct Taint: Codable, Sendable, Equatable {
        public var key: String
        public var value: String?
        public var effect: String
        public init(key: String, value: String? = nil, effect: String) { self.key = key; self.value = value; self.effect = effect }
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = decoder.interned(try container.decode(String.self, forKey: .key))
            value = decoder.interned(ifPresent: try container.decodeIfPresent(String.self, forKey: .value))
            effect = decoder.interned(try container.decode(String.self, forKey: .effect))
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var unschedulable: Bool?
        public var taints: [Taint]?
        public init(unschedulable: Bool? = nil, taints: [Taint]? = nil) {
            self.unschedulable = unschedulable; self.taints = taints
        }
    }

    /// Only the kubelet's version is read (the node's rke2 version); the OS image, kernel and runtime are not shown.
    public struct NodeInfo: Codable, Sendable, Equatable {
        public var kubeletVersion: String?
        public init(kubeletVersion: String?) { self.kubeletVersion = kubeletVersion }
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kubeletVersion = decoder.interned(ifPresent: try container.decodeIfPresent(String.self, forKey: .kubeletVersion))
        }
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
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            conditions = try container.decodeIfPresent([KCondition].self, forKey: .conditions).map { decoder.interned(value: $0) }
            nodeInfo = try container.decodeIfPresent(NodeInfo.self, forKey: .nodeInfo)
            addresses = try container.decodeIfPresent([Address].self, forKey: .addresses)
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }

    /// The annotations upgrade-tui reads from a node (those `NodeStatus` shows, and the Cluster API ones
    /// of `OwnershipDerivation.clusterAPIAnnotations`); a decoded node keeps only these. Real nodes carry
    /// kilobytes of others (CSI node IDs, CNI addresses, `rke2.io/node-env`) that nothing shows.
    public static let annotationPrefixesRead = NodeStatus.shownAnnotationPrefixes + ["cluster.x-k8s.io/"]

    public static func keepsAnnotation(_ key: String) -> Bool { annotationPrefixesRead.contains { key.hasPrefix($0) } }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        spec = try container.decodeIfPresent(Spec.self, forKey: .spec)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
        if let annotations = metadata.annotations, annotations.contains(where: { !Self.keepsAnnotation($0.key) }) {
            metadata.annotations = annotations.filter { Self.keepsAnnotation($0.key) }
        }
    }
}

// MARK: Plan (upgrade.cattle.io/v1)
