import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

final class PlanTests: XCTestCase {
    typealias F = ObjectFactory
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Golden__").path

    func cluster(_ nodes: [KNode], plans: [KPlan] = [], crd: Bool = true, controller: Bool = true) -> ClusterStatus {
        var cache = SnapshotFixtures.cache(nodes: nodes, plans: plans, deployments: controller ? [F.controller()] : [])
        if !crd { cache.health["plans"] = .missing }
        return ClusterDerivation.derive(cache, namespace: "system-upgrade")
    }

    var healthyNodes: [KNode] {
        [F.node("server-1", version: "v1.31.6+rke2r1"), F.node("server-2", version: "v1.31.6+rke2r1"),
         F.node("agent-1", version: "v1.31.6+rke2r1", server: false)]
    }

    func testGoldenYAMLForAVersionTarget() throws {
        let plans = PlanBuilder(namespace: "system-upgrade").plans(target: .version(RKE2Version("v1.32.2+rke2r1")!), cluster: cluster(healthyNodes))
        Golden.assert(PlanBuilder.yaml(plans), named: "plans-version.yaml", dir: Self.golden)
        XCTAssertEqual(plans.map(\.metadata.name), ["server-plan", "agent-plan"])
        XCTAssertEqual(plans[1].spec?.prepare?.args, ["prepare", "server-plan"])
        XCTAssertNil(plans[0].spec?.channel)
    }

    func testGoldenYAMLForAChannelTarget() throws {
        let target = try UpgradeTarget.parse(version: nil, channel: "v1.32")
        XCTAssertEqual(target, .channel("https://update.rke2.io/v1-release/channels/v1.32"))
        let plans = PlanBuilder(namespace: "system-upgrade").plans(target: target, cluster: cluster(healthyNodes))
        Golden.assert(PlanBuilder.yaml(plans), named: "plans-channel.yaml", dir: Self.golden)
        XCTAssertEqual(plans[0].spec?.channel, "https://update.rke2.io/v1-release/channels/v1.32")
        XCTAssertNil(plans[0].spec?.version)
    }

    func testGoldenYAMLForAPre134ClusterWithTaintedServers() throws {
        // v1.33 servers (with the master label) tainted CriticalAddonsOnly, going to v1.34.2.
        var nodes = [F.node("server-1", version: "v1.33.5+rke2r1"), F.node("agent-1", version: "v1.33.5+rke2r1", server: false)]
        nodes[0].spec?.taints = [KNode.Taint(key: "CriticalAddonsOnly", value: "true", effect: "NoExecute")]
        let status = cluster(nodes)
        let plans = PlanBuilder(namespace: "system-upgrade").plans(target: .version(RKE2Version("v1.34.2+rke2r1")!), cluster: status)
        Golden.assert(PlanBuilder.yaml(plans), named: "plans-pre-1.34.yaml", dir: Self.golden)
        XCTAssertNotNil(plans[0].spec?.tolerations, "servers tainted CriticalAddonsOnly get a toleration")
        XCTAssertNil(plans[1].spec?.tolerations)
        let checks = Preflight.checks(input(status, plans: plans, target: .version(RKE2Version("v1.34.2+rke2r1")!)))
        XCTAssertEqual(checks.first { $0.name == "v1.34 labels" }?.status, .warn, "old prepare steps select on the master label")
    }

    func testTargetParsing() {
        XCTAssertThrowsError(try UpgradeTarget.parse(version: nil, channel: nil))
        XCTAssertThrowsError(try UpgradeTarget.parse(version: "v1.32.2+rke2r1", channel: "stable"))
        XCTAssertThrowsError(try UpgradeTarget.parse(version: "1.32", channel: nil)) { error in
            XCTAssertTrue("\(error)".contains("not an RKE2 release version"))
        }
        XCTAssertThrowsError(try UpgradeTarget.parse(version: "v1.32.2", channel: nil), "a revision is required")
        XCTAssertEqual(try UpgradeTarget.parse(version: nil, channel: "https://example.com/c/stable"), .channel("https://example.com/c/stable"))
        XCTAssertEqual(try UpgradeTarget.parse(version: nil, channel: "stable", channelURL: "https://mirror/channels/"),
                       .channel("https://mirror/channels/stable"))
    }

