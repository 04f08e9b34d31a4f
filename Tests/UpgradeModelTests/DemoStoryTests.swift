import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// `--demo` tells a story: a cluster before its upgrade; the operator plans it (the real plan operation
/// writes the Plans); the simulated SUC upgrades the servers one at a time, opens the agent gate, then
/// upgrades the agents, in about two minutes; the failure key makes a Job fail or a node NotReady.
final class DemoStoryTests: XCTestCase {
    let namespace = ObjectFactory.namespace

    func derived(_ demo: DemoCluster) -> ClusterStatus {
        var cache = demo.cache
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        return ClusterDerivation.derive(cache, namespace: namespace, server: "demo")
    }

    func plan(_ demo: DemoCluster, in box: Sandbox) async throws -> DemoNode {
        let node = try DemoNode.create(cluster: demo, in: box.root)
        let operation = PlanOperation(client: demo.api, namespace: namespace, local: node) { try DemoCluster.resolveChannel($0) }
        let prepared = try await operation.prepare(target: try UpgradeTarget.parse(version: nil, channel: "v1.32"))
        XCTAssertEqual(prepared.resolved?.description, DemoCluster.to)
        let runbook = Runbook.build(prepared, namespace: namespace).markdown
        XCTAssertTrue(runbook.contains("server-1") && runbook.contains(DemoCluster.to), "the demo has a runbook too")
        XCTAssertEqual(prepared.failures.map(\.name), [], "a newcomer's first plan passes its checks: \(prepared.failures)")
        _ = try await operation.apply(prepared, force: nil)
        return node
    }

    func testFromBeforeTheUpgradeToDoneServersFirstOneAtATime() async throws {
        let demo = DemoCluster(stepInterval: 3600)
        let start = derived(demo)
        XCTAssertTrue(start.plans.isEmpty, "no Plans before the operator makes them")
        XCTAssertEqual(Set(start.nodes.compactMap { $0.version?.description }), [DemoCluster.from])
        let box = try Sandbox("demo-story")
        let node = try await plan(demo, in: box)
        defer { DemoNode.remove(root: node.root) }
        var steps = 0
        var serversDoneAt: Int?
        while demo.step() {
            steps += 1
            XCTAssertLessThan(steps, 60, "the story ends")
            let cache = demo.cache
            XCTAssertLessThanOrEqual(cache.nodes.values.filter { $0.spec?.unschedulable == true }.count, 1, "one node at a time")
            let servers = cache.nodes.values.filter { $0.metadata.label("node-role.kubernetes.io/control-plane") == "true" }
            let serversDone = servers.allSatisfy { $0.status?.nodeInfo?.kubeletVersion == DemoCluster.to }
            if serversDone && serversDoneAt == nil { serversDoneAt = steps }
            let agentJobs = cache.jobs.values.filter { $0.metadata.label("upgrade.cattle.io/plan") == "agent-plan" }
            if !serversDone { XCTAssertTrue(agentJobs.isEmpty, "no agent starts before every server runs the target (step \(steps))") }
        }
        let end = derived(demo)
        XCTAssertNotNil(serversDoneAt)
        for node in end.nodes where node.name != "agent-gpu-with-a-rather-long-hostname-3" {
            XCTAssertEqual(node.version?.description, DemoCluster.to, node.name)
        }
        XCTAssertEqual(end.nodes.first { $0.name == "agent-gpu-with-a-rather-long-hostname-3" }?.version?.description, DemoCluster.from, "opted out")
        XCTAssertEqual(demo.localVersions.installed, DemoCluster.to, "the demo node's Job replaced its rke2")
        XCTAssertEqual(demo.localVersions.running, DemoCluster.to)
        // At the default pace (5 s a step) the story takes about two minutes.
        XCTAssertLessThanOrEqual(Double(steps) * DemoCluster(stepInterval: 5).stepInterval, 150, "\(steps) steps")
        XCTAssertGreaterThanOrEqual(Double(steps) * 5, 45, "\(steps) steps: slow enough to watch")
    }

    func testTheFailureKeyBreaksAJobOrANodeAndRecovers() async throws {
        let demo = DemoCluster(stepInterval: 3600)
        XCTAssertEqual(demo.injectFailure(), "demo: agent-1 stays NotReady (press x again to recover)")
        XCTAssertEqual(derived(demo).nodes.first { $0.name == "agent-1" }?.ready, false)
        XCTAssertEqual(demo.injectFailure(), "demo: agent-1 is Ready again")
        XCTAssertEqual(derived(demo).nodes.first { $0.name == "agent-1" }?.ready, true)

        let box = try Sandbox("demo-failure")
        let node = try await plan(demo, in: box)
        defer { DemoNode.remove(root: node.root) }
        demo.step()                                  // SUC resolves the Plans
        demo.step()                                  // and starts server-1
        let message = demo.injectFailure()
        XCTAssertEqual(message, "demo: the upgrade Job on server-1 failed (press x again to retry it)")
        let failed = derived(demo)
        XCTAssertEqual(failed.nodes.first { $0.name == "server-1" }?.state(for: "server-plan"), .failed)
        let job = try XCTUnwrap(failed.plans.first { $0.name == "server-plan" }?.jobs.first { $0.node == "server-1" })
        XCTAssertTrue(job.detail?.contains("Text file busy") == true, "the pod says why: \(job.detail ?? "nil")")
        XCTAssertFalse(demo.step(), "a failed Job stops the plan, as SUC leaves it")
        XCTAssertEqual(demo.injectFailure(), "demo: the Job on server-1 was retried and runs again")
        XCTAssertTrue(demo.step())
        XCTAssertEqual(derived(demo).nodes.first { $0.name == "server-1" }?.version?.description, DemoCluster.to)
    }
}
