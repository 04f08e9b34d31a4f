import Foundation

/// Where the cluster half comes from: an API server (real, or the demo's in memory), or none.
public enum ClusterSource: Sendable {
    case kube(any KubeAPI)
    /// No cluster: the reason, if a kubeconfig was found but is unusable.
    case none(String?)

    public init(_ outcome: ClusterConnection.Outcome) {
        switch outcome {
        case let .connected(client): self = .kube(client)
        case let .notConfigured(reason): self = .none(reason)
        }
    }
}
