import Foundation

/// Joins the manifests on disk with their Addons and HelmCharts (RKE2-FACTS §3.3, §3.4).
public enum ManifestDerivation {
    /// With `addonsKnown` false (the cluster could not be asked), deployable files stay `active`.
    public static func merge(_ files: [ManifestFile], cache: ClusterCache?, addonsKnown: Bool) -> [ManifestStatus] {
        files.map { file in
            let addon = cache?.addons["kube-system/\(file.addon)"]
            let chart = cache?.helmCharts["kube-system/\(file.addon)"]
            var state = file.localState
            if state == .active, addonsKnown {
                if let addon {
                    state = addon.spec?.checksum == file.sha256 ? .applied : .outOfSync
                } else {
                    state = .pending
                }
            }
            let failed = chart?.status?.conditions?.condition("Failed")
            return ManifestStatus(file: file, state: state, addonChecksum: addon?.spec?.checksum,
                                  chartVersion: chart.flatMap(chartVersion),
                                  chartFailure: failed?.isTrue == true ? (failed?.message ?? failed?.reason ?? "failed") : nil)
        }
    }

    /// The version in `helm.cattle.io/chart-url` (`…/rke2-coredns-1.47.003.tgz` → `1.47.003`), else `spec.version`.
    public static func chartVersion(_ chart: KHelmChart) -> String? {
        if let url = chart.metadata.annotations?["helm.cattle.io/chart-url"] {
            var base = String(url.split(separator: "/").last ?? "")
            if base.hasSuffix(".tgz") { base.removeLast(4) }
            let name = chart.spec?.chart.flatMap { $0.contains("/") || $0.contains(":") ? nil : $0 } ?? chart.metadata.name
            if base.hasPrefix(name + "-") { return String(base.dropFirst(name.count + 1)) }
            // Otherwise the version starts at the first "-" followed by a digit or v<digit>.
            let chars = Array(base)
            for index in chars.indices.dropLast() where chars[index] == "-" {
                let next = chars[index + 1]
                if next.isNumber || (next == "v" && index + 2 < chars.count && chars[index + 2].isNumber) {
                    return String(chars[(index + 1)...])
                }
            }
        }
        return chart.spec?.version
    }
}
