import Foundation

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
