import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// Issue #14 part 4: the runbook is a pure function of what `plan` prepares; its text is golden.
final class RunbookTests: XCTestCase {
    typealias F = ObjectFactory

    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Golden__").path

    /// Three servers (one etcd-only), three agents, one skipped manifest, an agent plan of concurrency 2,
    /// a deprecated API the target removes: every section has something to say.
    static func prepared(target: String = "v1.32.2+rke2r1") -> PlanOperation.Prepared {
        var cache = ClusterCache()
        let nodes = [
            F.node("server-1", version: "v1.31.6+rke2r1", ip: "10.0.0.11"),
            F.node("server-2", version: "v1.31.6+rke2r1", ip: "10.0.0.12"),
            F.node("etcd-1", version: "v1.31.6+rke2r1", controlPlane: false, ip: "10.0.0.13"),
            F.node("agent-1", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.21"),
            F.node("agent-2", version: "v1.31.5+rke2r1", server: false, ip: "10.0.0.22"),
            F.node("agent-3", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.23"),
        ]
        cache.apply(.replace(nodes), to: \.nodes, kind: .nodes)
        cache.apply(.replace([F.controller()]), to: \.deployments, kind: .deployments)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        let cluster = ClusterDerivation.derive(cache, namespace: "system-upgrade", server: "https://127.0.0.1:6443")
        let version = RKE2Version(target)!
        var plans = PlanBuilder(namespace: "system-upgrade").plans(target: .version(version), cluster: cluster)
        plans[1].spec?.concurrency = 2
        let canal = ManifestFile(file: "rke2-canal.yaml", addon: "rke2-canal", present: true, sha256: "ab", size: 10, modified: nil,
                                 skipMarker: "rke2-canal.yaml.skip", disabledBy: nil, viaSymlink: false, localState: .skipped)
        let coredns = ManifestFile(file: "rke2-coredns.yaml", addon: "rke2-coredns", present: true, sha256: "cd", size: 10, modified: nil,
                                   skipMarker: nil, disabledBy: nil, viaSymlink: false, localState: .active)
        let manifests = [ManifestStatus(file: canal, state: .skipped), ManifestStatus(file: coredns, state: .applied, addonChecksum: "cd")]
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let uses = [DeprecatedAPIUse(group: "flowcontrol.apiserver.k8s.io", version: "v1beta3", resource: "flowschemas", removedRelease: "1.32")]
        let checks = Preflight.checks(PreflightInput(cluster: cluster, existingPlans: [], desiredPlans: plans, target: .version(version),
                                                     resolved: version, resolveError: nil, manifests: manifests,
                                                     snapshotTimes: [now.addingTimeInterval(-3 * 3600)], now: now, deprecatedAPIs: .read(uses)))
        var prepared = PlanOperation.Prepared(target: .version(version), resolved: version, plans: plans, existing: [], checks: checks, cluster: cluster)
        prepared.local = LocalNode(role: .server, hostname: "server-1", paths: HostPaths(), binary: nil, running: nil,
                                   config: .emptyForErrors, problems: [])
        prepared.manifests = manifests
        return prepared
    }

    func testTheRunbookIsGolden() throws {
        let runbook = Runbook.build(Self.prepared(), namespace: "system-upgrade")
        XCTAssertEqual(runbook, Runbook.build(Self.prepared(), namespace: "system-upgrade"), "deterministic")
        Golden.assert(runbook.markdown, named: "runbook-minor.md", dir: Self.goldenDir)
        Golden.assert(runbook.json.serialized(pretty: true) + "\n", named: "runbook-minor.json", dir: Self.goldenDir)
    }

    func testTheRunbooksParts() throws {
        let runbook = Runbook.build(Self.prepared(), namespace: "system-upgrade")
        XCTAssertTrue(runbook.blocked, "the deprecated API fails")
        XCTAssertEqual(runbook.from, "v1.31.5+rke2r1")
        XCTAssertEqual(runbook.fromVersions, ["v1.31.5+rke2r1", "v1.31.6+rke2r1"])
        XCTAssertEqual(runbook.thisNode, "server-1")
        XCTAssertEqual(runbook.snapshotCommands, ["upgrade-tui snapshot --name pre-upgrade-v1.32.2-rke2r1",
                                                  "rke2 etcd-snapshot save --name pre-upgrade-v1.32.2-rke2r1"])
        XCTAssertEqual(runbook.etcdNodes, ["etcd-1", "server-1", "server-2"])
        XCTAssertEqual(runbook.markerNodes.map(\.node), ["server-1", "server-2"], "control-plane nodes need the markers")
        XCTAssertEqual(runbook.markers, ["rke2-canal.yaml.skip"])
        XCTAssertEqual(runbook.servers.map(\.node), ["server-1", "server-2"])
        XCTAssertEqual(runbook.agentBatchSize, 2)
        XCTAssertEqual(runbook.agentBatches.map { $0.map(\.node) }, [["agent-1", "agent-2"], ["agent-3", "etcd-1"]],
                       "an etcd-only server has no control-plane label: the agent plan takes it")
        XCTAssertEqual(runbook.rollbackKind, .minor)
        XCTAssertTrue(runbook.plansYAML.contains("version: v1.32.2+rke2r1"))
        XCTAssertTrue(runbook.markdown.contains("| FAIL | deprecated APIs | flowcontrol.apiserver.k8s.io/v1beta3 flowschemas removed in 1.32, requested since the API server started"))

        let patch = Runbook.build(Self.prepared(target: "v1.31.7+rke2r1"), namespace: "system-upgrade")
        XCTAssertEqual(patch.rollbackKind, .patch)
        XCTAssertTrue(patch.rollback.contains { $0.contains("a patch rollback (v1.31.7+rke2r1 → v1.31.5+rke2r1)") }, "\(patch.rollback)")
        XCTAssertFalse(patch.rollback.contains { $0.contains("cluster-reset") })
    }
}
