import Foundation

/// Merges the host scans and the watch streams into one immutable `DashboardSnapshot` and publishes it
/// whenever its content changes, coalescing bursts (a relist of 500 nodes is one snapshot, not 500).
public actor DashboardStore {
    public struct Configuration: Sendable {
        public var local: any LocalSource
        public var namespace: String
        /// How often the host (process, binary, manifests, config) is rescanned.
        public var localInterval: TimeInterval
        /// How long a burst of changes is gathered before one snapshot is published.
        public var coalesce: TimeInterval

        public init(local: any LocalSource, namespace: String, localInterval: TimeInterval = 2, coalesce: TimeInterval = 0.05) {
            self.local = local
            self.namespace = namespace
            self.localInterval = localInterval
            self.coalesce = coalesce
        }
    }

    private let configuration: Configuration
    private var source: ClusterSource
    private var watcher: ClusterWatcher?
    private var localTask: Task<Void, Never>?
    private var local: (LocalNode, [ManifestFile])?
    private var localError: String?
    private var cache: ClusterCache?
    /// The generation of `cache`: caches arrive through separate tasks, which may run out of order.
    private var cacheGeneration: UInt64 = 0
    private let counter = GenerationCounter()
    /// Increases with every cluster switch.
    private var epoch = 0
    private var sequence: UInt64 = 0
    private var continuation: AsyncStream<DashboardSnapshot>.Continuation?
    private var published: DashboardSnapshot?
    private var publishPending = false

    public init(configuration: Configuration, cluster: ClusterSource) {
        self.configuration = configuration
        self.source = cluster
        if case .none = cluster { cache = nil } else { cache = ClusterCache() }
    }

    private var server: String? {
        switch source {
        case let .kube(client): return client.server
        case .none: return nil
        }
    }

    private var context: String? {
        if case let .kube(client) = source { return client.context }
        return nil
    }

    /// The API the dashboard shows now (operations write through it, so they follow a context switch).
    public var api: (any KubeAPI)? {
        if case let .kube(client) = source { return client }
        return nil
    }

    /// Switches to another cluster (a kubeconfig context): the old watches stop and their client is shut
    /// down, the cache starts empty, and the next snapshot shows the new cluster as it is listed.
    public func switchCluster(to next: ClusterSource) async {
        await watcher?.stop()
        watcher = nil
        let old = source
        source = next
        epoch += 1
        if case .none = next { cache = nil } else { cache = ClusterCache() }
        startWatching()
        schedulePublish()
        if case let .kube(client) = old { await client.shutdown() }
    }

    private var insecure: KubeAccess.Insecurity? {
        if case let .kube(client) = source { return client.insecurity }
        return nil
    }

    private var connectionError: String? {
        if case let .none(reason) = source { return reason }
        return nil
    }

    /// The stream of snapshots; one consumer. The first arrives after the first host scan.
    public func updates() -> AsyncStream<DashboardSnapshot> {
        let (stream, continuation) = AsyncStream<DashboardSnapshot>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.continuation = continuation
        if let published { continuation.yield(published) }
        return stream
    }

    public func start() {
        startWatching()
        guard localTask == nil else { return }
        let interval = configuration.localInterval
        localTask = Task { [weak self] in
            while !Task.isCancelled {
                await self?.rescanLocal()
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    private func startWatching() {
        switch source {
        case let .kube(client) where watcher == nil:
            // Numbered when they are produced (in order), applied when their task runs (in any order);
            // a cache from the cluster shown before a switch never lands after it.
            let counter = self.counter
            let epoch = self.epoch
            let watcher = ClusterWatcher(client: client, sources: ClusterSources(namespace: configuration.namespace)) { [weak self] cache in
                let generation = counter.next()
                Task { await self?.clusterChanged(cache, generation: generation, epoch: epoch) }
            }
            self.watcher = watcher
            Task { await watcher.start() }
        default: break
        }
    }

    public func stop() async {
        localTask?.cancel()
        localTask = nil
        await watcher?.stop()
        watcher = nil
        continuation?.finish()
        switch source {
        case let .kube(client): await client.shutdown()
        case .none: break
        }
    }

    /// Rescans the host now (after an operation changed it), off the actor: `--version` may take seconds.
    public func rescanLocal() async {
        let source = configuration.local
        let result = await Task.detached { () -> Result<(LocalNode, [ManifestFile]), Error> in
            Result { try source.read() }
        }.value
        switch result {
        case let .success(value):
            local = value
            localError = nil
        case let .failure(error):
            localError = (error as? UpgradeError)?.message ?? "\(error)"
            if local == nil {
                // Nothing to show yet: an empty node, so the error can be shown on screen.
                local = (LocalNode(role: .unknown, hostname: POSIX.hostName(), paths: source.paths, binary: nil, running: nil,
                                   config: .emptyForErrors, problems: []), [])
            }
        }
        schedulePublish()
    }

    /// A newer cache replaces the current one; an older one that arrives late is dropped, and so is one
    /// from the cluster shown before a switch.
    func clusterChanged(_ cache: ClusterCache, generation: UInt64, epoch: Int? = nil) {
        guard generation > cacheGeneration, epoch == nil || epoch == self.epoch else { return }
        cacheGeneration = generation
        self.cache = cache
        schedulePublish()
    }

    private func schedulePublish() {
        guard !publishPending else { return }
        publishPending = true
        let delay = configuration.coalesce
        Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            await self?.publish()
        }
    }

    private func publish() {
        publishPending = false
        guard let snapshot = current() else { return }
        if let published, published.sameContent(as: snapshot) { return }
        var numbered = snapshot
        sequence += 1
        numbered.sequence = sequence
        published = numbered
        continuation?.yield(numbered)
    }

    /// The snapshot as of now, whether or not it changed.
    public func current() -> DashboardSnapshot? {
        guard let (node, files) = local else { return nil }
        var snapshot = SnapshotBuilder.build(local: node, files: files, cache: cache, namespace: configuration.namespace,
                                             server: server, connectionError: connectionError, insecure: insecure, context: context)
        snapshot.localError = localError
        return snapshot
    }
}

/// Numbers events in the order they happen, from any thread.
final class GenerationCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
