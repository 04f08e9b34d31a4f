import Foundation

/// One (paged) LIST of each watched resource, concurrently: what `status` needs (GET requests only).
public enum ClusterReader {
    public static func readOnce(client: any KubeAPI, sources: ClusterSources) async -> ClusterCache {
        let updates = await withTaskGroup(of: (Int, CacheUpdate).self) { group in
            for (index, resource) in WatchedResource.all.enumerated() {
                group.addTask { (index, await resource.read(client, sources)) }
            }
            var updates: [(Int, CacheUpdate)] = []
            for await update in group { updates.append(update) }
            return updates.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var cache = ClusterCache()
        for update in updates { _ = update.apply(&cache) }
        return cache
    }
}
