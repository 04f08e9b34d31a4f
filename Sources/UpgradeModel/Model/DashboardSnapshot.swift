import Foundation

/// The immutable value every view reads: `status` prints it, the dashboard draws it.
public struct DashboardSnapshot: Sendable, Equatable {
    public var local: LocalNode
    public var manifests: [ManifestStatus]
    public var cluster: ClusterStatus
    public var takenAt: Date
    /// Why the last host scan failed (e.g. malformed config YAML); the previous scan is still shown.
    public var localError: String?
    /// Increases with every snapshot the store publishes: a receiver drops one older than what it shows.
    public var sequence: UInt64 = 0

    public init(local: LocalNode, manifests: [ManifestStatus], cluster: ClusterStatus, takenAt: Date = Date(), localError: String? = nil) {
        self.local = local
        self.manifests = manifests
        self.cluster = cluster
        self.takenAt = takenAt
        self.localError = localError
    }

    /// Equal apart from when it was taken (and its number): what "changed" means for publishing and redrawing.
    public func sameContent(as other: DashboardSnapshot) -> Bool {
        var copy = other
        copy.takenAt = takenAt
        copy.sequence = sequence
        return copy == self
    }
}
