import Foundation

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
