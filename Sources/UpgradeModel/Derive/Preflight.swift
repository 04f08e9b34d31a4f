import Foundation

/// One preflight check: pass, warn or fail, with the reason an operator reads.
public struct PreflightCheck: Sendable, Equatable {
    public enum Status: String, Sendable { case pass, warn, fail }
    public let name: String
    public let status: Status
    public let reason: String

    public init(_ name: String, _ status: Status, _ reason: String) {
        self.name = name
        self.status = status
        self.reason = reason
    }
}

/// Everything the plan preflight looks at; gathered by the caller, judged here without I/O.
public struct PreflightInput: Sendable {
    public var cluster: ClusterStatus
    /// The Plans as they exist now, as the API returns them (to show what would change).
    public var existingPlans: [JSONValue]
    public var desiredPlans: [KPlan]
    public var target: UpgradeTarget
    /// The version the target resolves to: the version itself, or the channel's answer.
    public var resolved: RKE2Version?
    public var resolveError: ChannelError?
    public var manifests: [ManifestStatus]
    /// Modification times of the files in `<data-dir>/server/db/snapshots` (nil: not a server / unreadable).
    public var snapshotTimes: [Date]?
    public var now: Date
    /// What the API server's `/metrics` says about deprecated API use (nil: not read, no check).
    public var deprecatedAPIs: DeprecatedAPIScan?

    public init(cluster: ClusterStatus, existingPlans: [JSONValue], desiredPlans: [KPlan], target: UpgradeTarget, resolved: RKE2Version?,
                resolveError: ChannelError?, manifests: [ManifestStatus], snapshotTimes: [Date]?, now: Date = Date(),
                deprecatedAPIs: DeprecatedAPIScan? = nil) {
        self.deprecatedAPIs = deprecatedAPIs
        self.cluster = cluster
        self.existingPlans = existingPlans
        self.desiredPlans = desiredPlans
        self.target = target
        self.resolved = resolved
        self.resolveError = resolveError
        self.manifests = manifests
        self.snapshotTimes = snapshotTimes
        self.now = now
    }
}

