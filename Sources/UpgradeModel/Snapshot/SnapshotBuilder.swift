import Foundation

/// Merges the host scan and the cluster cache into one `DashboardSnapshot`. Pure.
public enum SnapshotBuilder {
    /// `connection` is nil when no kubeconfig was found; `connectionError` says why one was unusable.
    public static func build(local: LocalNode, files: [ManifestFile], cache: ClusterCache?, namespace: String,
                             server: String?, connectionError: String?, insecure: KubeAccess.Insecurity? = nil,
                             now: Date = Date()) -> DashboardSnapshot {
        guard let cache else {
            var status = ClusterStatus.notConfigured
            status.error = connectionError
            return DashboardSnapshot(local: local, manifests: ManifestDerivation.merge(files, cache: nil, addonsKnown: false,
                                                                                   context: .init(local)),
                                     cluster: status, takenAt: now)
        }
        var cluster = ClusterDerivation.derive(cache, namespace: namespace, server: server)
        cluster.insecure = insecure
        let addonsKnown = cluster.api == .ok && cache.health(.addons) == .ok
        return DashboardSnapshot(local: local, manifests: ManifestDerivation.merge(files, cache: cache, addonsKnown: addonsKnown,
                                                                                   context: .init(local)),
                                 cluster: cluster, takenAt: now)
    }
}

/// Opens the cluster connection the options describe, or says why there is none.
public enum ClusterConnection {
    public enum Outcome: Sendable {
        case connected(KubeClient)
        /// No kubeconfig anywhere: the dashboard works on local facts alone.
        case notConfigured(String?)
    }

    /// An explicitly given kubeconfig that does not exist is bad input (exit 2); any other problem leaves
    /// the cluster `not-configured` with the reason, so that the local part still works.
    public static func open(explicit: String?, environment: [String: String]) throws -> Outcome {
        guard let path = Kubeconfig.resolve(explicit: explicit, environment: environment) else {
            return .notConfigured(nil)
        }
        if explicit != nil, POSIX.fileInfo(path) == nil {
            throw UpgradeError.input("kubeconfig \(path) does not exist")
        }
        do {
            let access = try Kubeconfig.load(path: path)
            return .connected(try KubeClient(access: access))
        } catch let error as UpgradeError {
            return .notConfigured(error.message)
        }
    }
}
