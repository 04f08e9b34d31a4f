import Foundation

/// Merges the host scans and the watch streams into one immutable `DashboardSnapshot` and publishes it
/// whenever its content changes, coalescing bursts (a relist of 500 nodes is one snapshot, not 500).
public actor DashboardStore {
    public struct Configuration: Sendable {
        public var local: any LocalSource
        public var namespace: String
        /// How often the host is checked for a change (inotify events, the rke2 process); a change
        /// triggers a full rescan (process, binary, manifests, config). A source without change
        /// detection is rescanned at this interval.
        public var localInterval: TimeInterval
        /// The longest time between two full rescans even when nothing fired (the safety net).
        public var safetyInterval: TimeInterval
        /// How long a burst of changes is gathered before one snapshot is published.
        public var coalesce: TimeInterval

        public init(local: any LocalSource, namespace: String, localInterval: TimeInterval = 2, coalesce: TimeInterval = 0.05,
                    safetyInterval: TimeInterval? = nil) {
            self.local = local
            self.namespace = namespace
            self.localInterval = localInterval
            self.safetyInterval = safetyInterval ?? min(30, max(localInterval, localInterval * 15))
            self.coalesce = coalesce
        }
    }

    private let configuration: Configuration
    private var source: ClusterSource
    private var watcher: ClusterWatcher?
    private var localTask: Task<Void, Never>?
    private var local: (LocalNode, [ManifestFile])?
    /// Fires when the host may have changed; nil without inotify.
    private let monitor: HostChangeMonitor?
    /// Whether the last scan armed the monitor (a source with directories to watch, a scan that worked).
    private var monitorArmed = false
    private var localError: String?
    /// Only the store holds it (the watcher hands over updates, not copies): a watch event changes it in
    /// place, never copying the other nodes.
    private var cache: ClusterCache?
    /// What the last derivation found per node: the next one re-derives only what changed.
    private var memo = DerivationMemo()
    /// Bumped by every update that changed `cache`.
    private var cacheGeneration: UInt64 = 0
    /// Applies the watcher's updates in the order it produced them.
    private var updatesTask: Task<Void, Never>?
    /// Increases with every cluster switch.
    private var epoch = 0
    private var sequence: UInt64 = 0
    private var continuation: AsyncStream<DashboardSnapshot>.Continuation?
    private var published: DashboardSnapshot?
    private var publishPending = false
    private var lastPublishAt: ContinuousClock.Instant?
    /// Bumped when the host scan's result changes.
    private var localVersion: UInt64 = 0
    /// The inputs (`localVersion`, `cacheGeneration`) of the last snapshot derived.
    private var builtFrom: (UInt64, UInt64)?

    public init(configuration: Configuration, cluster: ClusterSource) {
        self.configuration = configuration
        self.source = cluster
        self.monitor = HostChangeMonitor(procRoot: configuration.local.paths.procRoot)
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
        cacheGeneration &+= 1
        memo = DerivationMemo()
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
        let (interval, safety) = (configuration.localInterval, configuration.safetyInterval)
        localTask = Task { [weak self] in
            while !Task.isCancelled {
                await self?.rescanLocal()
                // Then cheap checks until one fires or the safety interval has passed.
                var waited: TimeInterval = 0
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                    waited += interval
                    guard let self else { return }
                    if waited >= safety { break }
                    if await self.hostMayHaveChanged() { break }
                }
            }
        }
    }

    private func startWatching() {
        switch source {
        case let .kube(client) where watcher == nil:
            // One stream, one consumer: updates are applied in the order the watcher produced them, and
            // one from the cluster shown before a switch never lands after it.
            let epoch = self.epoch
            let (updates, continuation) = AsyncStream<CacheUpdate>.makeStream()
            let watcher = ClusterWatcher(client: client, sources: ClusterSources(namespace: configuration.namespace)) { update in
                continuation.yield(update)
            }
            updatesTask?.cancel()
            updatesTask = Task { [weak self] in
                for await update in updates {
                    guard let self else { return }
                    await self.clusterUpdated(update, epoch: epoch)
                }
            }
            self.watcher = watcher
            Task { await watcher.start() }
        default: break
        }
    }

    /// Whether a full host scan is due: the monitor fired, or there is none (rescan at every interval).
    private func hostMayHaveChanged() -> Bool {
        guard monitorArmed, let monitor else { return true }
        return monitor.changed()
    }

    public func stop() async {
        localTask?.cancel()
        localTask = nil
        updatesTask?.cancel()
        updatesTask = nil
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
        monitor?.reset()
        let result = await Task.detached { () -> Result<(LocalNode, [ManifestFile]), Error> in
            Result { try source.read() }
        }.value
        let before = (local, localError)
        switch result {
        case let .success(value):
            local = value
            localError = nil
            let directories = source.watchedDirectories(value.0, value.1)
            var processes: [ProcessIdentity] = []
            if let process = value.0.running?.process {
                processes = [ProcessIdentity(pid: process.pid, startTicks: process.startTicks)] + process.children.map(\.identity)
            }
            monitor?.arm(directories: directories, processes: processes)
            monitorArmed = !directories.isEmpty
        case let .failure(error):
            monitorArmed = false
            localError = (error as? UpgradeError)?.message ?? "\(error)"
            if local == nil {
                // Nothing to show yet: an empty node, so the error can be shown on screen.
                local = (LocalNode(role: .unknown, hostname: POSIX.hostName(), paths: source.paths, binary: nil, running: nil,
                                   config: .emptyForErrors, problems: []), [])
            }
        }
        // The same host as last time: nothing to derive, nothing to publish (idle costs the scan only).
        if let old = before.0, let new = local, old.0 == new.0, old.1 == new.1, before.1 == localError, published != nil { return }
        localVersion &+= 1
        schedulePublish()
    }

    /// One change from the watcher, applied to the store's own cache; one from the cluster shown before a
    /// switch is dropped.
    func clusterUpdated(_ update: CacheUpdate, epoch: Int) {
        guard epoch == self.epoch, cache != nil else { return }
        guard update.apply(&cache!) else { return }
        cacheGeneration &+= 1
        schedulePublish()
    }

    /// Publishes at once when the store was idle (a change reaches the screen without waiting); a change
    /// within `coalesce` of the last publication waits for the end of that window, so a burst (a relist,
    /// 40 patches) becomes one more snapshot, not one per change.
    private func schedulePublish() {
        guard !publishPending else { return }
        let window = Duration.nanoseconds(Int64(configuration.coalesce * 1e9))
        let now = ContinuousClock.now
        if let last = lastPublishAt, now < last + window {
            publishPending = true
            let delay = last + window - now
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.publish()
            }
        } else {
            publish()
        }
    }

    private func publish() {
        publishPending = false
        lastPublishAt = ContinuousClock.now
        // Derive only when an input changed since the last derivation.
        guard builtFrom == nil || builtFrom! != (localVersion, cacheGeneration) else { return }
        guard let snapshot = current() else { return }
        builtFrom = (localVersion, cacheGeneration)
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
                                             server: server, connectionError: connectionError, insecure: insecure, context: context,
                                             memo: memo)
        // The memo has them now.
        cache?.clearNodeChanges()
        snapshot.localError = localError
        return snapshot
    }
}