    // MARK: preflight

    func input(_ status: ClusterStatus, plans: [KPlan]? = nil, existing: [KPlan] = [], target: UpgradeTarget = .version(RKE2Version("v1.32.2+rke2r1")!),
               resolved: RKE2Version?? = .none, manifests: [ManifestStatus] = [], snapshots: [Date]? = [Date()]) -> PreflightInput {
        let desired = plans ?? PlanBuilder(namespace: "system-upgrade").plans(target: target, cluster: status)
        let resolvedVersion: RKE2Version?
        switch resolved {
        case .none: if case let .version(v) = target { resolvedVersion = v } else { resolvedVersion = nil }
        case let .some(value): resolvedVersion = value
        }
        return PreflightInput(cluster: status, existingPlans: existing.map { PlanBuilder.planJSON($0) }, desiredPlans: desired, target: target, resolved: resolvedVersion,
                              resolveError: resolvedVersion == nil ? ChannelError("cannot reach the channel server", unreachable: true) : nil, manifests: manifests, snapshotTimes: snapshots,
                              now: Date())
    }

    func status(of name: String, _ checks: [PreflightCheck]) -> PreflightCheck.Status? { checks.first { $0.name == name }?.status }

    func testPreflightTable() {
        let day: TimeInterval = 24 * 3600
        let cases: [(String, PreflightInput, String, PreflightCheck.Status, String)] = [
            ("all good", input(cluster(healthyNodes)), "no minor skip", .pass, "v1.31 → v1.32"),
            ("minor skip", input(cluster(healthyNodes), target: .version(RKE2Version("v1.33.1+rke2r1")!)), "no minor skip", .fail, "skips v1.32"),
            ("downgrade", input(cluster(healthyNodes), target: .version(RKE2Version("v1.31.5+rke2r1")!)), "no downgrade", .fail, "older than v1.31.6+rke2r1 on agent-1, server-1, server-2"),
            ("not ready", input(cluster(healthyNodes + [F.node("agent-2", version: "v1.31.6+rke2r1", server: false, ready: false)])), "nodes ready", .fail, "not Ready: agent-2"),
            ("hand cordon", input(cluster(healthyNodes + [F.node("agent-3", version: "v1.31.6+rke2r1", server: false, unschedulable: true)])), "no hand cordon", .fail, "cordoned by hand: agent-3"),
            ("missing CRD", input(cluster(healthyNodes, crd: false)), "Plan CRD", .fail, "install the system-upgrade-controller"),
            ("no controller", input(cluster(healthyNodes, controller: false)), "controller", .fail, "no system-upgrade-controller Deployment"),
            ("no snapshot", input(cluster(healthyNodes), snapshots: []), "etcd snapshot", .warn, "no etcd snapshot on this node"),
            ("old snapshot", input(cluster(healthyNodes), snapshots: [Date().addingTimeInterval(-2 * day)]), "etcd snapshot", .warn, "in the last 24 h"),
            ("recent snapshot", input(cluster(healthyNodes), snapshots: [Date().addingTimeInterval(-3600)]), "etcd snapshot", .pass, "1 h old"),
            ("unreachable channel", input(cluster(healthyNodes), target: .channel("https://x/stable"), resolved: .some(nil)), "target", .warn, "SUC resolves it itself"),
            ("unreachable channel: checks not run", input(cluster(healthyNodes), target: .channel("https://x/stable"), resolved: .some(nil)), "no minor skip", .warn, "not run"),
            ("channel 404", {
                var i = input(cluster(healthyNodes), target: .channel("https://x/stabel"), resolved: .some(nil))
                i.resolveError = ChannelError("channel https://x/stabel answered HTTP 404: no such channel", unreachable: false)
                return i
            }(), "target", .fail, "HTTP 404"),
            ("downgrade: no minor skip not run", input(cluster(healthyNodes), target: .version(RKE2Version("v1.30.9+rke2r1")!)), "no minor skip", .warn, "not run"),
            ("no addons: sync not run", input(cluster(healthyNodes)), "manifests in sync", .warn, "not run"),
            ("resolved channel", input(cluster(healthyNodes), target: .channel("https://x/stable"), resolved: .some(RKE2Version("v1.32.4+rke2r1"))), "target", .pass, "resolves to v1.32.4+rke2r1"),
            ("skipped manifest", input(cluster(healthyNodes), manifests: [SnapshotFixtures.manifest("rke2-canal.yaml", state: .skipped, skip: "rke2-canal.yaml.skip")]),
             "skipped manifests", .warn, "will not be upgraded: rke2-canal.yaml"),
            ("out of sync", input(cluster(healthyNodes), manifests: [SnapshotFixtures.manifest("rke2-coredns.yaml", state: .outOfSync)]),
             "manifests in sync", .warn, "rke2-coredns.yaml"),
            ("rc target", input(cluster(healthyNodes), target: .version(RKE2Version("v1.32.2-rc1+rke2r1")!)), "release", .warn, "rancher/rke2#1405"),
        ]
        for (label, input, check, expected, reason) in cases {
            let checks = Preflight.checks(input)
            let found = checks.first { $0.name == check }
            XCTAssertEqual(found?.status, expected, "\(label): \(checks)")
            XCTAssertTrue(found?.reason.contains(reason) == true, "\(label): \(found?.reason ?? "no check \(check)")")
        }
        let allGood = Preflight.checks(input(cluster(healthyNodes)))
        XCTAssertEqual(Preflight.blocking(allGood), [], "\(allGood)")
    }

