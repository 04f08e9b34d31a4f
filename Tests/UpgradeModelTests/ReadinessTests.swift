import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// Issue #14 parts 1–3 in the model: deprecated APIs from /metrics, someone else owning upgrades, and
/// the etcd snapshot as an audited operation; against the emulator and the fake rke2.
final class ReadinessTests: XCTestCase {
    typealias F = ObjectFactory

    static let deprecatedMetrics = """
    # HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested
    # TYPE apiserver_requested_deprecated_apis gauge
    apiserver_requested_deprecated_apis{group="policy",removed_release="1.25",resource="podsecuritypolicies",subresource="",version="v1beta1"} 1
    apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1
    apiserver_requested_deprecated_apis{group="autoscaling",removed_release="1.40",resource="horizontalpodautoscalers",subresource="status",version="v2beta9"} 1
    apiserver_requested_deprecated_apis{group="",removed_release="",resource="componentstatuses",subresource="",version="v1"} 1
    apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"} 0
    process_start_time_seconds 1.7e+09 1700000000000

    """

    // MARK: part 1: deprecated APIs

    func testThePrometheusTextIsParsedAndGarbageNamesTheEndpointAndLine() throws {
        let samples = try PrometheusText.parse(#"a_b{x="q\"uo\\te",y="line\nnext"} -1.5e3"# + "\n# c\n\nc:d 7\n", source: "test")
        XCTAssertEqual(samples.map(\.name), ["a_b", "c:d"])
        XCTAssertEqual(samples[0].labels, ["x": #"q"uo\te"#, "y": "line\nnext"])
        XCTAssertEqual(samples[0].value, -1500)
        for garbage in ["ok_metric 1\n<html>", "ok_metric 1\nx{a=\"b\" 1", "ok_metric 1\nx{a=b} 1", "ok_metric 1\nx 1 2 3", "ok_metric 1\nx abc"] {
            switch DeprecatedAPIs.scan(garbage, source: "https://10.0.0.1:6443/metrics") {
            case let .malformed(message):
                XCTAssertTrue(message.hasPrefix("https://10.0.0.1:6443/metrics line 2: "), message)
            case let other:
                XCTFail("\(garbage): \(other)")
            }
        }
    }

    func testRemovedByTheTargetFailsLaterOnesWarn() throws {
        guard case let .read(uses) = DeprecatedAPIs.scan(Self.deprecatedMetrics, source: "m") else { return XCTFail("not read") }
        XCTAssertEqual(uses.map(\.api), ["policy/v1beta1 podsecuritypolicies", "flowcontrol.apiserver.k8s.io/v1beta3 flowschemas",
                                         "autoscaling/v2beta9 horizontalpodautoscalers/status", "v1 componentstatuses"],
                       "a gauge at 0 is no use; sorted by removal")
        let toV132 = DeprecatedAPIs.check(.read(uses), target: RKE2Version("v1.32.2+rke2r1"))
        XCTAssertEqual(toV132.status, .fail)
        XCTAssertTrue(toV132.reason.hasPrefix("policy/v1beta1 podsecuritypolicies removed in 1.25, requested since the API server started; flowcontrol.apiserver.k8s.io/v1beta3 flowschemas removed in 1.32"), toV132.reason)
        XCTAssertTrue(toV132.reason.contains("later: autoscaling/v2beta9 horizontalpodautoscalers/status removed in 1.40"), toV132.reason)
        XCTAssertTrue(toV132.reason.contains("since the API server last started"), toV132.reason)
        let later = DeprecatedAPIs.check(.read(uses.filter { $0.removedRelease == "1.40" }), target: RKE2Version("v1.32.2+rke2r1"))
        XCTAssertEqual(later.status, .warn)
        XCTAssertEqual(DeprecatedAPIs.check(.read([]), target: RKE2Version("v1.32.2+rke2r1")).status, .pass)
        XCTAssertEqual(DeprecatedAPIs.check(.read(uses), target: nil).status, .warn, "an unknown target judges nothing")
        let forbidden = DeprecatedAPIs.check(.forbidden("not allowed to read metrics (GET x/metrics: 403 Forbidden)"), target: nil)
        XCTAssertEqual(forbidden.status, .warn)
        XCTAssertTrue(forbidden.reason.contains("not allowed to read metrics"))
    }

    func startEmulator(_ extra: [JSONValue] = [], nodes: [KNode]? = nil) throws -> (Emulator, KubeClient) {
        let objects: [JSONValue] = F.crds + [F.namespaceObject("system-upgrade"), F.json(F.controller())]
            + (nodes ?? [F.node("server-1", version: "v1.31.6+rke2r1"), F.node("agent-1", version: "v1.31.6+rke2r1", server: false)]).map(F.json)
            + extra
        let emulator = try Emulator(seed: ClusterScenario.any(objects))
        return (emulator, try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig())))
    }

    func testMetricsFromTheAPIServerForbiddenAndGarbage() async throws {
        let (emulator, client) = try startEmulator()
        let clean = await DeprecatedAPIs.read(client: client)
        XCTAssertEqual(clean, .read([]))
        try emulator.setMetrics(Self.deprecatedMetrics)
        guard case let .read(uses) = await DeprecatedAPIs.read(client: client) else { return XCTFail("not read") }
        XCTAssertEqual(uses.count, 4)
        try emulator.setMetrics("apiserver_requested_deprecated_apis{group=\"policy\"} 1\n<!doctype html>\n")
        let garbage = await DeprecatedAPIs.read(client: client)
        XCTAssertEqual(garbage, .malformed("\(emulator.httpsURL)/metrics line 2: not a metric sample (a name must start the line): <!doctype html>"))
        try emulator.forbidMetrics()
        guard case let .forbidden(message) = await DeprecatedAPIs.read(client: client) else { return XCTFail("not forbidden") }
        XCTAssertTrue(message.hasPrefix("not allowed to read metrics (GET \(emulator.httpsURL)/metrics: 403 Forbidden"), message)
        XCTAssertTrue(try emulator.requests().allSatisfy { $0.method == "GET" })
        await client.shutdown()
    }

    func testThePlanPreflightReadsTheGauge() async throws {
        let box = try Sandbox("deprecated")
        let (emulator, client) = try startEmulator()
        try emulator.setMetrics(Self.deprecatedMetrics)
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        let check = try XCTUnwrap(prepared.checks.first { $0.name == "deprecated APIs" })
        XCTAssertEqual(check.status, .fail)
        XCTAssertTrue(prepared.failures.contains(check))
        try emulator.forbidMetrics()
        let forbidden = try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        XCTAssertEqual(forbidden.checks.first { $0.name == "deprecated APIs" }?.status, .warn, "403 is not a failure")
        XCTAssertFalse(forbidden.failures.contains { $0.name == "deprecated APIs" })
        await client.shutdown()
    }

    // MARK: part 2: someone else owns upgrades

    static func rancherObjects() -> [JSONValue] {
        var rancherPlan = F.serverPlan(version: "v1.31.6+rke2r1", name: "rke2-master-plan")
        rancherPlan.metadata.namespace = "cattle-system"
        var osPlan = F.serverPlan(version: "v2", name: "os-upgrade")
        osPlan.metadata.namespace = "elemental"
        osPlan.spec?.upgrade = KContainerSpec(image: "registry.suse.com/elemental-os:v2")
        let agent = KDeployment(metadata: ObjectMeta(name: "cattle-cluster-agent", namespace: "cattle-system"),
                                spec: .init(replicas: 1), status: .init(replicas: 1, readyReplicas: 1, availableReplicas: 1))
        let other = KDeployment(metadata: ObjectMeta(name: "rancher-webhook", namespace: "cattle-system"), spec: .init(replicas: 1))
        return [F.namespaceObject("cattle-system"), F.namespaceObject("elemental"), F.json(rancherPlan), F.json(osPlan), F.json(agent), F.json(other)]
    }

    func testRancherPlansAgentAndClusterAPIMachinesAreNamed() async throws {
        var machine = F.node("server-1", version: "v1.31.6+rke2r1")
        machine.metadata.annotations?["cluster.x-k8s.io/machine"] = "custom-7f9c2"
        machine.metadata.annotations?["cluster.x-k8s.io/cluster-name"] = "prod"
        let (emulator, client) = try startEmulator(Self.rancherObjects() + [F.json(F.serverPlan(version: "v1.32.2+rke2r1"))],
                                              nodes: [machine, F.node("agent-1", version: "v1.31.6+rke2r1", server: false)])
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        let ownership = try XCTUnwrap(ClusterDerivation.derive(cache, namespace: "system-upgrade").ownership)
        XCTAssertTrue(ownership.managedElsewhere)
        XCTAssertEqual(ownership.signals.map(\.kind), [.foreignPlans, .rancherAgent, .clusterAPI])
        XCTAssertEqual(ownership.signals.map(\.objects), [["cattle-system/rke2-master-plan"], ["deployment/cattle-system/cattle-cluster-agent"],
                                                          ["node/server-1 (machine custom-7f9c2)"]],
                       "our own Plans and a non-rke2 Plan elsewhere are not signals; only the agent Deployment counts")
        XCTAssertTrue(ownership.warnings[0].contains("Rancher's own"), ownership.warnings[0])
        XCTAssertEqual(ownership.check.status, .warn)
        let box = try Sandbox("owner")
        let prepared = try await PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
            .prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        let check = try XCTUnwrap(prepared.checks.first { $0.name == "upgrade owner" })
        XCTAssertEqual(check.status, .warn)
        XCTAssertTrue(check.reason.contains("cattle-system/rke2-master-plan") && check.reason.contains("cattle-cluster-agent")
                      && check.reason.contains("node/server-1"), check.reason)
        // The same from the watcher the dashboard runs.
        let seen = OwnershipBox()
        let watcher = ClusterWatcher(client: client, sources: ClusterSources(namespace: "system-upgrade")) { cache in
            seen.set(ClusterDerivation.derive(cache, namespace: "system-upgrade").ownership)
        }
        await watcher.start()
        let deadline = Date().addingTimeInterval(10)
        while seen.get()?.signals.count != 3, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        await watcher.stop()
        XCTAssertEqual(seen.get()?.signals.map(\.kind), [.foreignPlans, .rancherAgent, .clusterAPI])
        XCTAssertTrue(try emulator.requests().allSatisfy { $0.method == "GET" })
        await client.shutdown()
    }

    func testAClusterOfOurOwnPassesAndAForbiddenListIsNotClaimedClean() async throws {
        let (emulator, client) = try startEmulator([F.json(F.serverPlan(version: "v1.32.2+rke2r1"))])
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        let ownership = try XCTUnwrap(ClusterDerivation.derive(cache, namespace: "system-upgrade").ownership)
        XCTAssertEqual(ownership, UpgradeOwnership())
        XCTAssertEqual(ownership.check.status, .pass)
        try emulator.fault("status=403&path=/apis/upgrade.cattle.io/v1/plans&count=1")
        let forbidden = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        let partial = try XCTUnwrap(ClusterDerivation.derive(forbidden, namespace: "system-upgrade").ownership)
        XCTAssertEqual(partial.check.status, .warn)
        XCTAssertTrue(partial.notChecked.first?.hasPrefix("Plans in other namespaces could not be read: 403") ?? false, "\(partial)")
        await client.shutdown()
    }

    // MARK: part 3: the etcd snapshot

    func testASnapshotWritesItsFileIsAuditedAndThePreflightThenPasses() async throws {
        let box = try Sandbox("snapshot")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        let (emulator, client) = try startEmulator()
        defer { withExtendedLifetime(emulator) {} }
        let plan = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        let target = RKE2Version("v1.32.2+rke2r1")!
        let before = try await plan.prepare(target: .version(target))
        XCTAssertEqual(before.checks.first { $0.name == "etcd snapshot" }?.status, .warn)

        let operation = SnapshotOperation(inspector: box.inspector, timeout: 20)
        let prepared = try operation.prepare(target: target)
        XCTAssertEqual(prepared.name, "pre-upgrade-v1.32.2-rke2r1")
        XCTAssertEqual(prepared.commandLine, "rke2 etcd-snapshot save --name pre-upgrade-v1.32.2-rke2r1 --data-dir \(box.dataDir)")
        XCTAssertEqual(prepared.process.pid, fake.pid)
        let progress = Lines()
        let result = try await operation.perform(prepared) { progress.append($0) }
        let file = try XCTUnwrap(result.file)
        XCTAssertTrue(file.hasPrefix(box.dataDir + "/server/db/snapshots/pre-upgrade-v1.32.2-rke2r1-"), file)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file))
        XCTAssertEqual(result.outcome.summary, "etcd snapshot saved: \(file)")
        XCTAssertTrue(progress.all.contains { $0.hasPrefix("Saving etcd snapshot to \(file)") }, "\(progress.all)")
        XCTAssertTrue(progress.all.contains { $0.hasPrefix("Snapshot pre-upgrade-v1.32.2-rke2r1-") && $0.hasSuffix(" saved.") }, "\(progress.all)")
        let records = try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        XCTAssertEqual(records.map { $0["phase"]?.stringValue }, ["intent", "result"])
        XCTAssertEqual(records.last?["command"]?.stringValue, "snapshot")
        XCTAssertEqual(records.last?["result"]?.stringValue, "ok")
        XCTAssertEqual(records.last?["details"]?["file"]?.stringValue, file)

