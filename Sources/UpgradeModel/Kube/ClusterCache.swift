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

    public init() {}

    public enum Kind: String, Sendable, CaseIterable {
        case nodes, plans, jobs, addons, helmCharts, deployments, pods, events
        case allPlans, rancherAgent
    }

    public func health(_ kind: Kind) -> ResourceHealth { health[kind.rawValue] ?? .pending }

    public mutating func apply<T: KubeObject>(_ update: ReflectorUpdate<T>, to path: WritableKeyPath<ClusterCache, [String: T]>, kind: Kind) {
        switch update {
        case let .replace(items):
            self[keyPath: path] = Dictionary(items.map { ($0.metadata.key, $0) }, uniquingKeysWith: { _, last in last })
        case let .upsert(item):
            self[keyPath: path][item.metadata.key] = item
        case let .delete(item):
            self[keyPath: path][item.metadata.key] = nil
        case let .health(health):
            self.health[kind.rawValue] = health
        }
    }
}
