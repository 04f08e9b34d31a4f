import TestSupport
import XCTest
@testable import UpgradeModel

final class DashboardStoreTests: XCTestCase {
    actor Collector {
        var snapshots: [DashboardSnapshot] = []
        func add(_ snapshot: DashboardSnapshot) { snapshots.append(snapshot) }
        var last: DashboardSnapshot? { snapshots.last }
        var count: Int { snapshots.count }
    }

    func waitFor(_ collector: Collector, timeout: TimeInterval = 10, _ predicate: @escaping (DashboardSnapshot) -> Bool) async throws -> DashboardSnapshot {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let last = await collector.last, predicate(last) { return last }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("no matching snapshot within \(timeout) s")
        throw XCTSkip("timed out")
    }

    func testMergesHostScansAndWatchStreamsAndPublishesOnChange() async throws {
        let box = try Sandbox("store")
        let manifest = try box.manifest("rke2-canal.yaml", Sandbox.helmChart("rke2-canal"))
        let checksum = try ManifestScanner.sha256(ofFile: manifest)
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade(addonChecksums: ["rke2-canal": checksum])))
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        let store = DashboardStore(configuration: .init(local: box.inspector, namespace: "system-upgrade", localInterval: 0.3),
                                   cluster: .kube(client))
        let collector = Collector()
        let stream = await store.updates()
        let reader = Task { for await snapshot in stream { await collector.add(snapshot) } }
        await store.start()

        // Each resource has its own reflector: wait for the plans too, not only nodes and Addons.
        // The nodes' health report follows their list: wait for it too (api ok) rather than race it.
        let first = try await waitFor(collector) {
            $0.cluster.nodes.count == 5 && $0.cluster.plans.count == 2 && $0.manifests.first?.state == .applied && $0.cluster.api == .ok
        }
        XCTAssertEqual(first.cluster.api, .ok)
        XCTAssertEqual(first.cluster.node(named: "server-2")?.state(for: "server-plan"), .applying)

        // A node's version changes in the API: a new snapshot shows it.
        let changedAt = Date()
        try emulator.patchStatus("/api/v1/nodes/server-3", ["nodeInfo": ["kubeletVersion": "v1.32.2+rke2r1"]])
        _ = try await waitFor(collector) { $0.cluster.node(named: "server-3")?.kubeletVersion == "v1.32.2+rke2r1" }
        XCTAssertLessThan(Date().timeIntervalSince(changedAt), 2)

        // A marker appears on disk: the next host scan shows it.
        try box.manifest("rke2-canal.yaml.skip", "")
        _ = try await waitFor(collector) { $0.manifests.first?.state == .skipped }

        // A burst of 40 changes is published as a few snapshots, not 40. The 40 changes reach the watch
        // within milliseconds (one request to the emulator), and each is visible in the snapshot (a label
        // the dashboard shows): with 40 separate PATCH requests on a loaded machine, or a label the
        // snapshot leaves out, the count says nothing about coalescing.
        let before = await collector.count
        var agent = try XCTUnwrap(ClusterScenario.MidUpgrade().nodes.first { $0.metadata.name == "agent-1" })
        let burst = (0..<40).map { step -> JSONValue in
            agent.metadata.labels?["upgrade.cattle.io/burst"] = "\(step)"
            return ObjectFactory.json(agent)
        }
        try emulator.seed(ClusterScenario.any(burst))
        // Wait for the burst's last change (not for something that already held before it).
        _ = try await waitFor(collector) {
            $0.cluster.node(named: "agent-1")?.labels.contains { $0.0 == "upgrade.cattle.io/burst" && $0.1 == "39" } == true
        }
        try await Task.sleep(nanoseconds: 500_000_000)
        let published = await collector.count - before
        XCTAssertLessThan(published, 40, "coalesced: \(published) snapshots for 40 changes")

        // Nothing changes: nothing is published.
        let idleBefore = await collector.count
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let idleAfter = await collector.count
        XCTAssertEqual(idleAfter, idleBefore, "an idle store publishes nothing")

        await store.stop()
        reader.cancel()
    }

    func testWithoutAClusterAndWithABrokenConfig() async throws {
        let box = try Sandbox("store")
        try box.manifest("rke2-canal.yaml")
        let store = DashboardStore(configuration: .init(local: box.inspector, namespace: "system-upgrade", localInterval: 0.2),
                                   cluster: .none(nil))
        let collector = Collector()
        let stream = await store.updates()
        let reader = Task { for await snapshot in stream { await collector.add(snapshot) } }
        await store.start()
        let first = try await waitFor(collector) { !$0.manifests.isEmpty }
        XCTAssertEqual(first.cluster.api, .notConfigured)
        XCTAssertEqual(first.manifests.first?.state, .active)
        try box.write(box.configFile, "disable: [oops\n")
        let broken = try await waitFor(collector) { $0.localError != nil }
        XCTAssertTrue(broken.localError?.contains("config.yaml: line") == true, broken.localError ?? "")
        XCTAssertEqual(broken.manifests.count, 1, "the previous scan is kept")
        await store.stop()
        reader.cancel()
    }
}
