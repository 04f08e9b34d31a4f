import Foundation

/// Merges the host scan and the cluster cache into one `DashboardSnapshot`. Pure.
public enum SnapshotBuilder {
    /// `connection` is nil when no kubeconfig was found; `connectionError` says why one was unusable.
    public static func build(local: LocalNode, files: [ManifestFile], cache: ClusterCache?, namespace: String,
                             server: String?, connectionError: String?, insecure: KubeAccess.Insecurity? = nil, context: String? = nil,
                             now: Date = Date(), memo: DerivationMemo? = nil) -> DashboardSnapshot {
        guard let cache else {
            var status = ClusterStatus.notConfigured
            status.error = connectionError
            return DashboardSnapshot(local: local, manifests: ManifestDerivation.merge(files, cache: nil, addonsKnown: false,
                                                                                   context: .init(local)),
                                     cluster: status, takenAt: now)
        }
        var cluster = ClusterDerivation.derive(cache, namespace: namespace, server: server, memo: memo)
        cluster.insecure = insecure
        cluster.context = context
        let addonsKnown = cluster.api == .ok && cache.health(.addons) == .ok
        let context = ManifestDerivation.Context(local)
        let merge = { ManifestDerivation.merge(files, cache: cache, addonsKnown: addonsKnown, context: context) }
        let manifests = memo.map {
            $0.manifests(.init(files: files, addons: cache.addons, helmCharts: cache.helmCharts, events: cache.events,
                               addonsKnown: addonsKnown, context: context), merge: merge)
        } ?? merge()
        return DashboardSnapshot(local: local, manifests: manifests, cluster: cluster, takenAt: now)
    }
}
