import Foundation

/// Runs one reflector per watched resource. Either it keeps a `ClusterCache` and calls `onChange` with it
/// after every update that changed it, or (`onUpdate`) it hands each update on, in order, to a caller
/// that keeps the one cache: the dashboard's store, whose cache is then never shared, so that a watch
/// event changes it in place instead of copying thousands of nodes.
public actor ClusterWatcher {
    public private(set) var cache = ClusterCache()
    private var tasks: [Task<Void, Never>] = []
    private var stopped = false
    private let client: any KubeAPI
    private let sources: ClusterSources
    private let onChange: (@Sendable (ClusterCache) -> Void)?
    private let onUpdate: (@Sendable (CacheUpdate) -> Void)?

    public init(client: any KubeAPI, sources: ClusterSources, onChange: @escaping @Sendable (ClusterCache) -> Void) {
        self.client = client
        self.sources = sources
        self.onChange = onChange
        self.onUpdate = nil
    }

    /// `onUpdate` is called on the watcher's actor, one update at a time, in the order they happened.
    public init(client: any KubeAPI, sources: ClusterSources, onUpdate: @escaping @Sendable (CacheUpdate) -> Void) {
        self.client = client
        self.sources = sources
        self.onChange = nil
        self.onUpdate = onUpdate
    }

    public func start() {
        // A watcher stopped before its start ran (two quick context switches) stays stopped.
        guard tasks.isEmpty, !stopped else { return }
        let (client, sources) = (self.client, self.sources)
        for resource in WatchedResource.all {
            tasks.append(Task { [weak self] in
                await resource.reflect(client, sources) { [weak self] update in
                    await self?.apply(update)
                }
            })
        }
    }

    public func stop() {
        stopped = true
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
    }

    private func apply(_ update: CacheUpdate) {
        if let onUpdate { return onUpdate(update) }
        // The update compares only what it touches: no copy and no comparison of the whole cache per event.
        if update.apply(&cache) { onChange?(cache) }
    }
}