    func testUnreachableAPIFailsPreflight() {
        var cache = ClusterCache()
        cache.health["nodes"] = .unreachable("connection refused", retryAt: nil)
        let checks = Preflight.checks(input(ClusterDerivation.derive(cache, namespace: "system-upgrade")))
        XCTAssertEqual(checks.map(\.status), [.fail])
    }

    func testExistingPlansThatWouldChangeAreShownAsADiff() {
        let status = cluster(healthyNodes)
        let builder = PlanBuilder(namespace: "system-upgrade")
        let existing = builder.plans(target: .version(RKE2Version("v1.32.1+rke2r1")!), cluster: status)
        let desired = builder.plans(target: .version(RKE2Version("v1.32.2+rke2r1")!), cluster: status)
        let checks = Preflight.checks(input(status, plans: desired, existing: existing))
        XCTAssertEqual(self.status(of: "existing plans", checks), .warn)
        XCTAssertTrue(checks.first { $0.name == "existing plans" }?.reason.contains("server-plan v1.32.1+rke2r1 → v1.32.2+rke2r1") == true)
        let diff = PlanDiff.diff(existing: existing.map { PlanBuilder.planJSON($0) }, desired: desired)
        XCTAssertTrue(diff.contains { $0.hasPrefix("  - ") && $0.hasSuffix("version: v1.32.1+rke2r1") }, diff.joined(separator: "\n"))
        XCTAssertTrue(diff.contains { $0.hasPrefix("  + ") && $0.hasSuffix("version: v1.32.2+rke2r1") }, diff.joined(separator: "\n"))
        XCTAssertLessThan(diff.count, 16, "only the changes and their context: \(diff.joined(separator: "\n"))")
        XCTAssertEqual(PlanDiff.diff(existing: desired.map { PlanBuilder.planJSON($0) }, desired: desired), [])
        XCTAssertEqual(Preflight.checks(input(status, plans: desired, existing: desired)).first { $0.name == "existing plans" }?.status, .pass)
    }
}
