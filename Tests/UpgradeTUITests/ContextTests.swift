import Foundation
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// Contexts, as kubectl has them: `--context NAME`, and in the dashboard a picker (k9s's `:ctx`) that
/// switches the cluster shown without restarting. The header and `status` name the context.
final class ContextTests: XCTestCase {
    /// A kubeconfig with two contexts, `first` (emulator a) and `second` (emulator b), over plain HTTP
    /// to loopback.
    func twoContexts(_ a: Emulator, _ b: Emulator, in box: Sandbox) throws -> String {
        try box.write("kubeconfig.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: a
              cluster: {server: "\(a.httpURL)"}
            - name: b
              cluster: {server: "\(b.httpURL)"}
            contexts:
            - name: first
              context: {cluster: a, user: u}
            - name: second
              context: {cluster: b, user: u}
            current-context: first
            users:
            - name: u
              user: {}

            """)
    }

    func testContextOptionChoosesTheClusterAndAnUnknownOneIsBadInput() throws {
        let a = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let b = try Emulator(seed: ClusterScenario.any([ObjectFactory.json(ObjectFactory.node("b-server", version: "v1.32.2+rke2r1"))]))
        defer { a.stop(); b.stop() }
        let box = try Sandbox("contexts")
        let kubeconfig = try twoContexts(a, b, in: box)
        let first = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig] + box.cliOptions)
        XCTAssertEqual(first.status, 0, first.stderr)
        let firstDoc = try JSONValue.parse(first.stdout)
        XCTAssertEqual(firstDoc["cluster"]?["context"]?.stringValue, "first", "the current context by default")
        XCTAssertEqual(firstDoc["cluster"]?["nodes"]?.arrayValue?.count, 5)
        let second = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig, "--context", "second"] + box.cliOptions)
        XCTAssertEqual(second.status, 0, second.stderr)
        let doc = try JSONValue.parse(second.stdout)
        XCTAssertEqual(doc["cluster"]?["context"]?.stringValue, "second")
        XCTAssertEqual(doc["cluster"]?["server"]?.stringValue, b.httpURL)
        XCTAssertEqual(doc["cluster"]?["nodes"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["b-server"])
        let text = try Shell.cli(["status", "--kubeconfig", kubeconfig, "--context", "second"] + box.cliOptions)
        XCTAssertTrue(text.stdout.contains("context second"), text.stdout)
        let unknown = try Shell.cli(["status", "--kubeconfig", kubeconfig, "--context", "thrid"] + box.cliOptions)
        XCTAssertEqual(unknown.status, 2, "a context that does not exist is bad input")
        XCTAssertTrue(unknown.stderr.contains("--context thrid") && unknown.stderr.contains("first, second") && unknown.stderr.contains(kubeconfig),
                      unknown.stderr)
    }

    func testTheStoreSwitchesClustersAndTheOldOneNeverComesBack() async throws {
        let a = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let b = try Emulator(seed: ClusterScenario.any([ObjectFactory.json(ObjectFactory.node("b-server", version: "v1.32.2+rke2r1"))]))
        defer { a.stop(); b.stop() }
        let box = try Sandbox("switch")
        let kubeconfig = try twoContexts(a, b, in: box)
        let store = DashboardStore(configuration: .init(local: box.inspector, namespace: "system-upgrade", localInterval: 60),
                                   cluster: .kube(try KubeClient(access: Kubeconfig.load(path: kubeconfig))))
        await store.start()
        defer { Task { await store.stop() } }
        func waitFor(_ what: String, _ condition: @escaping (DashboardSnapshot) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if let snapshot = await store.current(), condition(snapshot) { return }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            XCTFail("\(what): not within 15 s")
        }
        try await waitFor("cluster a") { $0.cluster.nodes.count == 5 && $0.cluster.context == "first" }
        let switcher = ClusterSwitcher(kubeconfig: kubeconfig, store: store)
        guard case let .contextsListed(picker)? = await switcher.perform(.listContexts) else { return XCTFail("no picker") }
        XCTAssertEqual(picker.names, ["first", "second"])
        XCTAssertEqual(picker.current, "first")
        let result = await switcher.perform(.switchContext("second"))
        XCTAssertEqual(result, .operationFinished(Message(text: "showing context second (\(b.httpURL))", severity: .ok)))
        try await waitFor("cluster b") { $0.cluster.nodes.map(\.name) == ["b-server"] && $0.cluster.context == "second" && $0.cluster.server == b.httpURL }
        // A change in the cluster no longer shown never reaches the screen.
        try a.patch("/api/v1/nodes/server-1", ["metadata": ["labels": ["late": "yes"]]])
        try await Task.sleep(nanoseconds: 500_000_000)
        let now = await store.current()
        XCTAssertEqual(now?.cluster.nodes.map(\.name), ["b-server"])
        // A plan reviewed against a cluster is never written to another.
        let op = PlanOperation(client: try KubeClient(access: Kubeconfig.load(path: kubeconfig, context: "first")), namespace: "system-upgrade",
                               inspector: box.inspector) { _ in RKE2Version("v1.32.2+rke2r1")! }
        let prepared = try await op.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        let other = PlanOperation(client: try KubeClient(access: Kubeconfig.load(path: kubeconfig, context: "second")), namespace: "system-upgrade",
                                  inspector: box.inspector)
        do {
            _ = try await other.apply(prepared, force: "test")
            XCTFail("applied to another cluster than the one reviewed")
        } catch let error as UpgradeError {
            XCTAssertTrue(error.message.contains("reviewed for \(a.httpURL)"), error.message)
        }
        await op.client.shutdown()
        await other.client.shutdown()
    }
}
