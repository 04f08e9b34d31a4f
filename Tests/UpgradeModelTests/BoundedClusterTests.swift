import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// What the API server or a Plan's author sends is bounded before it costs memory, time or a crash:
/// paged LISTs, capped watch lines, a backoff for watches that close at once, a capped Plan diff,
/// numbers beyond Int64, snapshots applied in order, and credentials kept off plain HTTP.
final class BoundedClusterTests: XCTestCase {
    typealias F = ObjectFactory

    func manyNodes(_ count: Int) -> [[String: Any]] {
        ClusterScenario.any((0..<count).map { F.json(F.node(String(format: "node-%05d", $0), version: "v1.31.6+rke2r1", server: false)) })
    }

    func nodeRequests(_ emulator: Emulator) throws -> [(path: String, query: String, watch: Bool)] {
        let body = try emulator.call("GET", "/_emulator/requests") as? [String: Any]
        return (body?["requests"] as? [[String: Any]] ?? []).filter {
            ($0["userAgent"] as? String ?? "").hasPrefix("upgrade-tui") && ($0["path"] as? String) == "/api/v1/nodes"
        }.map { ($0["path"] as? String ?? "", $0["query"] as? String ?? "", $0["watch"] as? Bool ?? false) }
    }

    func client(_ emulator: Emulator) throws -> KubeClient {
        try KubeClient(access: Kubeconfig.load(path: emulator.writeHTTPKubeconfig()))
    }

    // MARK: paged lists

    func testStatusListsAreInPagesOf500() async throws {
        let emulator = try Emulator(seed: manyNodes(1_203))
        let client = try client(emulator)
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        await client.shutdown()
        XCTAssertEqual(cache.nodes.count, 1_203)
        XCTAssertEqual(cache.health(.nodes), .ok)
        let lists = try nodeRequests(emulator).filter { !$0.watch }
        XCTAssertEqual(lists.count, 3, "\(lists)")
        XCTAssertTrue(lists.allSatisfy { $0.query.contains("limit=500") }, "\(lists)")
        XCTAssertEqual(lists.filter { $0.query.contains("continue=") }.count, 2)
    }

    func testAnExpiredContinueTokenRestartsTheList() async throws {
        let emulator = try Emulator(seed: manyNodes(1_001))
        try emulator.fault("status=410&path=/api/v1/nodes&query=continue&count=1")
        let client = try client(emulator)
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        await client.shutdown()
        XCTAssertEqual(cache.nodes.count, 1_001)
        XCTAssertEqual(cache.health(.nodes), .ok)
        let lists = try nodeRequests(emulator).filter { !$0.watch }
        XCTAssertEqual(lists.count, 5, "page 1, page 2 (410), then pages 1, 2, 3 again: \(lists)")
    }

    func testTheReflectorListsInPagesAndWatchesFromTheFirstPagesVersion() async throws {
        let emulator = try Emulator(seed: manyNodes(1_100))
        let client = try client(emulator)
        let received = Collected<Int>()
        let task = Task {
            await Reflector<KNode>(client: client, resource: .nodes).run { update in
                if case let .replace(items) = update { received.append(items.count) }
            }
        }
        try await waitUntil { received.items == [1_100] }
        let pageVersions = try [emulator.get("/api/v1/nodes?limit=500")?["metadata"] as? [String: Any]].compactMap { $0?["resourceVersion"] as? String }
        // The watch is opened after the list is delivered: wait for its request rather than race it.
        try await waitUntil { ((try? nodeRequests(emulator)) ?? []).contains(where: \.watch) }
        task.cancel()
        await client.shutdown()
        let requests = try nodeRequests(emulator)
        XCTAssertEqual(requests.filter { !$0.watch && $0.query.contains("limit=500") }.count, 3, "\(requests)")
        XCTAssertTrue(requests.contains { $0.watch && $0.query.contains("resourceVersion=\(pageVersions.first ?? "?")") }, "\(requests)")
    }

