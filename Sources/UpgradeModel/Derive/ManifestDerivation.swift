import Foundation

/// Joins the manifests on disk with their Addons, HelmCharts and the deploy controller's events
/// (docs/rke2-rules.md#deploy-controller-addons-checksums-and-events).
public enum ManifestDerivation {
    /// What this node is, for the parts of the derivation that depend on it.
    public struct Context: Sendable, Equatable {
        /// The names this host registers as (`ThisNode.nodeNames`): events from them are this node's own.
        public var nodeNames: [String] = []
        /// false on an etcd-only server (`disable-apiserver`): no deploy controller runs here.
        public var runsDeployController = true
        /// When the running rke2 started: its disables are in force since then.
        public var startedAt: Date?

        public init(nodeNames: [String] = [], runsDeployController: Bool = true, startedAt: Date? = nil) {
            self.nodeNames = nodeNames
            self.runsDeployController = runsDeployController
            self.startedAt = startedAt
        }

        public init(_ local: LocalNode) {
            self.init(nodeNames: ThisNode.nodeNames(local), runsDeployController: local.config.runsDeployController,
                      startedAt: local.running?.process.startTime)
        }
    }

    /// The deploy controller's event reasons that say a server processed a manifest (k3s `deploy()`).
    static let applyReasons: Set<String> = ["ApplyingManifest", "AppliedManifest", "ApplyManifestFailed", "ParseManifestFailed",
                                            "ReadManifestFailed", "ValidateManifestFailed"]
    static let failureReasons: Set<String> = ["ApplyManifestFailed", "ParseManifestFailed", "ReadManifestFailed", "ValidateManifestFailed"]

    /// With `addonsKnown` false (the cluster could not be asked), deployable files stay `active`.
    public static func merge(_ files: [ManifestFile], cache: ClusterCache?, addonsKnown: Bool, context: Context = Context()) -> [ManifestStatus] {
        let eventsByAddon = Dictionary(grouping: (cache?.events.values).map(Array.init) ?? []) { $0.involvedObject?.name ?? "" }
        return files.map { file in
            let addon = cache?.addons["kube-system/\(file.addon)"]
            let chart = cache?.helmCharts["kube-system/\(file.addon)"]
            let events = (eventsByAddon[file.addon] ?? []).filter { $0.involvedObject?.kind == "Addon" && applyReasons.contains($0.reason ?? "") }
            let appliedBy = latestPerServer(events)
            var state = file.localState
            var failure: String?
            if state == .active, addonsKnown {
                if let addon {
                    let checksum = addon.spec?.checksum ?? ""
                    if checksum.isEmpty {
                        // k3s `deploy()` creates the Addon before reading and applying the file and writes
                        // `spec.checksum` only after a successful apply: empty means it never succeeded.
                        state = .failed
                        failure = appliedBy.first { failureReasons.contains($0.reason) }.map { "\($0.reason): \($0.message ?? "")" }
                            ?? "the Addon was created but never applied successfully (no failure event left)"
                    } else {
                        state = checksum == file.sha256 ? .applied : .outOfSync
                    }
                } else {
                    state = .pending
                }
            }
            // An etcd-only server runs no deploy controller: nothing here is "pending" on it.
            if !context.runsDeployController, state == .pending || state == .active, addon == nil {
                state = .ignored
            }
            let failed = chart?.status?.conditions?.condition("Failed")
            var status = ManifestStatus(file: file, state: state, addonChecksum: addon?.spec?.checksum,
                                        chartVersion: chart.flatMap(chartVersion) ?? file.chartVersion,
                                        chartFailure: failed?.isTrue == true ? (failed?.message ?? failed?.reason ?? "failed") : nil)
            status.chartVersionInCluster = chart.flatMap(chartVersion)
            status.chartVersionOnDisk = file.chartVersion
            status.failure = failure
            status.appliedBy = appliedBy
            status.notDeployedHere = !context.runsDeployController
            status.appliedElsewhere = elsewhere(file, appliedBy, context)
            return status
        }
    }

    /// Per server (`source.host`; nil when the server did not set `NODE_NAME`), its latest event.
    static func latestPerServer(_ events: [KEvent]) -> [AddonApply] {
        var latest: [String: KEvent] = [:]
        for event in events {
            let key = event.source?.host.flatMap { $0.isEmpty ? nil : $0 } ?? ""
            if let known = latest[key], (known.time ?? .distantPast) >= (event.time ?? .distantPast) { continue }
            latest[key] = event
        }
        return latest.values.map { event in
            AddonApply(node: event.source?.host.flatMap { $0.isEmpty ? nil : $0 }, at: event.time, reason: event.reason ?? "",
                       message: event.message)
        }.sorted { ($0.at ?? .distantPast, $0.node ?? "") > ($1.at ?? .distantPast, $1.node ?? "") }
    }

    /// Other servers that still apply a manifest this node skips or disables: every control-plane node
    /// needs the same marker or disable (rancher/rke2#1207; docs/rke2-rules.md#deploy-controller-skip-markers). An apply is another
    /// server's when its `source.host` is not this node, or, with no host, when it came after this node's
    /// marker (or after rke2 started with the disable), since this node no longer applies it then.
    static func elsewhere(_ file: ManifestFile, _ applies: [AddonApply], _ context: Context) -> [AddonApply] {
        let since: Date?
        if file.disabledBy != nil { since = context.startedAt } else if file.skipMarker != nil { since = file.skipMarkerSince } else { return [] }
        return applies.filter { apply in
            guard apply.reason == "AppliedManifest" || apply.reason == "ApplyingManifest" else { return false }
            if let node = apply.node {
                guard !context.nodeNames.contains(node.lowercased()) else { return false }
                return true
            }
            guard let since, let at = apply.at else { return false }
            return at > since
        }
    }

    /// The version in `helm.cattle.io/chart-url` (`…/rke2-coredns-1.47.003.tgz` → `1.47.003`), else `spec.version`.
    public static func chartVersion(_ chart: KHelmChart) -> String? {
        if let url = chart.metadata.annotations?["helm.cattle.io/chart-url"] {
            var base = String(url.split(separator: "/").last ?? "")
            if base.hasSuffix(".tgz") { base.removeLast(4) }
            let name = chart.spec?.chart.flatMap { $0.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") } ? nil : $0 }
                ?? chart.metadata.name
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
