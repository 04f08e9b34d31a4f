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

/// Where the cluster's objects come from: the namespace of Plans and Jobs, and the resources per kind.
public struct ClusterSources: Sendable {
    public let namespace: String

    public init(namespace: String) {
        self.namespace = namespace
    }

    var nodes: KubeResource { .nodes }
    var plans: KubeResource { .plans(namespace) }
    var jobs: KubeResource { .jobs(namespace) }
    var deployments: KubeResource { .deployments(namespace) }
    var pods: KubeResource { .pods(namespace) }
    /// Plans across all namespaces, for the ownership warning (OwnershipDerivation).
    var allPlans: KubeResource { KubeResource(group: "upgrade.cattle.io", version: "v1", plural: "plans") }
    var rancherAgent: KubeResource { .deployments(OwnershipDerivation.rancherNamespace) }
    static let rancherAgentQuery = [("fieldSelector", "metadata.name=\(OwnershipDerivation.rancherAgentName)")]
    /// SUC labels every Job and its pods with `upgrade.cattle.io/plan` (RKE2-FACTS §2.4).
    static let podQuery = [("labelSelector", "upgrade.cattle.io/plan")]
    /// The deploy controller's events name the Addon as involved object (k3s `pkg/deploy/controller.go`).
    static let eventQuery = [("fieldSelector", "involvedObject.kind=Addon")]
}

/// Runs one reflector per resource and keeps a `ClusterCache`; calls `onChange` after every update.
public actor ClusterWatcher {
    public private(set) var cache = ClusterCache()
    private var tasks: [Task<Void, Never>] = []
    private let client: KubeClient
    private let sources: ClusterSources
    private let onChange: @Sendable (ClusterCache) -> Void

    public init(client: KubeClient, sources: ClusterSources, onChange: @escaping @Sendable (ClusterCache) -> Void) {
        self.client = client
        self.sources = sources
        self.onChange = onChange
    }

    public func start() {
        guard tasks.isEmpty else { return }
        tasks.append(spawn(Reflector<KNode>(client: client, resource: sources.nodes), \.nodes, .nodes))
        tasks.append(spawn(Reflector<KPlan>(client: client, resource: sources.plans), \.plans, .plans))
        tasks.append(spawn(Reflector<KJob>(client: client, resource: sources.jobs), \.jobs, .jobs))
        tasks.append(spawn(Reflector<KAddon>(client: client, resource: .addons), \.addons, .addons))
        tasks.append(spawn(Reflector<KHelmChart>(client: client, resource: .helmCharts), \.helmCharts, .helmCharts))
        tasks.append(spawn(Reflector<KDeployment>(client: client, resource: sources.deployments), \.deployments, .deployments))
        tasks.append(spawn(Reflector<KPod>(client: client, resource: sources.pods, query: ClusterSources.podQuery), \.pods, .pods))
        tasks.append(spawn(Reflector<KEvent>(client: client, resource: .events, query: ClusterSources.eventQuery), \.events, .events))
        tasks.append(spawn(Reflector<KPlan>(client: client, resource: sources.allPlans), \.allPlans, .allPlans))
        tasks.append(spawn(Reflector<KDeployment>(client: client, resource: sources.rancherAgent, query: ClusterSources.rancherAgentQuery),
                           \.rancherAgents, .rancherAgent))
    }

    public func stop() {
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
    }

    private func spawn<T: KubeObject>(_ reflector: Reflector<T>, _ path: WritableKeyPath<ClusterCache, [String: T]> & Sendable,
                                      _ kind: ClusterCache.Kind) -> Task<Void, Never> {
        Task { [weak self] in
            guard let watcher = self else { return }
            await reflector.run { [weak watcher] update in
                await watcher?.apply(update, path, kind)
            }
        }
    }

    private func apply<T: KubeObject>(_ update: ReflectorUpdate<T>, _ path: WritableKeyPath<ClusterCache, [String: T]>, _ kind: ClusterCache.Kind) {
        let before = cache
        cache.apply(update, to: path, kind: kind)
        if cache != before { onChange(cache) }
    }
}

/// One (paged) LIST of each resource, concurrently: what `status` needs (GET requests only).
public enum ClusterReader {
    public static func readOnce(client: KubeClient, sources: ClusterSources) async -> ClusterCache {
        async let nodes: ([KNode], ResourceHealth) = list(client, sources.nodes)
        async let plans: ([KPlan], ResourceHealth) = list(client, sources.plans)
        async let jobs: ([KJob], ResourceHealth) = list(client, sources.jobs)
        async let addons: ([KAddon], ResourceHealth) = list(client, .addons)
        async let charts: ([KHelmChart], ResourceHealth) = list(client, .helmCharts)
        async let deployments: ([KDeployment], ResourceHealth) = list(client, sources.deployments)
        async let pods: ([KPod], ResourceHealth) = list(client, sources.pods, query: ClusterSources.podQuery)
        async let events: ([KEvent], ResourceHealth) = list(client, .events, query: ClusterSources.eventQuery)
        async let allPlans: ([KPlan], ResourceHealth) = list(client, sources.allPlans)
        async let agents: ([KDeployment], ResourceHealth) = list(client, sources.rancherAgent, query: ClusterSources.rancherAgentQuery)
        var cache = ClusterCache()
        let n = await nodes, p = await plans, j = await jobs, a = await addons, c = await charts, d = await deployments
        let po = await pods, e = await events
        cache.apply(.replace(po.0), to: \.pods, kind: .pods); cache.health[ClusterCache.Kind.pods.rawValue] = po.1
        cache.apply(.replace(e.0), to: \.events, kind: .events); cache.health[ClusterCache.Kind.events.rawValue] = e.1
        cache.apply(.replace(n.0), to: \.nodes, kind: .nodes); cache.health[ClusterCache.Kind.nodes.rawValue] = n.1
        cache.apply(.replace(p.0), to: \.plans, kind: .plans); cache.health[ClusterCache.Kind.plans.rawValue] = p.1
        cache.apply(.replace(j.0), to: \.jobs, kind: .jobs); cache.health[ClusterCache.Kind.jobs.rawValue] = j.1
        cache.apply(.replace(a.0), to: \.addons, kind: .addons); cache.health[ClusterCache.Kind.addons.rawValue] = a.1
        cache.apply(.replace(c.0), to: \.helmCharts, kind: .helmCharts); cache.health[ClusterCache.Kind.helmCharts.rawValue] = c.1
        cache.apply(.replace(d.0), to: \.deployments, kind: .deployments); cache.health[ClusterCache.Kind.deployments.rawValue] = d.1
        let ap = await allPlans, ag = await agents
        cache.apply(.replace(ap.0), to: \.allPlans, kind: .allPlans); cache.health[ClusterCache.Kind.allPlans.rawValue] = ap.1
        cache.apply(.replace(ag.0), to: \.rancherAgents, kind: .rancherAgent); cache.health[ClusterCache.Kind.rancherAgent.rawValue] = ag.1
        return cache
    }

    static func list<T: KubeObject>(_ client: KubeClient, _ resource: KubeResource, query: [(String, String)] = []) async -> ([T], ResourceHealth) {
        do {
            let list: (items: [T], resourceVersion: String?) = try await client.listAll(resource, query: query)
            return (list.items, .ok)
        } catch let error as KubeError {
            if error.isNotFound { return ([], .missing) }
            if case .unauthorized = error { return ([], .unauthorized(error.description)) }
            return ([], .unreachable(error.description, retryAt: nil))
        } catch {
            return ([], .unreachable("\(resource.label): cannot decode the list: \(error)", retryAt: nil))
        }
    }
}
