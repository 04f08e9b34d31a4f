import Foundation

/// The cluster objects upgrade-tui watches, as last seen, with each resource's health.
/// A plain value: the watcher mutates its own copy and hands out copies.
public struct ClusterCache: Sendable, Equatable {
    public var nodes: [String: KNode] = [:]
    public var plans: [String: KPlan] = [:]
    public var jobs: [String: KJob] = [:]
    public var addons: [String: KAddon] = [:]
    public var helmCharts: [String: KHelmChart] = [:]
    public var deployments: [String: KDeployment] = [:]
    /// The upgrade Jobs' pods (label `upgrade.cattle.io/plan`), for why a Job is stuck.
    public var pods: [String: KPod] = [:]
    /// Events about Addons in kube-system: which server applied a manifest, and failures.
    public var events: [String: KEvent] = [:]
    /// Plans in every namespace (keyed namespace/name): someone else's rke2 Plans mean someone else owns upgrades.
    public var allPlans: [String: KPlan] = [:]
    /// `cattle-system/cattle-cluster-agent`, when it exists: a Rancher-managed cluster.
    public var rancherAgents: [String: KDeployment] = [:]
    public var health: [String: ResourceHealth] = [:]
    /// Counts the LISTs of nodes that changed the cache. After one, resourceVersions may not mean what
    /// they meant (an etcd restore rewinds them), so `DerivationMemo` compares whole nodes once. (The
    /// memo compares the other resources it reads whole, so their LISTs do not count.)
    public var nodeRelists: UInt64 = 0
    /// The nodes `apply` changed since the owner last cleared them (`clearNodeChanges`): a derivation with
    /// a `DerivationMemo` re-derives these, not every node. A new cache starts with all of them.
    public private(set) var nodeChanges = NodeChanges.all

    public init() {}

    /// The objects and their health; not `nodeChanges`, which is bookkeeping for the derivation.
    public static func == (lhs: ClusterCache, rhs: ClusterCache) -> Bool {
        lhs.nodes == rhs.nodes && lhs.plans == rhs.plans && lhs.jobs == rhs.jobs && lhs.addons == rhs.addons
            && lhs.helmCharts == rhs.helmCharts && lhs.deployments == rhs.deployments && lhs.pods == rhs.pods
            && lhs.events == rhs.events && lhs.allPlans == rhs.allPlans && lhs.rancherAgents == rhs.rancherAgents
            && lhs.health == rhs.health && lhs.nodeRelists == rhs.nodeRelists
    }

    /// The owner calls this after a derivation with its memo, which has taken the changes over.
    public mutating func clearNodeChanges() { nodeChanges = NodeChanges() }

    public enum Kind: String, Sendable, CaseIterable {
        case nodes, plans, jobs, addons, helmCharts, deployments, pods, events
        case allPlans, rancherAgent
    }

    public func health(_ kind: Kind) -> ResourceHealth { health[kind.rawValue] ?? .pending }

    /// Applies one change; returns whether the cache changed (an upsert of an identical object, a
    /// relist that returns what is known, do not), comparing only what the change touches.
    /// Nodes must change through here (`nodeChanges` records them by their key path, whatever `kind` says).
    @discardableResult
    public mutating func apply<T: KubeObject>(_ update: ReflectorUpdate<T>, to path: WritableKeyPath<ClusterCache, [String: T]>, kind: Kind) -> Bool {
        let nodes = (path as AnyKeyPath) == (\ClusterCache.nodes as AnyKeyPath)
        switch update {
        case let .replace(items):
            var next = [String: T](minimumCapacity: items.count)
            for item in items { next[item.metadata.key] = item }
            guard next != self[keyPath: path] else { return false }
            self[keyPath: path] = next
            if nodes {
                nodeRelists &+= 1
                nodeChanges = .all
            }
        case let .upsert(item):
            guard self[keyPath: path][item.metadata.key] != item else { return false }
            self[keyPath: path][item.metadata.key] = item
            if nodes { nodeChanges.insert(item.metadata.key) }
        case let .delete(item):
            guard self[keyPath: path].removeValue(forKey: item.metadata.key) != nil else { return false }
            if nodes { nodeChanges.insert(item.metadata.key) }
        case let .health(health):
            guard self.health[kind.rawValue] != health else { return false }
            self.health[kind.rawValue] = health
        }
        return true
    }
}

/// Which nodes changed: their keys, or all of them (a LIST replaced them, or too many to list).
public struct NodeChanges: Sendable, Equatable {
    /// Beyond this many keys a full pass is as cheap as looking each one up.
    static let limit = 1024
    public private(set) var keys: Set<String> = []
    public private(set) var all = false

    public init() {}
    public static let all: NodeChanges = { var changes = NodeChanges(); changes.all = true; return changes }()

    mutating func insert(_ key: String) {
        guard !all else { return }
        keys.insert(key)
        if keys.count > Self.limit { self = .all }
    }

    mutating func formUnion(_ other: NodeChanges) {
        if all || other.all { self = .all; return }
        for key in other.keys { insert(key) }
    }
}
