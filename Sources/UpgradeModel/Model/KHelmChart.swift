import Foundation

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
