import Foundation

/// What the `rancher/rke2-upgrade` image of a Plan's prepare step does, from its tag.
///
/// - The tag: SUC uses `status.latestVersion` as the tag of an image that has none (system-upgrade-controller
///   `pkg/upgrade/container/container.go`; docs/rke2-rules.md#suc-image-tag).
/// - The control-plane selector of `prepare` (`scripts/upgrade.sh` `verify_masters_versions`):
///   `node-role.kubernetes.io/master` until rancher/rke2-upgrade PR #44 ("Migrate from master to
///   control-plane labels", merged 2025-11-18), `node-role.kubernetes.io/control-plane` after. Images
///   are built per RKE2 release; the first releases after the merge (rancher/rke2 tags of 2025-11-20)
///   are v1.34.2, v1.33.6, v1.32.10 and v1.31.14 (docs/rke2-rules.md#rke2-upgrade-image-master-and-control-plane-labels) [derived from the dates].
public struct RKE2UpgradeImage: Sendable, Equatable {
    public let reference: String
    /// The tag as an RKE2 version, nil when it is not one (a digest, `latest`, a private build).
    public let version: RKE2Version?

    public init(prepareImage: String?, latestVersion: String?) {
        let image = prepareImage ?? "rancher/rke2-upgrade"
        let lastSlash = image.lastIndex(of: "/") ?? image.startIndex
        let hasTag = image[lastSlash...].contains(":") || image.contains("@")
        reference = hasTag ? image : image + ":" + (latestVersion ?? "")
        let tag = hasTag ? String(image[image.index(after: image[lastSlash...].lastIndex(of: ":") ?? image.startIndex)...]) : (latestVersion ?? "")
        version = RKE2Version(tag)
    }

    /// The first image per minor whose prepare step selects by the control-plane label.
    static let firstControlPlaneImages: [Int: Int] = [31: 14, 32: 10, 33: 6, 34: 2]

    /// The label `prepare` selects control-plane nodes by. An image whose tag is no version is taken
    /// for the older script (the master label), which the warning then names.
    public var controlPlaneSelector: String {
        guard let version, version.major == 1 else { return "node-role.kubernetes.io/master" }
        if version.minor >= 35 { return "node-role.kubernetes.io/control-plane" }
        if let first = Self.firstControlPlaneImages[version.minor], version.patch >= first { return "node-role.kubernetes.io/control-plane" }
        return "node-role.kubernetes.io/master"
    }

    /// What `semver-parse.sh <version> k8s` prints when the version does not match.
    public static let unparsed = "v.."

    /// `semver-parse.sh <version> k8s` (rke2-upgrade `scripts/semver-parse.sh`): the regex
    /// `^v([0-9]+)\.([0-9]+)\.([0-9]+)([-+][a-zA-Z0-9]+)?([-+]rke2r[0-9]+)$`, printed as
    /// `v<major>.<minor>.<patch><sep>rke2r<n>` (an `-rcN` dropped, the separator kept). Without a leading
    /// `v` (or any other mismatch) the fields are empty: `v..`.
    public static func semverK8s(_ version: String) -> String {
        let pattern = #"^v([0-9]+)\.([0-9]+)\.([0-9]+)([-+][a-zA-Z0-9]+)?([-+]rke2r[0-9]+)$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: version, range: NSRange(version.startIndex..., in: version)) else { return unparsed }
        func group(_ index: Int) -> String {
            guard let range = Range(match.range(at: index), in: version) else { return "" }
            return String(version[range])
        }
        return "v\(group(1)).\(group(2)).\(group(3))\(group(5))"
    }
}
