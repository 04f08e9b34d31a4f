import Foundation

/// Why a Plan upgrades nothing although it looks fine (system-upgrade-controller `pkg/upgrade/plan/plan.go`).
public enum PlanProblem: Sendable, Equatable {
    /// No `nodeSelector`: SUC selects no node.
    case noSelector
    /// `concurrency` absent or 0: SUC never schedules a node.
    case noConcurrency
    /// The selector cannot be built: SUC reports `SelectNodesFailed` and evaluates nothing.
    case invalidSelector(String)

    public var code: String {
        switch self {
        case .noSelector: return "no-node-selector"
        case .noConcurrency: return "concurrency-0"
        case .invalidSelector: return "select-nodes-failed"
        }
    }

    public var message: String {
        switch self {
        case .noSelector: return "selects no node: it has no nodeSelector, which SUC reads as \"nothing\""
        case .noConcurrency: return "concurrency 0: nothing will be upgraded (SUC schedules a node only while fewer than spec.concurrency are applying)"
        case let .invalidSelector(reason): return "SelectNodesFailed: its nodeSelector is invalid (\(reason)); SUC evaluates nothing until it is fixed"
        }
    }
}

public struct JobStatus: Sendable, Equatable {
    public enum State: String, Sendable { case pending, running, complete, failed }
    public let name: String
    public let plan: String
    /// The node name from the `upgrade.cattle.io/node` label.
    public let node: String?
    public let state: State
    /// The Failed condition's reason and message.
    public let message: String?
    public let startTime: String?
    /// Why it does not progress: its pod's phase with the waiting reason and message, or a Job condition
    /// other than Failed/Complete (`FailureTarget: DeadlineExceeded`, `Suspended`).
    public var detail: String? = nil
}

public struct PlanCounts: Sendable, Equatable {
    public var done = 0, applying = 0, pending = 0, failed = 0, optedOut = 0
    public var notScheduled = 0
    public var total: Int { done + applying + pending + failed + optedOut + notScheduled }
}

public struct PlanStatus: Sendable, Equatable {
    public let name: String
    public let namespace: String
    public let version: String?
    public let channel: String?
    public let latestVersion: String?
    public let latestHash: String?
    /// `Complete` condition: nil when the controller has not set it.
    public let complete: Bool?
    public let reason: String?
    public let message: String?
    public let applying: [String]
    public let counts: PlanCounts
    /// Names of the nodes the plan selects (nodeSelector plus SUC's hostname-label rule).
    public let selectedNodes: [String]
    public let jobs: [JobStatus]
    public let concurrency: Int?
    public let cordon: Bool
    public let drain: Bool
    public let image: String?
    /// The server plan this plan's prepare step waits for (`prepare: {args: [prepare, <plan>]}`).
    public let waitsFor: String?
    public let nodeSelector: KLabelSelector?
    public let conditions: [KCondition]
    /// Why it upgrades nothing: no selector, concurrency 0, an invalid selector.
    public var problem: PlanProblem? = nil

    /// What the plan upgrades to: its spec's version (spelled as rke2 prints it), else the version the
    /// controller resolved its channel to, else the channel.
    public var target: String? {
        version.map { RKE2Version($0)?.description ?? $0 } ?? controllerVersion ?? channel
    }

    /// What the controller resolved and works towards (`status.latestVersion`, which SUC writes munged
    /// with `-`), spelled as rke2 prints it.
    public var controllerVersion: String? { latestVersion.map { RKE2Version($0)?.description ?? $0 } }

    /// The spec says one version and the controller still works towards another: it has not
    /// reconciled the Plan yet (or cannot resolve it). Both are shown.
    public var controllerLags: Bool {
        guard let version, let latestVersion, let spec = RKE2Version(version), let latest = RKE2Version(latestVersion) else { return false }
        return !spec.sameRelease(as: latest)
    }

    /// "v1.33.1+rke2r1 written, controller still at v1.31.6+rke2r1", when they disagree.
    public var controllerLagText: String? {
        guard controllerLags, let target, let controllerVersion else { return nil }
        return "\(target) written, controller still at \(controllerVersion)"
    }
}

/// Something an operator should look at, with what to do about it.
public struct Hint: Sendable, Equatable {
    public enum Severity: String, Sendable { case warning, error }
    public let severity: Severity
    /// The node, plan or job it is about.
    public let subject: String
    public let message: String

    public init(_ severity: Severity, _ subject: String, _ message: String) {
        self.severity = severity
        self.subject = subject
        self.message = message
    }
}
