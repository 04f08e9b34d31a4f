import Foundation

/// One (paged) LIST of each watched resource, concurrently: what `status` needs (GET requests only).
public enum ClusterReader {
    /// Each list goes into the cache as it arrives (every resource has its own place in it, so the order
    /// does not matter), and is let go of then: not all of them held until the last one arrives.
    public static func readOnce(client: any KubeAPI, sources: ClusterSources) async -> ClusterCache {
        await withTaskGroup(of: CacheUpdate.self) { group in
            for resource in WatchedResource.all {
                group.addTask { await resource.read(client, sources) }
            }
            var cache = ClusterCache()
            for await update in group { _ = update.apply(&cache) }
            return cache
        }
    }
}
