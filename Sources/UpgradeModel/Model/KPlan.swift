import Foundation

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