public enum Preflight {
    public static func checks(_ input: PreflightInput) -> [PreflightCheck] {
        var checks: [PreflightCheck] = []
        let cluster = input.cluster
        guard cluster.api == .ok else {
            return [PreflightCheck("API", .fail, "the API is \(cluster.api.rawValue)\(cluster.error.map { ": \($0)" } ?? ""); plans cannot be applied")]
        }
        // The controller that runs the plans.
        if cluster.planCRDInstalled == false {
            checks.append(PreflightCheck("Plan CRD", .fail, "plans.upgrade.cattle.io is not installed: install the system-upgrade-controller first"))
        } else {
            checks.append(PreflightCheck("Plan CRD", .pass, "plans.upgrade.cattle.io is served"))
        }
        switch cluster.upgradeController {
        case .ready: checks.append(PreflightCheck("controller", .pass, "system-upgrade-controller is ready"))
        case .notReady: checks.append(PreflightCheck("controller", .fail, "system-upgrade-controller has no ready replica"))
        case .missing: checks.append(PreflightCheck("controller", .fail, "no system-upgrade-controller Deployment in this namespace: plans elsewhere are never processed"))
        case .unknown: checks.append(PreflightCheck("controller", .warn, "the controller's Deployment could not be read"))
        }
        // The target.
        let target: RKE2Version?
        switch input.target {
        case let .version(version):
            target = version
            checks.append(PreflightCheck("target", .pass, "\(version) parses"))
        case let .channel(url):
            if let resolved = input.resolved {
                target = resolved
                checks.append(PreflightCheck("target", .pass, "\(url) resolves to \(resolved) now (SUC polls it again every 15 min)"))
            } else if let error = input.resolveError, !error.unreachable {
                // A definite answer that is not a version: SUC would resolve nothing either.
                target = nil
                checks.append(PreflightCheck("target", .fail, "\(error.message): not a target"))
            } else {
                target = nil
                checks.append(PreflightCheck("target", .warn, "\(input.resolveError?.message ?? "\(url) did not answer"): SUC resolves it itself"))
                for name in ["no downgrade", "no minor skip"] {
                    checks.append(PreflightCheck(name, .warn, "not run: the channel's version is unknown here"))
                }
            }
        }
        let versions = cluster.nodes.compactMap(\.version)
        if let target, !versions.isEmpty {
            let lowest = versions.min()!, highest = versions.max()!
            if target < highest && !target.sameRelease(as: highest) {
                let nodes = cluster.nodes.filter { ($0.version.map { target < $0 && !target.sameRelease(as: $0) }) ?? false }.map(\.name)
                checks.append(PreflightCheck("no downgrade", .fail, "\(target) is older than \(highest) on \(nodes.joined(separator: ", ")): RKE2 cannot downgrade (roll back from an etcd snapshot instead)"))
            } else {
                checks.append(PreflightCheck("no downgrade", .pass, "no node runs a version newer than \(target)"))
            }
            if target < lowest && !target.sameRelease(as: lowest) {
                checks.append(PreflightCheck("no minor skip", .warn, "not run: \(target) is older than every node (a downgrade)"))
            } else if let problem = SkewRules.upgrade(from: lowest, to: target).first(where: { if case .minorSkip = $0 { return true } else { return false } }) {
                checks.append(PreflightCheck("no minor skip", .fail, problem.description))
            } else {
                checks.append(PreflightCheck("no minor skip", .pass, "the lowest node runs \(lowest): \(lowest.minorLine) → \(target.minorLine)"))
            }
            if target.preRelease != nil {
                checks.append(PreflightCheck("release", .warn, "\(target) is a pre-release: the agent prepare step compares kubelets without the -\(target.preRelease!.text) part (rancher/rke2#1405)"))
            }
            if let problem = SkewRules.apiServers(cluster.controlPlaneNodes.compactMap(\.version)).first {
                checks.append(PreflightCheck("API server skew", .warn, problem.description))
            }
            // docs/rke2-rules.md#rke2-upgrade-image-master-and-control-plane-labels: the master label goes away at v1.34.1; old prepare steps then wait forever.
            if target >= RKE2Version("v1.34.1+rke2r1")!, cluster.controlPlaneNodes.contains(where: { $0.roles.contains("master") }) {
                checks.append(PreflightCheck("v1.34 labels", .warn, "servers lose node-role.kubernetes.io/master at v1.34.1: an rke2-upgrade image from before 2025-11 selects on it in the agent prepare step and waits forever; use an image with the control-plane selector (rancher/rke2-upgrade PR #44)"))
            }
        }
        // Clients of APIs the target removes (RKE2-FACTS §7.5).
        if let scan = input.deprecatedAPIs {
            checks.append(DeprecatedAPIs.check(scan, target: target))
        }
        // Someone else already upgrading this cluster (RKE2-FACTS §7.6).
        if let ownership = cluster.ownership {
            checks.append(ownership.check)
        }
        // Nodes.
        let notReady = cluster.nodes.filter { $0.ready != true }.map(\.name)
        checks.append(notReady.isEmpty
            ? PreflightCheck("nodes ready", .pass, "all \(cluster.nodes.count) nodes are Ready")
            : PreflightCheck("nodes ready", .fail, "not Ready: \(notReady.joined(separator: ", "))"))
        let applying = Set(cluster.plans.flatMap(\.applying))
        let cordoned = cluster.nodes.filter { !$0.schedulable && !applying.contains($0.hostname ?? $0.name) }.map(\.name)
        checks.append(cordoned.isEmpty
            ? PreflightCheck("no hand cordon", .pass, "no node is cordoned outside an upgrade")
            : PreflightCheck("no hand cordon", .fail, "cordoned by hand: \(cordoned.joined(separator: ", ")); SUC uncordons nodes after their job (SUC#341): uncordon them or find out why first"))
        // Manifests.
        let skipped = input.manifests.filter { $0.state == .skipped }.map(\.file.baseName)
        checks.append(skipped.isEmpty
            ? PreflightCheck("skipped manifests", .pass, "no manifest is skipped")
            : PreflightCheck("skipped manifests", .warn, "will not be upgraded: \(skipped.joined(separator: ", "))"))
        let outOfSync = input.manifests.filter { $0.state == .outOfSync }.map(\.file.baseName)
        let deployed = input.manifests.filter { $0.state == .applied || $0.state == .outOfSync }
        if !outOfSync.isEmpty {
            checks.append(PreflightCheck("manifests in sync", .warn, "out of sync with their Addon: \(outOfSync.joined(separator: ", ")) (servers competing? rancher/rke2#3674)"))
        } else if deployed.isEmpty {
            checks.append(PreflightCheck("manifests in sync", .warn, "not run: no Addon in the cluster matches a manifest of this node (an agent, or the deploy controller has not run)"))
        } else {
            checks.append(PreflightCheck("manifests in sync", .pass, "the \(deployed.count) deployed manifests match this node's files"))
        }
        // An etcd snapshot to roll back to.
        if let times = input.snapshotTimes {
            let recent = times.filter { input.now.timeIntervalSince($0) < 24 * 3600 }
            if let newest = times.max(), !recent.isEmpty {
                let hours = Int(input.now.timeIntervalSince(newest) / 3600)
                checks.append(PreflightCheck("etcd snapshot", .pass, "newest snapshot is \(hours) h old"))
            } else {
                checks.append(PreflightCheck("etcd snapshot", .warn, times.isEmpty
                    ? "no etcd snapshot on this node: take one first (upgrade-tui snapshot, or rke2 etcd-snapshot save --name pre-upgrade)"
                    : "no etcd snapshot in the last 24 h: take one first (upgrade-tui snapshot, or rke2 etcd-snapshot save --name pre-upgrade)"))
            }
        }
        // Plans that already exist.
        let changes = PlanDiff.describe(existing: input.existingPlans, desired: input.desiredPlans)
        if changes.isEmpty {
            checks.append(PreflightCheck("existing plans", .pass, input.existingPlans.isEmpty ? "no plan exists yet" : "the plans already say this"))
        } else {
            checks.append(PreflightCheck("existing plans", .warn, "would change: " + changes.joined(separator: "; ")))
        }
        return checks
    }

    public static func blocking(_ checks: [PreflightCheck]) -> [PreflightCheck] { checks.filter { $0.status == .fail } }
}
