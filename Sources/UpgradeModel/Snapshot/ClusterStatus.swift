import Foundation

/// The cluster as upgrade-tui derives it from the API (filled by the cluster view; `not-configured` until
/// a kubeconfig is found).
public struct ClusterStatus: Sendable, Equatable {
    public var api: APIState
    public var error: String?
    public var upgradeController: ControllerState

    public init(api: APIState, error: String? = nil, upgradeController: ControllerState = .unknown) {
        self.api = api
        self.error = error
        self.upgradeController = upgradeController
    }

    public static let notConfigured = ClusterStatus(api: .notConfigured)
}
