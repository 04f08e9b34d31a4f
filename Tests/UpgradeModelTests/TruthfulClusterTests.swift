import TestSupport
import XCTest
@testable import UpgradeModel

/// Issue #12, system-upgrade-controller and the Jobs: API objects in, the state SUC and the rke2-upgrade
/// image imply out (docs/rke2-rules.md#suc-node-selection, #rke2-upgrade-image-master-and-control-plane-labels).
final class TruthfulClusterTests: XCTestCase {
    typealias F = ObjectFactory

    func derive(nodes: [KNode], plans: [KPlan], jobs: [KJob] = [], pods: [KPod] = []) -> ClusterStatus {
        let cache = SnapshotFixtures.cache(nodes: nodes, plans: plans, jobs: jobs, deployments: [F.controller()], pods: pods)
        return ClusterDerivation.derive(cache, namespace: "system-upgrade")
    }

    let servers = [F.node("server-1", version: "v1.31.6+rke2r1"), F.node("server-2", version: "v1.31.6+rke2r1")]

    // 1. No nodeSelector selects nothing; concurrency 0 schedules nothing.
    func testAPlanWithoutNodeSelectorSelectsNoNode() throws {
        var plan = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
        plan.spec?.nodeSelector = nil
        let status = derive(nodes: servers, plans: [plan])
        let summary = try XCTUnwrap(status.plan(named: "server-plan"))
        XCTAssertEqual(summary.selectedNodes, [])
        XCTAssertEqual(summary.counts.pending, 0)
        XCTAssertEqual(summary.problem, .noSelector)
        XCTAssertTrue(status.nodes.allSatisfy { $0.plans.isEmpty }, "no node shows a state for it")
        XCTAssertTrue(status.hints.contains { $0.subject == "server-plan" && $0.message.contains("selects no node") })
    }

    func testAPlanWithoutConcurrencyNeverSchedulesANode() throws {
        var plan = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
        plan.spec?.concurrency = nil
        let hash = plan.status!.latestHash!
        let nodes = [F.node("server-1", version: "v1.32.2+rke2r1", planLabels: ["server-plan": hash]), servers[1]]
        let status = derive(nodes: nodes, plans: [plan])
        XCTAssertEqual(status.node(named: "server-1")?.state(for: "server-plan"), .done)
        XCTAssertEqual(status.node(named: "server-2")?.state(for: "server-plan"), .notScheduled)
        let summary = try XCTUnwrap(status.plan(named: "server-plan"))
        XCTAssertEqual(summary.counts.pending, 0)
        XCTAssertEqual(summary.counts.notScheduled, 1)
        XCTAssertEqual(summary.problem, .noConcurrency)
        XCTAssertTrue(status.hints.contains { $0.message.hasPrefix("concurrency 0: nothing will be upgraded") })
        let json = StatusJSON.cluster(status)
        XCTAssertEqual(json["plans"]?.arrayValue?.first?["problem"]?["code"]?.stringValue, "concurrency-0")
        XCTAssertEqual(json["nodes"]?.arrayValue?.first { $0["name"]?.stringValue == "server-2" }?["plans"]?["server-plan"]?.stringValue, "not-scheduled")
    }

    // 2. In/NotIn without values, or an unknown operator: SelectNodesFailed, nothing evaluated.
    func testInvalidSelectorsFailThePlanInsteadOfBeingEvaluated() throws {
        typealias R = KLabelSelector.Requirement
        for requirement in [R(key: "node-role.kubernetes.io/control-plane", operator: "NotIn", values: []),
                            R(key: "node-role.kubernetes.io/control-plane", operator: "In"),
                            R(key: "node-role.kubernetes.io/control-plane", operator: "Equals", values: ["true"])] {
            var plan = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
            plan.spec?.nodeSelector = KLabelSelector(matchExpressions: [requirement])
            let status = derive(nodes: servers, plans: [plan])
            let summary = try XCTUnwrap(status.plan(named: "server-plan"))
            guard case .invalidSelector = summary.problem else { return XCTFail("\(requirement.operator): \(String(describing: summary.problem))") }
            XCTAssertEqual(summary.selectedNodes, [], "NotIn [] would match every node if it were evaluated")
            XCTAssertTrue(status.hints.contains { $0.severity == .error && $0.message.hasPrefix("SelectNodesFailed") })
        }
    }

