import Foundation

/// Where the cluster's objects come from: the namespace of the Plans, their Jobs and pods, and SUC.
public struct ClusterSources: Sendable {
    public let namespace: String

    public init(namespace: String) {
        self.namespace = namespace
    }
}

/// A change to a `ClusterCache`, produced by a reflector or a LIST, applied where the cache lives.
public struct CacheUpdate: Sendable {
    /// Applies the change; true if the cache changed.
    let apply: @Sendable (inout ClusterCache) -> Bool
}

/// One resource upgrade-tui reads. `all` is the one table of them: the watcher runs a reflector per
/// entry, the reader lists each once, and each entry knows where its objects go in the cache.
public struct WatchedResource: Sendable {
    public let kind: ClusterCache.Kind
    /// The collection, given the namespace of the Plans.
    public let resource: @Sendable (ClusterSources) -> KubeResource
    public let query: [(String, String)]
    /// Lists, then watches, until cancelled; every change goes to `sink`.
    let reflect: @Sendable (any KubeAPI, ClusterSources, @escaping @Sendable (CacheUpdate) async -> Void) async -> Void
    /// One (paged) LIST, as a change that replaces this resource in a cache and sets its health.
    let read: @Sendable (any KubeAPI, ClusterSources) async -> CacheUpdate

    public static let all: [WatchedResource] = [
        entry(.nodes, \.nodes) { _ in .nodes },
        entry(.plans, \.plans) { .plans($0.namespace) },
        entry(.jobs, \.jobs) { .jobs($0.namespace) },
        entry(.addons, \.addons) { _ in .addons },
        entry(.helmCharts, \.helmCharts) { _ in .helmCharts },
        entry(.deployments, \.deployments) { .deployments($0.namespace) },
        // SUC labels every Job and its pods with `upgrade.cattle.io/plan` (docs/rke2-rules.md#suc-jobs-and-their-pods).
        entry(.pods, \.pods, query: [("labelSelector", "upgrade.cattle.io/plan")]) { .pods($0.namespace) },
        // The deploy controller's events name the Addon as involved object (k3s `pkg/deploy/controller.go`).
        entry(.events, \.events, query: [("fieldSelector", "involvedObject.kind=Addon")]) { _ in .events },
        // Plans in every namespace and Rancher's cluster agent: someone else owns upgrades (OwnershipDerivation).
        entry(.allPlans, \.allPlans) { _ in KubeResource(group: "upgrade.cattle.io", version: "v1", plural: "plans") },
        entry(.rancherAgent, \.rancherAgents, query: [("fieldSelector", "metadata.name=\(OwnershipDerivation.rancherAgentName)")]) { _ in
            .deployments(OwnershipDerivation.rancherNamespace)
        },
    ]

    static func entry<T: KubeObject>(_ kind: ClusterCache.Kind, _ path: WritableKeyPath<ClusterCache, [String: T]> & Sendable,
                                     query: [(String, String)] = [],
                                     _ resource: @escaping @Sendable (ClusterSources) -> KubeResource) -> WatchedResource {
        WatchedResource(
            kind: kind, resource: resource, query: query,
            reflect: { api, sources, sink in
                let reflector = Reflector<T>(client: api, resource: resource(sources), query: query)
                await reflector.run { update in
                    await sink(CacheUpdate { $0.apply(update, to: path, kind: kind) })
                }
            },
            read: { api, sources in
                let (items, health): ([T], ResourceHealth) = await list(api, resource(sources), query: query)
                return CacheUpdate { cache in
                    cache.apply(.replace(items), to: path, kind: kind)
                    cache.health[kind.rawValue] = health
                    return true
                }
            })
    }

    static func list<T: KubeObject>(_ api: any KubeAPI, _ resource: KubeResource, query: [(String, String)]) async -> ([T], ResourceHealth) {
        do {
            let list: (items: [T], resourceVersion: String?) = try await api.listAll(resource, query: query)
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
