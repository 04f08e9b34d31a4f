import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// The seam: the demo's API server in memory, behind the same `KubeAPI` as the HTTP client. Reflectors,
/// the reader and the real plan operation work against it unchanged.
final class InMemoryAPITests: XCTestCase {
    func wait(_ what: String, timeout: TimeInterval = 10, _ condition: @escaping () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("\(what): not within \(timeout) s")
    }

    func testTheDemoClusterIsReadAndWatchedThroughTheSeam() async throws {
        let demo = DemoCluster(stepInterval: 3600)
        let cache = await ClusterReader.readOnce(client: demo.api, sources: ClusterSources(namespace: ObjectFactory.namespace))
        XCTAssertEqual(cache.nodes.count, 6)
        XCTAssertTrue(cache.plans.isEmpty, "before the upgrade")
        XCTAssertEqual(cache.deployments.count, 1, "SUC is installed")
        for kind in ClusterCache.Kind.allCases { XCTAssertEqual(cache.health(kind), .ok, "\(kind)") }
        XCTAssertEqual(cache, demo.cache.withHealth(of: cache), "the reader sees what the controllers wrote")

        let recorder = NodeRecorder()
        let reflector = Reflector<KNode>(client: demo.api, resource: .nodes)
        let task = Task { await reflector.run { await recorder.record($0) } }
        defer { task.cancel() }
        try await wait("the first list") { await recorder.names.count == 6 }
        // The failure key changes a node: the watch delivers the change, no relist.
        _ = demo.injectFailure()
        try await wait("agent-1 changed") { await recorder.events.contains { $0.hasPrefix("upsert:agent-1") } }
        let replaces = await recorder.replaces
        XCTAssertEqual(replaces, 1)
    }

    func testTheDemoPlansGoThroughTheRealPlanOperation() async throws {
        let demo = DemoCluster(stepInterval: 3600)
        let box = try Sandbox("demo-plan")
        let node = try DemoNode.create(cluster: demo, in: box.root)
        defer { DemoNode.remove(root: node.root) }
        let target = RKE2Version("v1.32.3+rke2r1")!
        let operation = PlanOperation(client: demo.api, namespace: ObjectFactory.namespace, local: node) { _ in target }
        let prepared = try await operation.prepare(target: .version(target))
        XCTAssertTrue(prepared.existing.isEmpty, "no Plans before the upgrade")
        let outcome = try await operation.apply(prepared, force: prepared.failures.isEmpty ? nil : "test")
        XCTAssertEqual(outcome.summary, "server-plan created, agent-plan created")
        // The audit record is in the demo's tree, never on the host.
        let audit = try String(contentsOfFile: node.paths.auditLog, encoding: .utf8)
        XCTAssertTrue(audit.contains("\"command\":\"plan\""), audit)
        // The simulated SUC resolves what was written.
        XCTAssertTrue(demo.step())
        let plan = try XCTUnwrap(demo.cache.plans["\(ObjectFactory.namespace)/server-plan"])
        XCTAssertEqual(plan.status?.latestVersion, "v1.32.3-rke2r1")
        // SUC writes the Plans' status while the operator reads the review: that is not a change to
        // what was reviewed, and the apply goes through.
        let reviewed = try await operation.prepare(target: .version(RKE2Version("v1.32.4+rke2r1")!))
        let before = try XCTUnwrap(demo.cache.plans["\(ObjectFactory.namespace)/server-plan"]?.metadata.resourceVersion)
        XCTAssertTrue(demo.step(), "SUC started a node")
        XCTAssertNotEqual(demo.cache.plans["\(ObjectFactory.namespace)/server-plan"]?.status?.applying, nil)
        XCTAssertNotEqual(demo.cache.plans["\(ObjectFactory.namespace)/server-plan"]?.metadata.resourceVersion, before)
        let applied = try await operation.apply(reviewed, force: "test")
        XCTAssertEqual(applied.summary, "server-plan updated, agent-plan updated")
        // A colleague's change to a spec is: the review is refused, not applied over it.
        let again = try await operation.prepare(target: .version(RKE2Version("v1.32.5+rke2r1")!))
        var edited = try XCTUnwrap(demo.cache.plans["\(ObjectFactory.namespace)/agent-plan"])
        edited.spec?.concurrency = 0
        _ = try await demo.api.send(.PUT, KubeResource.plans(ObjectFactory.namespace).objectPath("agent-plan"),
                                    body: Data(PlanBuilder.planJSON(edited).serialized().utf8))
        do {
            _ = try await operation.apply(again, force: "test")
            XCTFail("applied over a Plan that changed since the review")
        } catch let error as UpgradeError {
            XCTAssertTrue(error.message.contains("changed since review"), error.message)
        }
    }

    func testRequestsAnswerAsAnAPIServerDoes() async throws {
        let api = InMemoryKubeAPI()
        let resource = KubeResource.plans("system-upgrade")
        do {
            _ = try await api.send(.GET, resource.objectPath("nope"))
            XCTFail("found a Plan that does not exist")
        } catch let error as KubeError {
            XCTAssertTrue(error.isNotFound)
            XCTAssertEqual(error.description, "404 NotFound: plans.upgrade.cattle.io \"nope\" not found")
        }
        let plan = PlanBuilder.planJSON(ObjectFactory.serverPlan(version: "v1.32.2+rke2r1"))
        let created = try JSONValue.parse(String(decoding: try await api.send(.POST, resource.collectionPath, body: Data(plan.serialized().utf8)), as: UTF8.self))
        let version = try XCTUnwrap(created[path: ["metadata", "resourceVersion"]]?.stringValue)
        do {
            _ = try await api.send(.POST, resource.collectionPath, body: Data(plan.serialized().utf8))
            XCTFail("created twice")
        } catch let error as KubeError { XCTAssertEqual(error.code, 409) }
        let stale = plan.setting(["metadata", "resourceVersion"], to: .text("1"))
        do {
            _ = try await api.send(.PUT, resource.objectPath("server-plan"), body: Data(stale.serialized().utf8))
            XCTFail("a stale resourceVersion was accepted")
        } catch let error as KubeError { XCTAssertEqual(error.code, 409) }
        let current = plan.setting(["metadata", "resourceVersion"], to: .text(version))
        _ = try await api.send(.PUT, resource.objectPath("server-plan"), body: Data(current.serialized().utf8))
        // Selectors as upgrade-tui sends them.
        api.upsert(ObjectFactory.node("a", version: "v1.32.2+rke2r1"), in: .nodes)
        var labelled = ObjectFactory.node("b", version: "v1.32.2+rke2r1")
        labelled.metadata.labels?["upgrade.cattle.io/plan"] = "server-plan"
        api.upsert(labelled, in: .nodes)
        let list = try JSONValue.parse(String(decoding: try await api.send(.GET, "/api/v1/nodes", query: [("labelSelector", "upgrade.cattle.io/plan")]), as: UTF8.self))
        XCTAssertEqual(list["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }, ["b"])
        // A watch from an old resourceVersion replays what happened since.
        var lines: [String] = []
        for try await line in api.watchLines(resource.collectionPath, query: [("resourceVersion", version)], timeoutSeconds: 5) {
            if line.isEmpty { continue }
            lines.append(String(decoding: line, as: UTF8.self))
            break
        }
        XCTAssertTrue(lines.first?.hasPrefix("{\"type\":\"MODIFIED\"") == true, "\(lines)")
    }
}

extension ClusterCache {
    /// This cache with another's health (the demo's own cache carries none).
    func withHealth(of other: ClusterCache) -> ClusterCache {
        var copy = self
        copy.health = other.health
        return copy
    }
}