    // 3. RKE2 lowercases node names.
    func testThisHostMatchesItsNodeLowercased() throws {
        let box = try Sandbox("thisnode")
        try box.write(box.configFile, "node-name: Server-2\n")
        let config = try RKE2Config.load(configFile: box.configFile)
        let local = LocalNode(role: .server, hostname: "SERVER-1.Example.COM", paths: box.paths, binary: nil, running: nil, config: config, problems: [])
        let status = derive(nodes: servers, plans: [])
        XCTAssertEqual(ThisNode.node(local, in: status)?.name, "server-2")
        let byHost = LocalNode(role: .server, hostname: "SERVER-1.Example.COM", paths: box.paths, binary: nil, running: nil,
                               config: .emptyForErrors, problems: [])
        XCTAssertEqual(ThisNode.node(byHost, in: status)?.name, "server-1")
    }

    // 4. The agent gate: which script the prepare image runs, and semver-parse.sh's leading v.
    func testTheAgentGateFollowsThePrepareImagesScript() throws {
        let target = "v1.34.3+rke2r1"
        let server = F.resolved(F.serverPlan(version: target))
        // v1.34 servers have no master label; all of them already run the target.
        let nodes = [F.node("server-1", version: target), F.node("server-2", version: target), F.node("agent-1", version: "v1.33.5+rke2r1", server: false)]

        // An untagged image takes the plan's latestVersion as its tag: v1.34.3 selects by control-plane.
        let newImage = F.resolved(F.agentPlan(version: target))
        let open = try XCTUnwrap(derive(nodes: nodes, plans: [server, newImage]).agentGate)
        XCTAssertTrue(open.open, open.reason)
        XCTAssertEqual(open.selectorLabel, "node-role.kubernetes.io/control-plane")
        XCTAssertNil(open.masterLabelWarning)

        // An image from before the label change selects by master, which v1.34 servers lack: it waits forever.
        var oldImage = F.resolved(F.agentPlan(version: target))
        oldImage.spec?.prepare?.image = "rancher/rke2-upgrade:v1.33.5-rke2r1"
        let status = derive(nodes: nodes, plans: [server, oldImage])
        let closed = try XCTUnwrap(status.agentGate)
        XCTAssertFalse(closed.open)
        XCTAssertEqual(closed.selectorLabel, "node-role.kubernetes.io/master")
        XCTAssertTrue(closed.reason.contains("no node carries node-role.kubernetes.io/master"), closed.reason)
        XCTAssertNotNil(closed.masterLabelWarning)
        XCTAssertTrue(status.hints.contains { $0.subject == "agent-plan" && $0.message.contains("node-role.kubernetes.io/master") })
    }

    func testTheMasterLabelWarningShowsAlsoWhenTheGateIsOpen() throws {
        // server-1 upgraded to v1.34 lost the master label; server-2 (v1.33, master) is the only one the
        // old script looks at, so the gate opens while server-1 is not checked at all.
        let target = "v1.33.5+rke2r1"
        let server = F.resolved(F.serverPlan(version: target))
        var agent = F.resolved(F.agentPlan(version: target))
        agent.spec?.prepare?.image = "rancher/rke2-upgrade:v1.33.5-rke2r1"
        let nodes = [F.node("server-1", version: "v1.34.1+rke2r1"), F.node("server-2", version: target)]
        let status = derive(nodes: nodes, plans: [server, agent])
        let gate = try XCTUnwrap(status.agentGate)
        XCTAssertTrue(gate.open, gate.reason)
        XCTAssertTrue(gate.masterLabelWarning?.contains("server-1") == true, gate.masterLabelWarning ?? "no warning")
        XCTAssertTrue(status.hints.contains { $0.subject == "agent-plan" && $0.message.contains("server-1") })
    }

    func testALatestVersionWithoutALeadingVIsAGateThatNeverOpens() throws {
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"))
        var agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"))
        agent.status?.latestVersion = "1.32.2-rke2r1"
        agent.spec?.prepare?.image = "rancher/rke2-upgrade:v1.32.2-rke2r1"
        let nodes = [F.node("server-1", version: "v1.32.2+rke2r1")]
        let gate = try XCTUnwrap(derive(nodes: nodes, plans: [server, agent]).agentGate)
        XCTAssertFalse(gate.open)
        XCTAssertEqual(gate.target, "v..")
        XCTAssertTrue(gate.reason.contains("semver-parse.sh prints \"v..\""), gate.reason)
        XCTAssertEqual(RKE2UpgradeImage.semverK8s("v1.32.2-rc1-rke2r1"), "v1.32.2-rke2r1")
        XCTAssertEqual(RKE2UpgradeImage.semverK8s("v1.32.2+rke2r1"), "v1.32.2+rke2r1")
    }

