import TestSupport
import XCTest
@testable import UpgradeModel

/// After an etcd snapshot restore the API's resourceVersions go backwards; a watch from one it has not
/// reached is refused with 504 ResourceVersionTooLarge (kube-apiserver's watch cache). The reflector must
/// relist, as client-go's does, and say the cluster is not current while it does.
final class EtcdRestoreTests: XCTestCase {
    func wait(timeout: TimeInterval, _ what: String, _ condition: @escaping () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("\(what): not within \(timeout) s")
    }


    func testAnEtcdRestoreRelistsInsteadOfWatchingFromTheFutureForever() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait(timeout: 10, "first list") { await recorder.names.count == 5 }
        try emulator.etcdSnapshot()
        try emulator.seed(ClusterScenario.any([ObjectFactory.json(ObjectFactory.node("agent-3", version: "v1.31.6+rke2r1", server: false))]))
        for step in 1...5 {
            try emulator.patch("/api/v1/nodes/server-1", ["metadata": ["labels": ["step": "\(step)"]]])
        }
        try await wait(timeout: 10, "agent-3 seen") { await recorder.names.contains("agent-3") }
        // The restore: agent-3 never existed, and every resourceVersion the dashboard holds is in the future.
        try emulator.etcdRestore()
        try await wait(timeout: 15, "the restored cluster (agent-3 gone)") { await recorder.names == ["agent-1", "agent-2", "server-1", "server-2", "server-3"] }
        try await wait(timeout: 10, "healthy again") { await recorder.health.last == .ok }
        let replaces = await recorder.replaces
        XCTAssertGreaterThanOrEqual(replaces, 2, "it relisted")
        let health = await recorder.health
        XCTAssertTrue(health.contains { if case let .unreachable(message, _) = $0 { return message.contains("etcd restore") } else { return false } },
                      "while relisting it says the objects on screen may be newer than the API: \(health)")
        task.cancel()
        await client.shutdown()
    }

    func testAWatchThatKeepsFailingAfterAReconnectRelists() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        try emulator.fault("status=500&count=2&watch=true")
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait(timeout: 10, "a relist after the second failed watch") { await recorder.replaces >= 2 }
        task.cancel()
        await client.shutdown()
    }

    func testTheEmulatorAnswersAFutureResourceVersionAsKubeAPIServerDoes() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        let started = Date()
        do {
            for try await _ in client.watchLines(KubeResource.nodes.collectionPath, query: [("resourceVersion", "999999")], timeoutSeconds: 10) {}
            XCTFail("a watch from the future must be refused")
        } catch let error as KubeError {
            XCTAssertTrue(error.isResourceVersionTooLarge, "\(error)")
            XCTAssertEqual(error.code, 504)
        }
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 2.5, "kube-apiserver waits ~3 s first")
        await client.shutdown()
    }
}
