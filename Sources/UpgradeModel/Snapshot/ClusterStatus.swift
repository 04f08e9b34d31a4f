import Foundation

/// A node's state for one Plan that selects it (DESIGN.md, RKE2-FACTS §2.3, §6).
public enum NodePlanState: String, Sendable, Equatable, CaseIterable {
    /// The plan label equals the plan's `latestHash`.
    case done
    /// The plan label is `disabled`.
    case optedOut = "opted-out"
    /// The node's hostname label is in the plan's `status.applying`.
    case applying
    /// A Job of this plan for this node failed, or `Complete` says `JobFailed` on it.
    case failed
    case pending
    /// Selected, but the plan never schedules it: `concurrency` is 0 (absent).
    case notScheduled = "not-scheduled"
}

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

public struct NodeStatus: Sendable, Equatable {
    public let name: String
    /// The `kubernetes.io/hostname` label, which SUC's `applying` list holds.
    public let hostname: String?
    /// From `node-role.kubernetes.io/*` labels, sorted; empty for agents.
    public let roles: [String]
    public let kubeletVersion: String?
    public let version: RKE2Version?
    /// nil when the node has no Ready condition.
    public let ready: Bool?
    public let readyMessage: String?
    public let schedulable: Bool
    /// In plan order: the state for every plan that selects the node.
    public let plans: [(plan: String, state: NodePlanState)]
    /// Upgrade-relevant labels, annotations and all conditions, for the details view.
    public let labels: [(String, String)]
    public let annotations: [(String, String)]
    public let conditions: [KCondition]
    public let internalIP: String?
    public var taints: [KNode.Taint] = []
    /// Why the upgrade Job on this node does not progress (its pod's phase and waiting reason, or a Job
    /// condition), when one runs: "Pending: ImagePullBackOff: …".
    public var upgradeDetail: String?

    /// Runs an API server (control-plane label) or etcd: upgraded by the server plan.
    public var isServer: Bool { roles.contains("control-plane") || roles.contains("etcd") || roles.contains("master") }
    public var isControlPlane: Bool { roles.contains("control-plane") || roles.contains("master") }

    public func state(for plan: String) -> NodePlanState? { plans.first { $0.plan == plan }?.state }

    public static func == (lhs: NodeStatus, rhs: NodeStatus) -> Bool {
        lhs.name == rhs.name && lhs.hostname == rhs.hostname && lhs.roles == rhs.roles && lhs.kubeletVersion == rhs.kubeletVersion
            && lhs.ready == rhs.ready && lhs.readyMessage == rhs.readyMessage && lhs.schedulable == rhs.schedulable
            && lhs.plans.map { "\($0.plan)=\($0.state.rawValue)" } == rhs.plans.map { "\($0.plan)=\($0.state.rawValue)" }
            && lhs.labels.map { "\($0.0)=\($0.1)" } == rhs.labels.map { "\($0.0)=\($0.1)" }
            && lhs.annotations.map { "\($0.0)=\($0.1)" } == rhs.annotations.map { "\($0.0)=\($0.1)" }
            && lhs.conditions == rhs.conditions && lhs.internalIP == rhs.internalIP && lhs.taints == rhs.taints
            && lhs.upgradeDetail == rhs.upgradeDetail
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

/// Whether agent plans may proceed (RKE2-FACTS §1.3, §6): the server plan is not applying AND the
/// distinct control-plane kubelet versions (with `+` as `-`) equal the `k8s` form of the target.
public struct AgentGate: Sendable, Equatable {
    public let open: Bool
    public let reason: String
    public let agentPlan: String
    public let serverPlan: String
    /// The k8s form of the agent plan's target, as the prepare step compares it.
    public let target: String?
    /// `sort -u` of the kubelet versions of the nodes the prepare step selects, `+` replaced by `-`.
    public let controlPlaneVersions: [String]
    /// The label the prepare step selects control-plane nodes by: `node-role.kubernetes.io/master` in
    /// rke2-upgrade images built before the v1.34 label change, `node-role.kubernetes.io/control-plane` after.
    public var selectorLabel: String = "node-role.kubernetes.io/control-plane"
    /// The prepare image (with the tag SUC gives it) that decides `selectorLabel`.
    public var prepareImage: String? = nil
    /// Set whenever the gate depends on the master label and some control-plane node lacks it.
    public var masterLabelWarning: String? = nil
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

/// The cluster as upgrade-tui derives it from the API.
public struct ClusterStatus: Sendable, Equatable {
    public var api: APIState
    public var error: String?
    /// The next reconnect attempt, while unreachable.
    public var retryAt: Date?
    /// True until the first answer arrives (the dashboard says "connecting", not "unreachable").
    public var connecting: Bool
    public var server: String?
    /// Why the connection to `server` is not protected by verified TLS, if it is not.
    public var insecure: KubeAccess.Insecurity?
    public var upgradeController: ControllerState
    /// False when the Plan CRD is not installed (404 on plans): no system-upgrade-controller.
    public var planCRDInstalled: Bool?
    public var nodes: [NodeStatus]
    public var plans: [PlanStatus]
    public var agentGate: AgentGate?
    public var hints: [Hint]
    /// Whether something else (Rancher, Cluster API, other Plans) already upgrades this cluster; nil
    /// when the cluster could not be read.
    public var ownership: UpgradeOwnership? = nil

    public init(api: APIState, error: String? = nil, retryAt: Date? = nil, connecting: Bool = false, server: String? = nil,
                upgradeController: ControllerState = .unknown, planCRDInstalled: Bool? = nil, nodes: [NodeStatus] = [],
                plans: [PlanStatus] = [], agentGate: AgentGate? = nil, hints: [Hint] = []) {
        self.api = api
        self.error = error
        self.retryAt = retryAt
        self.connecting = connecting
        self.server = server
        self.upgradeController = upgradeController
        self.planCRDInstalled = planCRDInstalled
        self.nodes = nodes
        self.plans = plans
        self.agentGate = agentGate
        self.hints = hints
    }

    public static let notConfigured = ClusterStatus(api: .notConfigured)

    /// Objects are the last ones seen, not current: the API is not answering right now.
    public var isStale: Bool { api != .ok && !nodes.isEmpty }

    public func node(named name: String) -> NodeStatus? { nodes.first { $0.name == name } }
    public func plan(named name: String) -> PlanStatus? { plans.first { $0.name == name } }
    public var controlPlaneNodes: [NodeStatus] { nodes.filter(\.isControlPlane) }
}
