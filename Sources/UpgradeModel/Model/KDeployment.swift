import Foundation

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