        let after = try await plan.prepare(target: .version(target))
        XCTAssertEqual(after.checks.first { $0.name == "etcd snapshot" }?.status, .pass)
        await client.shutdown()
    }

    func testAFailedSnapshotShowsRke2sOwnMessage() async throws {
        let box = try Sandbox("snapshot-fail")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        try box.write(box.dataDir + "/fake-rke2-snapshot-fail", "etcd-snapshot error: etcd datastore is not started\n")
        let operation = SnapshotOperation(inspector: box.inspector, timeout: 20)
        let prepared = try operation.prepare(name: "before-change")
        do {
            _ = try await operation.perform(prepared)
            XCTFail("a failing rke2 must fail the snapshot")
        } catch let error as UpgradeError {
            XCTAssertEqual(error.kind, .failed)
            XCTAssertEqual(error.message, "\(prepared.commandLine) failed (exit 1): etcd-snapshot error: etcd datastore is not started")
        }
        let result = try JSONValue.parse(String(try box.read(box.auditLog).split(separator: "\n").last!))
        XCTAssertEqual(result["result"]?.stringValue, "failed")
        XCTAssertTrue(SnapshotOperation.files(box.dataDir + "/server/db/snapshots").isEmpty)
    }

    func testAgentsEtcdlessServersAndAStoppedRke2Refuse() throws {
        let box = try Sandbox("snapshot-refuse")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        func refusal(_ body: () throws -> Void) -> String {
            do { try body() } catch let error as UpgradeError where error.kind == .refused { return error.message } catch { return "\(error)" }
            return "no refusal"
        }
        let operation = SnapshotOperation(inspector: box.inspector)
        XCTAssertTrue(refusal { _ = try operation.prepare() }.hasPrefix("rke2 is not running on this node"))
        let agent = try FakeRKE2.start(binary: box.binaryPath, role: "agent", dataDir: box.dataDir)
        XCTAssertTrue(refusal { _ = try operation.prepare() }.hasPrefix("this node is an agent"))
        agent.stop()
        try box.write(box.configFile, "disable-etcd: true\n")
        let server = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { server.stop() }
        let etcdless = refusal { _ = try operation.prepare() }
        XCTAssertTrue(etcdless.hasPrefix("this server runs no etcd (disable-etcd: true in config.yaml)"), etcdless)
        XCTAssertThrowsError(try operation.prepare(name: "../../etc/x")) { error in
            XCTAssertEqual((error as? UpgradeError)?.kind, .input)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.auditLog), "a refusal at review writes nothing")
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

final class OwnershipBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UpgradeOwnership?
    func set(_ new: UpgradeOwnership?) { lock.withLock { value = new } }
    func get() -> UpgradeOwnership? { lock.withLock { value } }
}
