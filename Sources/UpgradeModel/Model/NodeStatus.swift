import Foundation

/// A node's state for one Plan that selects it (docs/states.md#node-plan-states).
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
    public var plans: [(plan: String, state: NodePlanState)]
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
            && samePairs(lhs.plans, rhs.plans) && samePairs(lhs.labels, rhs.labels) && samePairs(lhs.annotations, rhs.annotations)
            && lhs.conditions == rhs.conditions && lhs.internalIP == rhs.internalIP && lhs.taints == rhs.taints
            && lhs.upgradeDetail == rhs.upgradeDetail
    }

    /// Arrays of pairs (tuples are not Equatable), without allocating: the snapshot comparison runs on
    /// every node at every change. Arrays that share their storage (a node that did not change) are equal.
    static func samePairs<A: Equatable, B: Equatable>(_ lhs: [(A, B)], _ rhs: [(A, B)]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        let shared = lhs.withUnsafeBufferPointer { l in rhs.withUnsafeBufferPointer { r in l.baseAddress == r.baseAddress } }
        if shared { return true }
        for index in lhs.indices where lhs[index].0 != rhs[index].0 || lhs[index].1 != rhs[index].1 { return false }
        return true
    }
}
