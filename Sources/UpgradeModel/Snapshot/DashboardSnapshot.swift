import Foundation

/// One manifest with everything known about it: the file on this node and, when the cluster answers,
/// its Addon and HelmChart.
public struct ManifestStatus: Sendable, Equatable {
    public let file: ManifestFile
    public let state: ManifestState
    /// `Addon.spec.checksum`: sha256 of the bytes last applied (by any server).
    public let addonChecksum: String?
    /// From the HelmChart's `helm.cattle.io/chart-url` annotation.
    public let chartVersion: String?
    /// The HelmChart's `Failed` condition message, when set.
    public let chartFailure: String?

    public init(file: ManifestFile, state: ManifestState, addonChecksum: String? = nil,
                chartVersion: String? = nil, chartFailure: String? = nil) {
        self.file = file
        self.state = state
        self.addonChecksum = addonChecksum
        self.chartVersion = chartVersion
        self.chartFailure = chartFailure
    }
}

public enum APIState: String, Sendable, Equatable {
    case ok, unreachable, unauthorized
    case notConfigured = "not-configured"
}

public enum ControllerState: String, Sendable, Equatable {
    case ready
    case notReady = "not-ready"
    case missing, unknown
}

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
