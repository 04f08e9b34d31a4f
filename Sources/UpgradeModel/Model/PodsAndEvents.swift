import Foundation

// The objects that say why an upgrade is stuck or who applied a manifest (issue #12): the upgrade
// Jobs' pods and the deploy controller's Addon events.

// MARK: Pod (v1), for the upgrade Jobs' pods: why a Job is stuck

public struct KPod: KubeObject {
    public struct ContainerState: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            public var reason: String?
            public var message: String?
            public var exitCode: Int?
            public init(reason: String? = nil, message: String? = nil, exitCode: Int? = nil) {
                self.reason = reason; self.message = message; self.exitCode = exitCode
            }
        }
        public var waiting: Detail?
        public var running: JSONValue?
        public var terminated: Detail?
        public init(waiting: Detail? = nil, running: JSONValue? = nil, terminated: Detail? = nil) {
            self.waiting = waiting; self.running = running; self.terminated = terminated
        }
    }

    public struct ContainerStatus: Codable, Sendable, Equatable {
        public var name: String
        public var image: String?
        public var ready: Bool?
        public var restartCount: Int?
        public var state: ContainerState?
        public init(name: String, image: String? = nil, restartCount: Int? = nil, state: ContainerState? = nil) {
            self.name = name; self.image = image; self.restartCount = restartCount; self.state = state
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var nodeName: String?
        public init(nodeName: String? = nil) { self.nodeName = nodeName }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var phase: String?
        public var reason: String?
        public var message: String?
        public var conditions: [KCondition]?
        public var initContainerStatuses: [ContainerStatus]?
        public var containerStatuses: [ContainerStatus]?
        public init(phase: String? = nil, reason: String? = nil, message: String? = nil, conditions: [KCondition]? = nil,
                    initContainerStatuses: [ContainerStatus]? = nil, containerStatuses: [ContainerStatus]? = nil) {
            self.phase = phase; self.reason = reason; self.message = message; self.conditions = conditions
            self.initContainerStatuses = initContainerStatuses; self.containerStatuses = containerStatuses
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.metadata = metadata; self.spec = spec; self.status = status
    }
}

// MARK: Event (v1), for the deploy controller's Addon events

public struct KEvent: KubeObject {
    public struct ObjectReference: Codable, Sendable, Equatable {
        public var kind: String?
        public var name: String?
        public var namespace: String?
        public var uid: String?
        public init(kind: String?, name: String?, namespace: String? = nil) { self.kind = kind; self.name = name; self.namespace = namespace }
    }

    public struct Source: Codable, Sendable, Equatable {
        public var component: String?
        public var host: String?
        public init(component: String? = nil, host: String? = nil) { self.component = component; self.host = host }
    }

    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference?
    public var reason: String?
    public var message: String?
    public var type: String?
    public var source: Source?
    public var count: Int?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var eventTime: String?

    public init(metadata: ObjectMeta, involvedObject: ObjectReference?, reason: String?, message: String?, type: String? = nil,
                source: Source? = nil, count: Int? = nil, firstTimestamp: String? = nil, lastTimestamp: String? = nil) {
        self.metadata = metadata; self.involvedObject = involvedObject; self.reason = reason; self.message = message
        self.type = type; self.source = source; self.count = count; self.firstTimestamp = firstTimestamp; self.lastTimestamp = lastTimestamp
    }

    /// When it last happened: `lastTimestamp` (the legacy recorder's, bumped when it aggregates),
    /// else `eventTime`, `firstTimestamp`, the object's creation.
    public var time: Date? {
        [lastTimestamp, eventTime, firstTimestamp, metadata.creationTimestamp].lazy.compactMap { $0 }
            .compactMap(UTCTime.parse).first
    }
}
