import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// Plans applied to the emulator: create, unchanged, update, conflicts, refusals, audit records.
final class PlanApplyTests: XCTestCase {
    func setUp(nodes: [KNode]? = nil) throws -> (Sandbox, Emulator, KubeClient) {
        let box = try Sandbox("plan")
        try box.write(box.dataDir + "/server/db/snapshots/on-demand-server-1-1700000000", "snapshot")
        let F = ObjectFactory.self
        let objects: [JSONValue] = F.crds + [F.namespaceObject("system-upgrade"), F.json(F.controller())]
            + (nodes ?? [F.node("server-1", version: "v1.31.6+rke2r1"), F.node("agent-1", version: "v1.31.6+rke2r1", server: false)]).map(F.json)
        let emulator = try Emulator(seed: ClusterScenario.any(objects))
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        return (box, emulator, client)
    }

    func plan(_ emulator: Emulator, _ name: String) throws -> [String: Any]? {
        let object = try emulator.get("/apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans/\(name)")
        return object?["kind"] as? String == "Plan" ? object : nil
    }

    func testCreateThenUnchangedThenUpdate() async throws {
        let (box, emulator, client) = try setUp()
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        XCTAssertEqual(prepared.failures, [], "\(prepared.checks)")
        let created = try await operation.apply(prepared, force: nil)
        XCTAssertEqual(created.summary, "server-plan created, agent-plan created")
        let server = try XCTUnwrap(try plan(emulator, "server-plan"))
        XCTAssertEqual((server["spec"] as? [String: Any])?["version"] as? String, "v1.32.2+rke2r1")
        XCTAssertEqual(((try plan(emulator, "agent-plan"))?["spec"] as? [String: Any]).flatMap { ($0["prepare"] as? [String: Any])?["args"] as? [String] },
                       ["prepare", "server-plan"])

        let again = try await operation.apply(try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!)), force: nil)
        XCTAssertEqual(again.summary, "server-plan unchanged, agent-plan unchanged")
        XCTAssertFalse(again.changed)

        let newer = try await operation.prepare(target: .version(RKE2Version("v1.32.3+rke2r1")!))
        XCTAssertEqual(newer.checks.first { $0.name == "existing plans" }?.status, .warn)
        let updated = try await operation.apply(newer, force: nil)
        XCTAssertEqual(updated.summary, "server-plan updated, agent-plan updated")
        XCTAssertEqual(((try plan(emulator, "server-plan"))?["spec"] as? [String: Any])?["version"] as? String, "v1.32.3+rke2r1")
        XCTAssertEqual(Set(try emulator.requests().map(\.method)), ["GET", "POST", "PUT"], "only Plans are written")
        XCTAssertTrue(try emulator.requests().filter { $0.method != "GET" }.allSatisfy { $0.path.contains("/plans") })
        let audit = try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }.filter { $0["phase"]?.stringValue == "result" }
        XCTAssertEqual(audit.compactMap { $0["result"]?.stringValue }, ["ok", "no-op", "ok"])
        await client.shutdown()
    }

    func testFieldsUpgradeTUIDoesNotManageAreKept() async throws {
        let (box, emulator, client) = try setUp()
        // An operator's own server-plan: a channel, a drain, a window, a secret, a label of theirs.
        let custom: [String: Any] = [
            "apiVersion": "upgrade.cattle.io/v1", "kind": "Plan",
            "metadata": ["name": "server-plan", "namespace": "system-upgrade", "labels": ["team": "infra"]],
            "spec": ["concurrency": 1, "channel": "https://update.rke2.io/v1-release/channels/v1.32",
                     "nodeSelector": ["matchExpressions": [["key": "node-role.kubernetes.io/control-plane", "operator": "In", "values": ["true"]]]],
                     "serviceAccountName": "system-upgrade", "upgrade": ["image": "rancher/rke2-upgrade"],
                     "drain": ["force": true], "window": ["days": ["saturday"], "startTime": "01:00", "endTime": "05:00"],
                     "secrets": [["name": "registry-ca", "path": "/etc/ssl/extra"]]],
        ]
        try emulator.call("POST", "/apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans", json: custom)
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        let diff = prepared.diff.joined(separator: "\n")
        XCTAssertTrue(diff.contains("- ") && diff.contains("channel: https://update.rke2.io/v1-release/channels/v1.32"), diff)
        XCTAssertTrue(diff.contains("+ ") && diff.contains("version: v1.32.2+rke2r1"), diff)
        XCTAssertFalse(diff.contains("- ") && diff.contains("-     drain"), "unmanaged fields are not removed: \(diff)")
        // The YAML the review and --dry-run show is the object that will be written, kept fields included.
        XCTAssertTrue(prepared.yaml.contains("registry-ca") && prepared.yaml.contains("saturday") && prepared.yaml.contains("team: infra"), prepared.yaml)
        XCTAssertFalse(prepared.yaml.contains("uid:"), "no server bookkeeping")
        _ = try await operation.apply(prepared, force: nil)
        let spec = try XCTUnwrap((try plan(emulator, "server-plan"))?["spec"] as? [String: Any])
        XCTAssertEqual(spec["version"] as? String, "v1.32.2+rke2r1")
        XCTAssertNil(spec["channel"], "switching to a version removes the channel")
        XCTAssertEqual((spec["drain"] as? [String: Any])?["force"] as? Bool, true)
        XCTAssertNotNil(spec["window"])
        XCTAssertEqual((spec["secrets"] as? [[String: Any]])?.first?["name"] as? String, "registry-ca")
        let labels = ((try plan(emulator, "server-plan"))?["metadata"] as? [String: Any])?["labels"] as? [String: String]
        XCTAssertEqual(labels?["team"], "infra")
        XCTAssertEqual(labels?["app.kubernetes.io/managed-by"], "upgrade-tui")
        let again = try await operation.apply(try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!)), force: nil)
        XCTAssertTrue(again.summary.hasPrefix("server-plan unchanged"), again.summary)
        await client.shutdown()
    }

    func testAPlanEditedDuringTheReviewIsNotOverwritten() async throws {
        let (box, emulator, client) = try setUp()
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        _ = try await operation.apply(try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!)), force: nil)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.3+rke2r1")!))
        // While the operator reads the review, a colleague pauses the server plan.
        try emulator.patch("/apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans/server-plan", ["spec": ["concurrency": 0]])
        do {
            _ = try await operation.apply(prepared, force: nil)
            XCTFail("a Plan changed since the review must not be written")
        } catch let error as UpgradeError {
            XCTAssertEqual(error.kind, .refused)
            XCTAssertTrue(error.message.contains("server-plan changed since review"), error.message)
        }
        let server = try XCTUnwrap(try plan(emulator, "server-plan"))
        XCTAssertEqual((server["spec"] as? [String: Any])?["concurrency"] as? Int, 0, "the colleague's change is kept")
        XCTAssertEqual((server["spec"] as? [String: Any])?["version"] as? String, "v1.32.2+rke2r1")
        // A Plan created by someone else during the review of a creation: the same.
        let (box2, emulator2, client2) = try setUp()
        let fresh = PlanOperation(client: client2, namespace: "system-upgrade", inspector: box2.inspector)
        let creation = try await fresh.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        _ = try await fresh.apply(try await fresh.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!)), force: nil)
        do {
            _ = try await fresh.apply(creation, force: nil)
            XCTFail("created meanwhile")
        } catch let error as UpgradeError {
            XCTAssertTrue(error.message.contains("changed since review"), error.message)
        }
        _ = emulator2
        await client.shutdown()
        await client2.shutdown()
    }

    func testAConcurrentChangeFailsCleanly() async throws {
        let (box, emulator, client) = try setUp()
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        _ = try await operation.apply(try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!)), force: nil)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.3+rke2r1")!))
        try emulator.fault("status=409&count=1&method=PUT")
        do {
            _ = try await operation.apply(prepared, force: nil)
            XCTFail("a conflict must fail")
        } catch let error as UpgradeError {
            XCTAssertEqual(error.kind, .failed)
            XCTAssertTrue(error.message.contains("changed since review") && error.message.contains("nothing was overwritten"), error.message)
        }
        await client.shutdown()
    }

    func testFailedChecksRefuseUnlessForcedWithAReason() async throws {
        let (box, emulator, client) = try setUp(nodes: [ObjectFactory.node("server-1", version: "v1.30.9+rke2r1")])
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector)
        let prepared = try await operation.prepare(target: .version(RKE2Version("v1.32.2+rke2r1")!))
        XCTAssertEqual(prepared.failures.map(\.name), ["no minor skip"])
        do {
            _ = try await operation.apply(prepared, force: nil)
            XCTFail("a failed check must refuse")
        } catch let error as UpgradeError {
            XCTAssertEqual(error.kind, .refused)
        }
        XCTAssertNil(try plan(emulator, "server-plan"))
        _ = try await operation.apply(prepared, force: "tested in staging")
        XCTAssertNotNil(try plan(emulator, "server-plan"))
        let last = try JSONValue.parse(String(try box.read(box.auditLog).split(separator: "\n").last!))
        XCTAssertEqual(last["details"]?["forceReason"]?.stringValue, "tested in staging")
        XCTAssertEqual(last["details"]?["forced"]?.stringValue, "no minor skip")
        await client.shutdown()
    }

    func testChannelTargetUsesTheInjectedResolver() async throws {
        let (box, emulator, client) = try setUp()
        defer { withExtendedLifetime(emulator) {} }
        let operation = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector) { url in
            XCTAssertEqual(url, "https://update.rke2.io/v1-release/channels/v1.32")
            return RKE2Version("v1.32.9+rke2r1")!
        }
        let prepared = try await operation.prepare(target: try UpgradeTarget.parse(version: nil, channel: "v1.32"))
        XCTAssertEqual(prepared.resolved?.description, "v1.32.9+rke2r1")
        XCTAssertEqual(prepared.plans[0].spec?.channel, "https://update.rke2.io/v1-release/channels/v1.32")
        let unresolvable = PlanOperation(client: client, namespace: "system-upgrade", inspector: box.inspector) { _ in
            throw UpgradeError.failed("no network")
        }
        let warned = try await unresolvable.prepare(target: .channel("https://update.rke2.io/v1-release/channels/stable"))
        XCTAssertEqual(warned.checks.first { $0.name == "target" }?.status, .warn)
        XCTAssertEqual(warned.failures, [], "an unresolvable channel warns; the operator may proceed")
        await client.shutdown()
    }
}
