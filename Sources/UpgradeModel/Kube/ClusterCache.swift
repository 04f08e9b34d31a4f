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
    /// Counts the LISTs that changed the cache. After one, resourceVersions may not mean what they meant
    /// (an etcd restore rewinds them), so `DerivationMemo` compares whole objects once.
    public var relists: UInt64 = 0

    public init() {}

    public enum Kind: String, Sendable, CaseIterable {
        case nodes, plans, jobs, addons, helmCharts, deployments, pods, events
        case allPlans, rancherAgent
    }

    public func health(_ kind: Kind) -> ResourceHealth { health[kind.rawValue] ?? .pending }

    /// Applies one change; returns whether the cache changed (an upsert of an identical object, a
    /// relist that returns what is known, do not), comparing only what the change touches.
    @discardableResult
    public mutating func apply<T: KubeObject>(_ update: ReflectorUpdate<T>, to path: WritableKeyPath<ClusterCache, [String: T]>, kind: Kind) -> Bool {
        switch update {
        case let .replace(items):
            var next = [String: T](minimumCapacity: items.count)
            for item in items { next[item.metadata.key] = item }
            guard next != self[keyPath: path] else { return false }
            self[keyPath: path] = next
            relists &+= 1
        case let .upsert(item):
            guard self[keyPath: path][item.metadata.key] != item else { return false }
            self[keyPath: path][item.metadata.key] = item
        case let .delete(item):
            return self[keyPath: path].removeValue(forKey: item.metadata.key) != nil
        case let .health(health):
            guard self.health[kind.rawValue] != health else { return false }
            self.health[kind.rawValue] = health
        }
        return true
    }
}
