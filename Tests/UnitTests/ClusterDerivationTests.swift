import TestSupport
import XCTest
@testable import UpgradeModel

final class ClusterDerivationTests: XCTestCase {
    typealias F = ObjectFactory

    func cache(nodes: [KNode], plans: [KPlan] = [], jobs: [KJob] = [], addons: [KAddon] = [], charts: [KHelmChart] = [],
               controller: KDeployment? = F.controller()) -> ClusterCache {
        SnapshotFixtures.cache(nodes: nodes, plans: plans, jobs: jobs, addons: addons, charts: charts,
                               deployments: controller.map { [$0] } ?? [])
    }

    func derive(_ cache: ClusterCache) -> ClusterStatus { ClusterDerivation.derive(cache, namespace: "system-upgrade") }

    /// server-1 done, server-2 applying, server-3 pending; agents waiting behind the gate.
    func midUpgrade() -> (KPlan, KPlan, [KNode]) {
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
        let hash = server.status!.latestHash!
        let nodes = [
            F.node("server-1", version: "v1.32.2+rke2r1", planLabels: ["server-plan": hash]),
            F.node("server-2", version: "v1.31.6+rke2r1", unschedulable: true),
            F.node("server-3", version: "v1.31.6+rke2r1"),
            F.node("agent-1", version: "v1.31.6+rke2r1", server: false),
            F.node("agent-2", version: "v1.31.6+rke2r1", server: false, planLabels: ["agent-plan": "disabled"]),
        ]
        return (server, agent, nodes)
    }

    func testMidUpgradeServerPlan() throws {
        let (server, agent, nodes) = midUpgrade()
        let status = derive(cache(nodes: nodes, plans: [agent, server]))
        XCTAssertEqual(status.api, .ok)
        let states = Dictionary(uniqueKeysWithValues: status.nodes.map { ($0.name, $0.plans.map { "\($0.plan)=\($0.state.rawValue)" }) })
        XCTAssertEqual(states, [
            "server-1": ["server-plan=done"],
            "server-2": ["server-plan=applying"],
            "server-3": ["server-plan=pending"],
            "agent-1": ["agent-plan=pending"],
            "agent-2": ["agent-plan=opted-out"],
        ])
        let plan = try XCTUnwrap(status.plan(named: "server-plan"))
        XCTAssertEqual(plan.counts, PlanCounts(done: 1, applying: 1, pending: 1, failed: 0, optedOut: 0))
        XCTAssertEqual(plan.complete, false)
        XCTAssertEqual(plan.reason, "SyncJob")
        XCTAssertEqual(plan.applying, ["server-2"])
        XCTAssertEqual(plan.target, "v1.32.2+rke2r1")
        XCTAssertEqual(plan.latestVersion, "v1.32.2-rke2r1")
        XCTAssertEqual(status.plan(named: "agent-plan")?.counts.optedOut, 1)
        let gate = try XCTUnwrap(status.agentGate)
        XCTAssertFalse(gate.open)
        XCTAssertEqual(gate.reason, "server-plan still applying on server-2")
        XCTAssertEqual(gate.target, "v1.32.2-rke2r1")
        XCTAssertEqual(gate.controlPlaneVersions, ["v1.31.6-rke2r1", "v1.32.2-rke2r1"])
        XCTAssertEqual(status.node(named: "server-1")?.roles, ["control-plane", "etcd", "master"])
        XCTAssertEqual(status.node(named: "agent-1")?.roles, [])
        // server-2 is cordoned by the plan that is applying on it: no "left cordoned" hint.
        XCTAssertFalse(status.hints.contains { $0.subject == "server-2" })
    }

