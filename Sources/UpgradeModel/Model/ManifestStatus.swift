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
    /// The cluster HelmChart's version and the one the file on disk names, each when known.
    public var chartVersionInCluster: String?
    public var chartVersionOnDisk: String?
    /// State `failed`: the reason from the Addon's latest failure event.
    public var failure: String?
    /// Per server, its latest deploy-controller event for this Addon, newest first.
    public var appliedBy: [AddonApply] = []
    /// Servers that still apply it although this node skips or disables it.
    public var appliedElsewhere: [AddonApply] = []
    /// This node runs no deploy controller (`disable-apiserver`): its files are never applied from here.
    public var notDeployedHere = false

    /// "1.39.101 → 1.40.000 on disk" when the file names another version than the cluster runs.
    public var chartVersionText: String? {
        if let cluster = chartVersionInCluster, let disk = chartVersionOnDisk, cluster != disk { return "\(cluster) → \(disk) on disk" }
        return chartVersion
    }

    /// "server-2 applied rke2-coredns 3 min ago: it has no .skip there", one per such server.
    public func elsewhereWarnings(now: Date = Date()) -> [String] {
        let why = file.disabledBy != nil ? "it is not disabled there" : "it has no .skip there"
        return appliedElsewhere.map { apply in
            let who = apply.node ?? "a server that does not report its name (no source.host)"
            let when = apply.at.map { " " + AddonApply.ago($0, now: now) } ?? ""
            return "\(who) \(apply.reason == "ApplyingManifest" ? "is applying" : "applied") \(file.addon)\(when): \(why)"
        }
    }

    public init(file: ManifestFile, state: ManifestState, addonChecksum: String? = nil,
                chartVersion: String? = nil, chartFailure: String? = nil) {
        self.file = file
        self.state = state
        self.addonChecksum = addonChecksum
        self.chartVersion = chartVersion
        self.chartFailure = chartFailure
    }
}

/// One server's latest deploy-controller event about an Addon (k3s `pkg/deploy/controller.go`).
public struct AddonApply: Sendable, Equatable {
    /// `source.host` (the server's `NODE_NAME`); nil when it was not set: unknown, never guessed.
    public let node: String?
    public let at: Date?
    /// `AppliedManifest`, `ApplyingManifest`, `ApplyManifestFailed`, `ParseManifestFailed`, …
    public let reason: String
    public let message: String?

    public init(node: String?, at: Date?, reason: String, message: String?) {
        self.node = node
        self.at = at
        self.reason = reason
        self.message = message
    }

    /// "3 min ago".
    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s ago"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86400: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86400) d ago"
        }
    }
}
