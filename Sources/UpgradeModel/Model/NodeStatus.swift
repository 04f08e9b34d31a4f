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
    /// The fields from the node alone live in one reference-counted box: a snapshot of thousands of nodes
    /// is copied, compared and diffed at every change, and a node that did not change is the same box (one
    /// retain to copy, one pointer comparison to compare). Copy on write: a box is changed only while
    /// unshared. What the plans add (`plans`, `upgradeDetail`) is outside it, so that the node's status and
    /// the memo's status of the node alone share one box.
    private final class Storage: @unchecked Sendable {
        var roles: [String]
        var kubeletVersion: String?
        var version: RKE2Version?
        var ready: Bool?
        var readyMessage: String?
        var schedulable: Bool
        /// The node's own maps, shared with the decoded node (no copy per node); `labels` and
        /// `annotations` show the upgrade-relevant entries.
        var nodeLabels: StringMap
        var nodeAnnotations: StringMap
        var conditions: [KCondition]
        var internalIP: String?
        var taints: [KNode.Taint]

        init(roles: [String], kubeletVersion: String?, version: RKE2Version?, ready: Bool?,
             readyMessage: String?, schedulable: Bool,
             nodeLabels: StringMap, nodeAnnotations: StringMap, conditions: [KCondition], internalIP: String?,
             taints: [KNode.Taint]) {
            self.roles = roles
            self.kubeletVersion = kubeletVersion
            self.version = version
            self.ready = ready
            self.readyMessage = readyMessage
            self.schedulable = schedulable
            self.nodeLabels = nodeLabels
            self.nodeAnnotations = nodeAnnotations
            self.conditions = conditions
            self.internalIP = internalIP
            self.taints = taints
        }

        func copy() -> Storage {
            Storage(roles: roles, kubeletVersion: kubeletVersion, version: version, ready: ready,
                    readyMessage: readyMessage, schedulable: schedulable, nodeLabels: nodeLabels, nodeAnnotations: nodeAnnotations,
                    conditions: conditions, internalIP: internalIP, taints: taints)
        }
    }

    private var storage: Storage

    init(name: String, hostname: String?, roles: [String], kubeletVersion: String?, version: RKE2Version?, ready: Bool?,
         readyMessage: String?, schedulable: Bool, plans: [(plan: String, state: NodePlanState)], labels: StringMap,
         annotations: StringMap, conditions: [KCondition], internalIP: String?) {
        self.name = name
        self.hostname = hostname
        self.plans = plans
        storage = Storage(roles: roles, kubeletVersion: kubeletVersion, version: version,
                          ready: ready, readyMessage: readyMessage, schedulable: schedulable, nodeLabels: labels,
                          nodeAnnotations: annotations, conditions: conditions, internalIP: internalIP, taints: [])
    }

    /// Outside the box: sorting and merging by name read it thousands of times per snapshot.
    public let name: String
    /// The `kubernetes.io/hostname` label, which SUC's `applying` list holds. Outside the box too:
    /// finding this host's node reads it on every node.
    public let hostname: String?
    /// From `node-role.kubernetes.io/*` labels, sorted; empty for agents.
    public var roles: [String] { storage.roles }
    public var kubeletVersion: String? { storage.kubeletVersion }
    public var version: RKE2Version? { storage.version }
    /// nil when the node has no Ready condition.
    public var ready: Bool? { storage.ready }
    public var readyMessage: String? { storage.readyMessage }
    public var schedulable: Bool { storage.schedulable }
    /// In plan order: the state for every plan that selects the node.
    public var plans: [(plan: String, state: NodePlanState)]
    /// The labels and annotations shown (in the details view, in key order): upgrade-relevant ones.
    public static let shownLabelPrefixes = ["node-role.kubernetes.io/", "plan.upgrade.cattle.io/", "kubernetes.io/hostname",
                                            "rke2-upgrade", "upgrade.cattle.io/", "node.kubernetes.io/instance-type", "kubernetes.io/os"]
    public static let shownAnnotationPrefixes = ["rke2.io/", "etcd.rke2.cattle.io/", "upgrade.cattle.io/"]

    /// Upgrade-relevant labels and annotations, for the details view; and all conditions.
    public var labels: StringMap { storage.nodeLabels.filter { key, _ in Self.shownLabelPrefixes.contains { key.hasPrefix($0) } } }
    public var annotations: StringMap {
        storage.nodeAnnotations.filter { key, _ in Self.shownAnnotationPrefixes.contains { key.hasPrefix($0) } }
    }
    public var conditions: [KCondition] { storage.conditions }
    public var internalIP: String? { storage.internalIP }
    public var taints: [KNode.Taint] {
        get { storage.taints }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            yield &storage.taints
        }
    }
    /// Why the upgrade Job on this node does not progress (its pod's phase and waiting reason, or a Job
    /// condition), when one runs: "Pending: ImagePullBackOff: …".
    public var upgradeDetail: String?

    /// Runs an API server (control-plane label) or etcd: upgraded by the server plan.
    public var isServer: Bool { roles.contains("control-plane") || roles.contains("etcd") || roles.contains("master") }
    public var isControlPlane: Bool { roles.contains("control-plane") || roles.contains("master") }

    /// The status from the node alone: without the plan states and the upgrade detail (the same box).
    public var withoutPlans: NodeStatus {
        var copy = self
        copy.plans = []
        copy.upgradeDetail = nil
        return copy
    }

    public func state(for plan: String) -> NodePlanState? { plans.first { $0.plan == plan }?.state }

    public static func == (lhs: NodeStatus, rhs: NodeStatus) -> Bool {
        guard lhs.name == rhs.name, lhs.hostname == rhs.hostname, samePairs(lhs.plans, rhs.plans), lhs.upgradeDetail == rhs.upgradeDetail else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.roles == rhs.roles && lhs.kubeletVersion == rhs.kubeletVersion
            && lhs.ready == rhs.ready && lhs.readyMessage == rhs.readyMessage && lhs.schedulable == rhs.schedulable
            // The node's maps are equal when shared (one comparison); otherwise what is shown decides.
            && (lhs.storage.nodeLabels == rhs.storage.nodeLabels || lhs.labels == rhs.labels)
            && (lhs.storage.nodeAnnotations == rhs.storage.nodeAnnotations || lhs.annotations == rhs.annotations)
            && lhs.conditions == rhs.conditions && lhs.internalIP == rhs.internalIP && lhs.taints == rhs.taints
    }

    /// The plan states (tuples are not Equatable), without allocating: the snapshot comparison runs on
    /// every node at every change. Arrays that share their storage (a node that did not change) are equal.
    static func samePairs(_ lhs: [(plan: String, state: NodePlanState)], _ rhs: [(plan: String, state: NodePlanState)]) -> Bool {
        lhs.withUnsafeBufferPointer { l in
            rhs.withUnsafeBufferPointer { r in
                l.count == r.count && (l.baseAddress == r.baseAddress || !zip(l, r).contains { $0.plan != $1.plan || $0.state != $1.state })
            }
        }
    }
}
