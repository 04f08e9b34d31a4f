import Foundation

/// The cluster as upgrade-tui derives it from the API.
public struct ClusterStatus: Sendable, Equatable {
    public var api: APIState
    public var error: String?
    /// The next reconnect attempt, while unreachable.
    public var retryAt: Date?
    /// True until the first answer arrives (the dashboard says "connecting", not "unreachable").
    public var connecting: Bool
    public var server: String?
    /// The kubeconfig context the cluster was reached through.
    public var context: String?
    /// Why the connection to `server` is not protected by verified TLS, if it is not.
    public var insecure: KubeAccess.Insecurity?
    public var upgradeController: ControllerState
    /// False when the Plan CRD is not installed (404 on plans): no system-upgrade-controller.
    public var planCRDInstalled: Bool?
    /// Sorted by name. In chunks: a node change copies and compares one chunk of statuses, not all of them.
    public var nodes: ChunkedArray<NodeStatus>
    public var plans: [PlanStatus]
    public var agentGate: AgentGate?
    public var hints: [Hint]
    /// Whether something else (Rancher, Cluster API, other Plans) already upgrades this cluster; nil
    /// when the cluster could not be read.
    public var ownership: UpgradeOwnership? = nil

    public init(api: APIState, error: String? = nil, retryAt: Date? = nil, connecting: Bool = false, server: String? = nil,
                upgradeController: ControllerState = .unknown, planCRDInstalled: Bool? = nil, nodes: ChunkedArray<NodeStatus> = [],
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
