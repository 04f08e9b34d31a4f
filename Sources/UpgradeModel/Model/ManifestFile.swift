import Crypto
import Foundation

/// How the deploy controller treats one manifest (docs/states.md#manifest-states; first match wins).
public enum ManifestState: String, Sendable, Codable, CaseIterable {
    /// The deploy controller's pass on this node aborts (a broken symlink, an unreadable entry).
    case blocked
    case disabled, skipped, ignored, applied
    /// An Addon with an empty checksum: created, never applied successfully.
    case failed
    case outOfSync = "out-of-sync"
    case pending, active
}

/// One file of `<data-dir>/server/manifests` as the deploy controller sees it, before any cluster
/// knowledge (that arrives in `ManifestStatus`).
public struct ManifestFile: Sendable, Equatable {
    /// Path relative to the manifests directory, e.g. `rke2-canal.yaml` or `custom/app.yaml`.
    public let file: String
    /// Addon name: the base name up to its first `.`.
    public let addon: String
    /// False for an orphan `.skip` marker or a disabled component whose file RKE2 already deleted.
    public let present: Bool
    public let sha256: String?
    public let size: Int64?
    public let modified: Date?
    /// The marker that skips this file (relative path), if any.
    public let skipMarker: String?
    /// Set when the file is disabled; says where.
    public let disabledBy: DisabledComponent?
    /// Reached through a symlinked directory: readable, but upgrade-tui will not write there.
    public let viaSymlink: Bool
    public let localState: ManifestState
    /// A disable in the config that the running rke2 did not start with: it applies at the next restart.
    public var disabledAtRestart: DisabledComponent?
    /// The entry that makes the deploy controller abort its whole pass on this node (state `blocked`).
    public var blockedBy: String?
    /// The chart version the file's HelmChart names (`helm.cattle.io/chart-url`, else `spec.version`).
    public var chartVersion: String?
    /// When the skip marker was last written (its mtime): applies by other servers after it are theirs.
    public var skipMarkerSince: Date?

    public var baseName: String { (file as NSString).lastPathComponent }

    public init(file: String, addon: String, present: Bool, sha256: String?, size: Int64?, modified: Date?, skipMarker: String?,
                disabledBy: DisabledComponent?, viaSymlink: Bool, localState: ManifestState) {
        self.file = file
        self.addon = addon
        self.present = present
        self.sha256 = sha256
        self.size = size
        self.modified = modified
        self.skipMarker = skipMarker
        self.disabledBy = disabledBy
        self.viaSymlink = viaSymlink
        self.localState = localState
    }
}

extension ManifestFile {
    /// The same file in another state (the extra facts kept).
    public func with(localState: ManifestState) -> ManifestFile {
        var copy = ManifestFile(file: file, addon: addon, present: present, sha256: sha256, size: size, modified: modified,
                                skipMarker: skipMarker, disabledBy: disabledBy, viaSymlink: viaSymlink, localState: localState)
        copy.disabledAtRestart = disabledAtRestart
        copy.blockedBy = blockedBy
        copy.chartVersion = chartVersion
        copy.skipMarkerSince = skipMarkerSince
        return copy
    }
}
