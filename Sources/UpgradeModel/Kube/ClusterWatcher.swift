import Foundation

/// Runs one reflector per watched resource and keeps a `ClusterCache`; calls `onChange` after every
/// update that changed it.
public actor ClusterWatcher {
    public private(set) var cache = ClusterCache()
    private var tasks: [Task<Void, Never>] = []
    private let client: any KubeAPI
    private let sources: ClusterSources
    private let onChange: @Sendable (ClusterCache) -> Void

    public init(client: any KubeAPI, sources: ClusterSources, onChange: @escaping @Sendable (ClusterCache) -> Void) {
        self.client = client
        self.sources = sources
        self.onChange = onChange
    }

    public func start() {
        guard tasks.isEmpty else { return }
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
        tasks.forEach { $0.cancel() }
        tasks.removeAll()
    }

    private func apply(_ update: CacheUpdate) {
        // The update compares only what it touches: no copy and no comparison of the whole cache per event.
        if update.apply(&cache) { onChange(cache) }
    }
}