    func testEmulatorPagesLikeKubeAPIServer() throws {
        let emulator = try Emulator(seed: manyNodes(7))
        let first = try XCTUnwrap(emulator.get("/api/v1/nodes?limit=3"))
        let meta = try XCTUnwrap(first["metadata"] as? [String: Any])
        XCTAssertEqual((first["items"] as? [Any])?.count, 3)
        XCTAssertEqual(meta["remainingItemCount"] as? Int, 4)
        let token = try XCTUnwrap(meta["continue"] as? String)
        try emulator.seed(manyNodes(9))                       // changes after the first page are not seen
        let second = try XCTUnwrap(emulator.get("/api/v1/nodes?limit=3&continue=\(token)"))
        XCTAssertEqual((second["metadata"] as? [String: Any])?["resourceVersion"] as? String, meta["resourceVersion"] as? String)
        let third = try XCTUnwrap(emulator.get("/api/v1/nodes?limit=3&continue=\(((second["metadata"] as? [String: Any])?["continue"] as? String) ?? "")"))
        XCTAssertEqual((third["items"] as? [Any])?.count, 1)
        XCTAssertNil((third["metadata"] as? [String: Any])?["continue"])
        try emulator.compact()
        let expired = try XCTUnwrap(emulator.get("/api/v1/nodes?limit=3&continue=\(token)"))
        XCTAssertEqual(expired["code"] as? Int, 410)
        if let kubectl = try Shell.which("kubectl") {
            let result = try Shell.run(kubectl, ["--kubeconfig", try emulator.writeHTTPKubeconfig(), "get", "nodes", "-o", "name", "--chunk-size=4"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout.split(separator: "\n").count, 9)
        }
    }

    // MARK: watches

    func testAWatchClosedAtOnceBacksOff() async throws {
        let emulator = try Emulator(seed: manyNodes(2))
        try emulator.fault("close=true&path=/api/v1/nodes&watch=true&count=100000")
        let client = try client(emulator)
        let task = Task { await Reflector<KNode>(client: client, resource: .nodes).run { _ in } }
        try await Task.sleep(nanoseconds: 3_000_000_000)
        task.cancel()
        await client.shutdown()
        let watches = try nodeRequests(emulator).filter(\.watch).count
        XCTAssertGreaterThan(watches, 2)
        XCTAssertLessThan(watches, 15, "\(watches) watches in 3 s")
    }

    func testAWatchLineThatNeverEndsIsAnErrorNotUnboundedMemory() async throws {
        let emulator = try Emulator(seed: manyNodes(2))
        try emulator.fault("hugeLine=\(KubeClient.maxWatchLine + (1 << 20))&path=/api/v1/nodes&watch=true&count=1")
        let client = try client(emulator)
        let started = Date()
        do {
            for try await _ in client.watchLines(KubeResource.nodes.collectionPath, query: [], timeoutSeconds: 60) {}
            XCTFail("the stream must end with an error")
        } catch let error as KubeError {
            XCTAssertTrue(error.isDecoding, "\(error)")
            XCTAssertTrue(error.description.contains("longer than"), error.description)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        await client.shutdown()
    }

    // MARK: plans

    func testAFiftyThousandLinePlanDiffsQuicklyAndSaysItIsCut() throws {
        var existing = F.json(F.serverPlan(version: "v1.31.6+rke2r1"))
        let args = JSONValue.array((0..<50_000).map { .text("arg-\($0)") })
        existing = replacing(existing, path: ["spec", "prepare"], with: .object([("image", .text("evil")), ("args", args)]))
        let desired = [F.serverPlan(version: "v1.32.2+rke2r1")]
        let started = Date()
        let diff = PlanDiff.diff(existing: [existing], desired: desired)
        let described = PlanDiff.describe(existing: [existing], desired: desired)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertLessThanOrEqual(diff.count, PlanDiff.maxLines + 2)
        XCTAssertTrue(diff.last?.contains("more lines of diff not shown") ?? false, "\(diff.suffix(3))")
        XCTAssertEqual(described, ["server-plan v1.31.6+rke2r1 → v1.32.2+rke2r1"])
        // Two large, different texts: summarised without a quadratic table.
        let a = (0..<5_000).map { "a\($0)" }, b = (0..<5_000).map { "b\($0)" }
        let summary = PlanDiff.lineDiff(a, b)
        XCTAssertEqual(summary.count, 1)
        XCTAssertTrue(summary[0].contains("too large to compare"), summary[0])
        // Small diffs keep their context.
        XCTAssertEqual(PlanDiff.lineDiff(["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "X", "e", "f"]),
                       ["  b", "  c", "- d", "+ X", "  e", "  f"])
    }

    func replacing(_ value: JSONValue, path: [String], with new: JSONValue) -> JSONValue {
        guard let key = path.first, case let .object(fields) = value else { return path.isEmpty ? new : value }
        var out = fields.map { $0.0 == key ? ($0.0, replacing($0.1, path: Array(path.dropFirst()), with: new)) : $0 }
        if !fields.contains(where: { $0.0 == key }) { out.append((key, replacing(.object([]), path: Array(path.dropFirst()), with: new))) }
        return .object(out)
    }

    func testNumbersBeyondInt64NeverCrash() throws {
        let huge = "18446744073709551616"
        let text = #"{"metadata":{"name":"p","namespace":"system-upgrade"},"spec":{"concurrency":\#(huge),"version":"v1.32.2+rke2r1","drain":{"timeout":\#(huge)}}}"#
        let plan = try JSONDecoder().decode(KPlan.self, from: Data(text.utf8))
        XCTAssertNil(plan.spec?.concurrency)
        XCTAssertEqual(plan.spec?.version, "v1.32.2+rke2r1")
        XCTAssertEqual(plan.spec?.drain?["timeout"]?.numberValue, 18446744073709551616)
        let existing = try JSONValue.parse(text)
        XCTAssertTrue(YAMLText.render(existing).contains("timeout: \(huge)"), YAMLText.render(existing))
        XCTAssertFalse(PlanDiff.diff(existing: [existing], desired: [F.serverPlan(version: "v1.32.2+rke2r1", name: "p")]).isEmpty)
        XCTAssertEqual(JSONValue.number(.infinity).serialized(), "null")
        // Valid JSON no Swift number holds: unknown, not a failed document.
        let beyond = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"big":1e400,"ok":1}"#.utf8))
        XCTAssertEqual(beyond, .object([("big", .null), ("ok", .number(1))]))
    }

    func testAPlanWithAHugeConcurrencyIsStillListed() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any(F.crds + [F.namespaceObject("system-upgrade")]))
        // The exact integer 2^64 (JSONSerialization would turn it into a double first).
        let plan = F.json(F.serverPlan(version: "v1.32.2+rke2r1")).serialized()
            .replacingOccurrences(of: #""concurrency":1"#, with: #""concurrency":18446744073709551616"#)
        XCTAssertTrue(plan.contains("18446744073709551616"))
        let seeded = try Shell.run(try Shell.which("curl") ?? "/usr/bin/curl",
                                   ["-sS", "-X", "POST", emulator.httpURL + "/_emulator/seed", "--data-binary", "[\(plan)]"])
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        let client = try client(emulator)
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        await client.shutdown()
        XCTAssertEqual(cache.health(.plans), .ok)
        XCTAssertEqual(cache.plans.values.map(\.metadata.name), ["server-plan"])
    }

    // MARK: snapshots in order

    func testUpdatesApplyInOrderAndNoneFromTheClusterShownBeforeASwitch() async throws {
        let box = try Sandbox("store-order")
        let api = InMemoryKubeAPI()
        let store = DashboardStore(configuration: .init(local: box.inspector, namespace: "system-upgrade"), cluster: .kube(api))
        func replace(_ names: String...) -> CacheUpdate {
            CacheUpdate { $0.apply(.replace(names.map { F.node($0, version: "v1.32.2+rke2r1") }), to: \.nodes, kind: .nodes) }
        }
        let ok = CacheUpdate { $0.apply(.health(.ok), to: \.nodes, kind: .nodes) }
        await store.clusterUpdated(ok, epoch: 0)
        await store.clusterUpdated(replace("old"), epoch: 0)
        await store.clusterUpdated(replace("new"), epoch: 0)
        await store.rescanLocal()
        var names = await store.current()?.cluster.nodes.map(\.name)
        XCTAssertEqual(names, ["new"])
        // After a switch, an update still on its way from the old cluster is dropped.
        await store.switchCluster(to: .kube(InMemoryKubeAPI()))
        await store.clusterUpdated(ok, epoch: 1)
        await store.clusterUpdated(replace("from-the-old-cluster"), epoch: 0)
        names = await store.current()?.cluster.nodes.map(\.name)
        XCTAssertEqual(names, [])
        await store.stop()
    }

    // MARK: kubeconfig transport

    func testTokensStayOffPlainHTTPExceptToThisMachine() throws {
        for (server, allowed) in [("http://10.0.0.1:6443", false), ("http://api.example.com", false), ("http://127.0.0.1:6443", true),
                                  ("http://127.8.9.10", true), ("http://localhost:8080", true), ("http://[::1]:6443", true),
                                  ("https://10.0.0.1:6443", true)] {
            let access = KubeAccess(source: "/k.yaml", context: "c", server: server, token: "t")
            if allowed {
                XCTAssertNoThrow(try KubeClient(access: access), server)
            } else {
                XCTAssertThrowsError(try KubeClient(access: access), server) { error in
                    XCTAssertTrue("\(error)".contains(server) && "\(error)".contains("plain HTTP"), "\(error)")
                }
            }
            let viaFile = KubeAccess(source: "/k.yaml", context: "c", server: server, tokenFile: "/nonexistent")
            XCTAssertEqual((try? KubeClient(access: viaFile)) != nil, allowed, server)
        }
        XCTAssertEqual(KubeAccess(source: "", context: "", server: "http://10.0.0.1").insecurity, .plainHTTP)
        XCTAssertEqual(KubeAccess(source: "", context: "", server: "https://10.0.0.1", insecureSkipTLSVerify: true).insecurity, .tlsVerifyDisabled)
        XCTAssertNil(KubeAccess(source: "", context: "", server: "https://10.0.0.1").insecurity)
    }

    func waitUntil(timeout: TimeInterval = 15, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}

/// Values gathered from concurrent callbacks.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T] = []
    func append(_ value: T) { lock.lock(); values.append(value); lock.unlock() }
    var items: [T] { lock.lock(); defer { lock.unlock() }; return values }
}