    // Why a Job is stuck: its pod.
    func testAStuckJobShowsItsPodsWaitingReason() throws {
        let server = F.resolved(F.serverPlan(version: "v1.31.6+rke2r1"), applying: ["server-2"])
        let job = F.job(plan: server, node: "server-2", state: .running)
        let message = "Back-off pulling image \"rancher/rke2-upgrade:v1.31.6-rke2r1\": not found"
        let pod = F.pod(of: job, statuses: [KPod.ContainerStatus(name: "upgrade", image: "rancher/rke2-upgrade:v1.31.6-rke2r1",
                                                                 state: .init(waiting: .init(reason: "ImagePullBackOff", message: message)))])
        let status = derive(nodes: servers, plans: [server], jobs: [job], pods: [pod])
        let node = try XCTUnwrap(status.node(named: "server-2"))
        XCTAssertEqual(node.state(for: "server-plan"), .applying)
        XCTAssertEqual(node.upgradeDetail, "Pending: ImagePullBackOff: \(message)")
        XCTAssertEqual(status.plan(named: "server-plan")?.jobs.first?.detail, "Pending: ImagePullBackOff: \(message)")
        XCTAssertTrue(status.hints.contains { $0.severity == .error && $0.subject == "server-2" && $0.message.contains("rancher/rke2-upgrade:v1.31.6-rke2r1") })
        XCTAssertEqual(StatusJSON.cluster(status)["nodes"]?.arrayValue?.first { $0["name"]?.stringValue == "server-2" }?["upgradeDetail"]?.stringValue,
                       "Pending: ImagePullBackOff: \(message)")
    }

    func testPrepareWaitCrashLoopAndDeadline() throws {
        let server = F.resolved(F.serverPlan(version: "v1.31.6+rke2r1"))
        let agent = F.resolved(F.agentPlan(version: "v1.31.6+rke2r1"), applying: ["agent-1"])
        let agents = [F.node("agent-1", version: "v1.30.9+rke2r1", server: false), F.node("agent-2", version: "v1.30.9+rke2r1", server: false)]
        let waiting = F.job(plan: agent, node: "agent-1", state: .running)
        let prepare = F.pod(of: waiting, initStatuses: [KPod.ContainerStatus(name: "prepare", state: .init(running: .object([])))])
        var doomed = F.job(plan: agent, node: "agent-2", state: .running)
        doomed.status?.conditions = [KCondition(type: "FailureTarget", status: "True", reason: "DeadlineExceeded",
                                                message: "Job was active longer than specified deadline")]
        let status = derive(nodes: servers + agents, plans: [server, agent], jobs: [waiting, doomed], pods: [prepare])
        XCTAssertEqual(status.node(named: "agent-1")?.upgradeDetail, "Init: waiting for server-plan")
        XCTAssertEqual(status.node(named: "agent-2")?.state(for: "agent-plan"), .failed)
        XCTAssertEqual(status.plan(named: "agent-plan")?.jobs.first { $0.node == "agent-2" }?.message,
                       "DeadlineExceeded: Job was active longer than specified deadline")

        let crashing = F.pod(of: waiting, phase: "Running", statuses: [KPod.ContainerStatus(name: "upgrade", restartCount: 4,
            state: .init(waiting: .init(reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=upgrade")))])
        XCTAssertEqual(ClusterDerivation.podDetail(crashing, waitsFor: nil),
                       "Running: CrashLoopBackOff: back-off 40s restarting failed container=upgrade (restarted 4×)")
        var suspended = F.job(plan: agent, node: "agent-1", state: .pending)
        suspended.status?.conditions = [KCondition(type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended")]
        XCTAssertEqual(ClusterDerivation.jobStatus(suspended).detail, "Suspended: JobSuspended: Job suspended")
    }

    // 5. The redirect's Location: decoded path, no query.
    func testChannelLocationIsTheDecodedPathsLastElement() {
        let url = "https://update.rke2.io/v1-release/channels/stable"
        XCTAssertEqual(ChannelResolver.locationVersion("https://github.com/rancher/rke2/releases/tag/v1.35.7%2Brke2r1", requestURL: url), "v1.35.7+rke2r1")
        XCTAssertEqual(ChannelResolver.locationVersion("https://github.com/rancher/rke2/releases/tag/v1.35.7+rke2r1?from=channel#x", requestURL: url), "v1.35.7+rke2r1")
        XCTAssertEqual(ChannelResolver.locationVersion("/rancher/rke2/releases/tag/v1.34.2%2Brke2r1/", requestURL: url), "v1.34.2+rke2r1")
    }
}