    func testFailedJobWinsOverApplyingAndBecomesAHint() throws {
        var (server, agent, nodes) = midUpgrade()
        server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"], complete: false, reason: "JobFailed",
                            message: "Job system-upgrade/apply-server-plan-on-server-2-with-x failed on Node server-2: BackoffLimitExceeded: Job has reached the specified backoff limit")
        let job = F.job(plan: server, node: "server-2", state: .failed, message: "image rancher/rke2-upgrade:v1.32.2-rke2r1 not found")
        let status = derive(cache(nodes: nodes, plans: [agent, server], jobs: [job]))
        XCTAssertEqual(status.node(named: "server-2")?.state(for: "server-plan"), .failed)
        XCTAssertEqual(status.plan(named: "server-plan")?.counts.failed, 1)
        XCTAssertEqual(status.plan(named: "server-plan")?.jobs.first?.state, .failed)
        let hint = try XCTUnwrap(status.hints.first { $0.subject == job.metadata.name })
        XCTAssertEqual(hint.severity, .error)
        XCTAssertTrue(hint.message.contains("image rancher/rke2-upgrade:v1.32.2-rke2r1 not found"), hint.message)
        XCTAssertTrue(hint.message.contains("does not retry"), hint.message)
    }

    func testJobFailedConditionAloneMarksTheNamedNode() {
        let (_, agent, nodes) = midUpgrade()
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "JobFailed",
                                message: "Job system-upgrade/apply-x failed on Node server-3: DeadlineExceeded: Job was active longer than specified deadline")
        let status = derive(cache(nodes: nodes, plans: [agent, server]))
        XCTAssertEqual(status.node(named: "server-3")?.state(for: "server-plan"), .failed)
        XCTAssertEqual(status.node(named: "server-2")?.state(for: "server-plan"), .pending)
    }

    func testJobsOfAnOlderHashDoNotCount() {
        let (server, agent, nodes) = midUpgrade()
        var old = F.job(plan: server, node: "server-3", state: .failed)
        old.metadata.labels?[Selection.planLabel("server-plan")] = "0123"
        let status = derive(cache(nodes: nodes, plans: [agent, server], jobs: [old]))
        XCTAssertEqual(status.node(named: "server-3")?.state(for: "server-plan"), .pending)
    }

    func testV134LabelsWithoutMasterAndEtcdOnlyServer() throws {
        let server = F.resolved(F.serverPlan(version: "v1.34.2+rke2r1"))
        let agent = F.resolved(F.agentPlan(version: "v1.34.2+rke2r1"), complete: false, reason: "SyncJob")
        let hash = server.status!.latestHash!
        let nodes = [
            F.node("cp-1", version: "v1.34.2+rke2r1", etcd: false, planLabels: ["server-plan": hash]),
            F.node("etcd-1", version: "v1.33.5+rke2r1", controlPlane: false),
            F.node("worker-1", version: "v1.33.5+rke2r1", server: false),
        ]
        let status = derive(cache(nodes: nodes, plans: [agent, server]))
        XCTAssertEqual(status.node(named: "cp-1")?.roles, ["control-plane"], "no master label from v1.34.1")
        XCTAssertEqual(status.node(named: "etcd-1")?.roles, ["etcd"])
        XCTAssertEqual(status.node(named: "etcd-1")?.isServer, true)
        // The docs' selectors put an etcd-only server in the agent plan.
        XCTAssertEqual(status.node(named: "etcd-1")?.plans.map(\.plan), ["agent-plan"])
        XCTAssertTrue(status.hints.contains { $0.subject == "etcd-1" && $0.message.contains("upgraded as an agent") })
        let gate = try XCTUnwrap(status.agentGate)
        XCTAssertTrue(gate.open, gate.reason)
        XCTAssertEqual(gate.controlPlaneVersions, ["v1.34.2-rke2r1"])
        XCTAssertTrue(status.plan(named: "server-plan")?.complete == true)
    }

    func testPre134ServersCarryMaster() {
        let node = F.node("s", version: "v1.33.9+rke2r1")
        XCTAssertEqual(Selection.roles(node.metadata.labels ?? [:]), ["control-plane", "etcd", "master"])
    }

    func testHostnameLabelsDifferentFromNodeNames() {
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["ip-10-0-0-2"])
        let nodes = [F.node("ip-10-0-0-2.eu-west-1.compute.internal", version: "v1.31.6+rke2r1", hostname: "ip-10-0-0-2"),
                     F.node("ip-10-0-0-2", version: "v1.31.6+rke2r1", hostname: "something-else")]
        let status = derive(cache(nodes: nodes, plans: [server]))
        XCTAssertEqual(status.node(named: "ip-10-0-0-2.eu-west-1.compute.internal")?.state(for: "server-plan"), .applying)
        XCTAssertEqual(status.node(named: "ip-10-0-0-2")?.state(for: "server-plan"), .pending, "applying holds hostname labels, not node names")
    }

    func testNodesWithoutHostnameLabelAreNotSelected() {
        var node = F.node("server-1", version: "v1.31.6+rke2r1")
        node.metadata.labels?["kubernetes.io/hostname"] = nil
        let status = derive(cache(nodes: [node], plans: [F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))]))
        XCTAssertEqual(status.node(named: "server-1")?.plans.count, 0)
    }

    func testPlanThatSelectsNoNode() throws {
        var plan = F.serverPlan(version: "v1.32.2+rke2r1")
        plan.spec?.nodeSelector = KLabelSelector(matchLabels: ["rke2-upgrade": "true"])
        let status = derive(cache(nodes: [F.node("server-1", version: "v1.31.6+rke2r1")], plans: [F.resolved(plan)]))
        XCTAssertEqual(status.plan(named: "server-plan")?.selectedNodes, [])
        XCTAssertEqual(status.plan(named: "server-plan")?.complete, true)
        XCTAssertTrue(status.hints.contains { $0.subject == "server-plan" && $0.message.contains("selects no node") })
    }

    func testCordonedWithNoPlanApplyingIsAHint() {
        let status = derive(cache(nodes: [F.node("server-1", version: "v1.31.6+rke2r1", unschedulable: true)]))
        XCTAssertTrue(status.hints.contains { $0.subject == "server-1" && $0.message.contains("cordoned but no plan is upgrading it") })
    }

    func testGateClosedOnMixedOrWrongControlPlaneVersions() throws {
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false)
        var status = derive(cache(nodes: [F.node("s1", version: "v1.32.2+rke2r1"), F.node("s2", version: "v1.31.6+rke2r1")], plans: [agent, server]))
        XCTAssertEqual(status.agentGate?.open, false)
        // The untagged rke2-upgrade image runs as v1.32.2-rke2r1: a prepare script that selects by the master label.
        XCTAssertTrue(status.agentGate?.reason.contains("nodes with node-role.kubernetes.io/master run v1.31.6-rke2r1, v1.32.2-rke2r1") == true, status.agentGate?.reason ?? "")
        status = derive(cache(nodes: [F.node("s1", version: "v1.32.2+rke2r2")], plans: [agent, server]))
        XCTAssertEqual(status.agentGate?.reason, "master nodes run v1.32.2-rke2r2, agent-plan waits for v1.32.2-rke2r1")
        status = derive(cache(nodes: [F.node("s1", version: "v1.32.2+rke2r1")], plans: [agent]))
        XCTAssertEqual(status.agentGate?.reason, "server plan server-plan does not exist; the prepare step waits for it")
        status = derive(cache(nodes: [F.node("s1", version: "v1.32.2+rke2r1")], plans: [server]))
        XCTAssertNil(status.agentGate, "no agent plan, no gate")
    }

    func testReleaseCandidateTargetComparesWithoutTheRC() throws {
        // rancher/rke2#1405: the prepare step drops -rcN; kubelets report the final release.
        let server = F.resolved(F.serverPlan(version: "v1.32.2-rc1+rke2r1"))
        let agent = F.resolved(F.agentPlan(version: "v1.32.2-rc1+rke2r1"), complete: false)
        let status = derive(cache(nodes: [F.node("s1", version: "v1.32.2+rke2r1")], plans: [agent, server]))
        XCTAssertEqual(status.agentGate?.target, "v1.32.2-rke2r1")
        XCTAssertEqual(status.agentGate?.open, true)
    }

    func testControllerStates() {
        XCTAssertEqual(derive(cache(nodes: [])).upgradeController, .ready)
        XCTAssertEqual(derive(cache(nodes: [], controller: F.controller(ready: false))).upgradeController, .notReady)
        XCTAssertEqual(derive(cache(nodes: [], controller: nil)).upgradeController, .missing)
        var noCRD = cache(nodes: [])
        noCRD.health["plans"] = .missing
        let status = derive(noCRD)
        XCTAssertEqual(status.upgradeController, .missing)
        XCTAssertEqual(status.planCRDInstalled, false)
        XCTAssertEqual(status.api, .ok, "a missing CRD is a state, not an API failure")
    }

    func testAPIStateFromNodeHealth() {
        var c = cache(nodes: [])
        c.health["nodes"] = .unreachable("connection refused", retryAt: Date(timeIntervalSince1970: 5))
        XCTAssertEqual(derive(c).api, .unreachable)
        XCTAssertEqual(derive(c).retryAt, Date(timeIntervalSince1970: 5))
        c.health["nodes"] = .unauthorized("401")
        XCTAssertEqual(derive(c).api, .unauthorized)
        c.health["nodes"] = .pending
        XCTAssertTrue(derive(c).connecting)
    }

    func testSelectorTable() {
        let labels: StringMap = ["a": "1", "b": "2"]
        typealias R = KLabelSelector.Requirement
        let cases: [(KLabelSelector?, Bool)] = [
            (nil, true),
            (KLabelSelector(), true),
            (KLabelSelector(matchLabels: ["a": "1"]), true),
            (KLabelSelector(matchLabels: ["a": "2"]), false),
            (KLabelSelector(matchExpressions: [R(key: "a", operator: "In", values: ["1", "3"])]), true),
            (KLabelSelector(matchExpressions: [R(key: "c", operator: "In", values: ["1"])]), false),
            (KLabelSelector(matchExpressions: [R(key: "a", operator: "NotIn", values: ["1"])]), false),
            (KLabelSelector(matchExpressions: [R(key: "c", operator: "NotIn", values: ["1"])]), true),
            (KLabelSelector(matchExpressions: [R(key: "b", operator: "Exists")]), true),
            (KLabelSelector(matchExpressions: [R(key: "c", operator: "Exists")]), false),
            (KLabelSelector(matchExpressions: [R(key: "c", operator: "DoesNotExist")]), true),
            (KLabelSelector(matchExpressions: [R(key: "a", operator: "DoesNotExist")]), false),
            (KLabelSelector(matchLabels: ["a": "1"], matchExpressions: [R(key: "b", operator: "In", values: ["3"])]), false),
            (KLabelSelector(matchExpressions: [R(key: "a", operator: "Gt", values: ["0"])]), false),
        ]
        for (index, (selector, expected)) in cases.enumerated() {
            XCTAssertEqual(Selection.matches(selector, labels: labels), expected, "case \(index)")
        }
    }

    func testEligibility() {
        let plan = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
        let hash = plan.status!.latestHash!
        XCTAssertTrue(Selection.eligible(plan, F.node("a", version: "v1.31.6+rke2r1")))
        XCTAssertFalse(Selection.eligible(plan, F.node("a", version: "v1.31.6+rke2r1", planLabels: ["server-plan": hash])))
        XCTAssertFalse(Selection.eligible(plan, F.node("a", version: "v1.31.6+rke2r1", planLabels: ["server-plan": "disabled"])))
        XCTAssertTrue(Selection.eligible(plan, F.node("a", version: "v1.31.6+rke2r1", planLabels: ["server-plan": "oldhash"])))
        XCTAssertFalse(Selection.eligible(plan, F.node("a", version: "v1.31.6+rke2r1", server: false)))
    }

    // MARK: manifests

    func file(_ name: String, sha: String?, state: ManifestState = .active, skip: String? = nil) -> ManifestFile {
        ManifestFile(file: name, addon: ManifestScanner.addonName(name), present: true, sha256: sha, size: 1, modified: nil,
                     skipMarker: skip, disabledBy: nil, viaSymlink: false, localState: state)
    }

    func testManifestStatesWithAddons() {
        let files = [file("rke2-canal.yaml", sha: "aaa"), file("rke2-coredns.yaml", sha: "bbb"), file("rke2-metrics-server.yaml", sha: "ccc"),
                     file("rke2-ingress-nginx.yaml", sha: "ddd", state: .skipped, skip: "rke2-ingress-nginx.yaml.skip")]
        let c = cache(nodes: [], addons: [F.addon("rke2-canal", checksum: "aaa"), F.addon("rke2-coredns", checksum: "zzz"),
                                          F.addon("rke2-ingress-nginx", checksum: "old")],
                      charts: [F.helmChart("rke2-canal", chartVersion: "v3.28.1-build2024101500"),
                               F.helmChart("rke2-coredns", chartVersion: "1.36.102", failed: "chart requires kubeVersion: >= v1.32.0")])
        let merged = ManifestDerivation.merge(files, cache: c, addonsKnown: true)
        XCTAssertEqual(merged.map(\.state), [.applied, .outOfSync, .pending, .skipped])
        XCTAssertEqual(merged[0].chartVersion, "v3.28.1-build2024101500")
        XCTAssertEqual(merged[1].chartVersion, "1.36.102")
        XCTAssertEqual(merged[1].chartFailure, "chart requires kubeVersion: >= v1.32.0")
        XCTAssertEqual(merged[3].addonChecksum, "old", "skipped despite an Addon: the checksum is still shown")
        XCTAssertEqual(ManifestDerivation.merge(files, cache: nil, addonsKnown: false).map(\.state), [.active, .active, .active, .skipped])
    }

    func testChartVersionParsing() {
        XCTAssertEqual(ManifestDerivation.chartVersion(F.helmChart("rke2-coredns", chartVersion: "1.47.003")), "1.47.003")
        var odd = F.helmChart("x", chartVersion: "1")
        odd.metadata.annotations?["helm.cattle.io/chart-url"] = "https://example/charts/some-chart-v2.1.0.tgz"
        XCTAssertEqual(ManifestDerivation.chartVersion(odd), "v2.1.0")
        var none = F.helmChart("x", chartVersion: "1")
        none.metadata.annotations = nil
        none.spec = .init(chart: "x", version: "9.9.9")
        XCTAssertEqual(ManifestDerivation.chartVersion(none), "9.9.9")
    }
}
