import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// Issue #14 from the command line: `snapshot`, `runbook`, the ownership warning in `status`, and the
/// deprecated-API check in `plan --dry-run`; exit codes 0/1/2.
final class ReadinessCLITests: XCTestCase {
    typealias F = ObjectFactory

    func testSnapshotDryRunSaveFailureAndRefusals() throws {
        let box = try Sandbox("snapshot-cli")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let bad = try Shell.cli(["snapshot", "--name", "a b"] + box.cliOptions)
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--name: snapshot name 'a b' is not usable"), bad.stderr)
        let stopped = try Shell.cli(["snapshot", "--dry-run"] + box.cliOptions)
        XCTAssertEqual(stopped.status, 1)
        XCTAssertTrue(stopped.stderr.contains("rke2 is not running on this node"), stopped.stderr)

        let agent = try FakeRKE2.start(binary: box.binaryPath, role: "agent", dataDir: box.dataDir)
        let onAgent = try Shell.cli(["snapshot"] + box.cliOptions)
        agent.stop()
        XCTAssertEqual(onAgent.status, 1)
        XCTAssertTrue(onAgent.stderr.contains("this node is an agent"), onAgent.stderr)

        let server = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { server.stop() }
        let dry = try Shell.cli(["snapshot", "--dry-run", "--name", "before-x"] + box.cliOptions)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("etcd snapshot on this node: rke2 etcd-snapshot save --name before-x --data-dir \(box.dataDir)"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("dry run: nothing run"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: box.auditLog))

        let saved = try Shell.cli(["snapshot"] + box.cliOptions)
        XCTAssertEqual(saved.status, 0, saved.stderr)
        XCTAssertTrue(saved.stdout.contains("etcd snapshot saved: \(box.dataDir)/server/db/snapshots/pre-upgrade-"), saved.stdout)
        XCTAssertTrue(saved.stderr.contains("… Saving etcd snapshot to"), "rke2's output is the progress: \(saved.stderr)")

        try box.write(box.dataDir + "/fake-rke2-snapshot-fail", "failed to save: \u{1B}]2;owned\u{07} etcd is not running\n")
        let failed = try Shell.cli(["snapshot", "--name", "again"] + box.cliOptions)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("failed (exit 1): failed to save: \\u{1B}]2;owned\\u{07} etcd is not running"), failed.stderr)
        XCTAssertFalse(failed.stderr.contains("\u{1B}"), "rke2's text reaches the terminal only sanitised")
    }

    func seeded(_ extra: [JSONValue] = []) throws -> Emulator {
        try Emulator(seed: ClusterScenario.any(F.crds + [F.namespaceObject("system-upgrade"), F.json(F.controller()),
                                                          F.json(F.node("server-1", version: "v1.31.6+rke2r1")),
                                                          F.json(F.node("agent-1", version: "v1.31.6+rke2r1", server: false))] + extra))
    }

    func testRunbookMarkdownAndJSONFromTheLiveCluster() throws {
        let box = try Sandbox("runbook-cli")
        try box.manifest("rke2-canal.yaml")
        try box.write(box.manifestsDir + "/rke2-canal.yaml.skip", "")
        let emulator = try seeded()
        let options = box.cliOptions + ["--kubeconfig", try emulator.writeMTLSKubeconfig()]
        let noTarget = try Shell.cli(["runbook"] + options)
        XCTAssertEqual(noTarget.status, 2, noTarget.stderr)
        XCTAssertTrue(noTarget.stderr.contains("give --version V or --channel C"), noTarget.stderr)

        try emulator.clearRequests()
        let markdown = try Shell.cli(["runbook", "--version", "v1.32.2+rke2r1"] + options)
        XCTAssertEqual(markdown.status, 0, markdown.stderr)
        for section in ["# RKE2 upgrade runbook: v1.31.6+rke2r1 → v1.32.2+rke2r1", "## 1. Preflight checks", "| pass | deprecated APIs |",
                        "## 2. etcd snapshot", "upgrade-tui snapshot --name pre-upgrade-v1.32.2-rke2r1", "## 3. Skip markers",
                        "| server-1 | rke2-canal.yaml.skip |", "## 4. Plans", "kind: Plan", "## 5. Order",
                        "1. server-1 (control-plane,etcd,master) v1.31.6+rke2r1 → v1.32.2+rke2r1", "1. agent-1 (agent) v1.31.6+rke2r1",
                        "## 6. What to watch", "## 7. Rollback (v1.32.2+rke2r1 → v1.31.6+rke2r1)", "--cluster-reset-restore-path"] {
            XCTAssertTrue(markdown.stdout.contains(section), "missing \(section):\n\(markdown.stdout)")
        }
        XCTAssertEqual(Set(try emulator.requests().map(\.method)), ["GET"], "a runbook only reads")
        let again = try Shell.cli(["runbook", "--version", "v1.32.2+rke2r1"] + options)
        XCTAssertEqual(again.stdout, markdown.stdout, "deterministic")

        // Without a target: the server Plan's; JSON has the same content.
        try emulator.seed(ClusterScenario.any([F.json(F.serverPlan(version: "v1.32.2+rke2r1")), F.json(F.agentPlan(version: "v1.32.2+rke2r1"))]))
        let json = try Shell.cli(["runbook", "--output", "json"] + options)
        XCTAssertEqual(json.status, 0, json.stderr)
        let doc = try JSONValue.parse(json.stdout)
        XCTAssertEqual(doc["target"]?.stringValue, "v1.32.2+rke2r1")
        XCTAssertEqual(doc["snapshot"]?["name"]?.stringValue, "pre-upgrade-v1.32.2-rke2r1")
        XCTAssertEqual(doc["skipMarkers"]?["nodes"]?.arrayValue?.first?["node"]?.stringValue, "server-1")
        XCTAssertEqual(doc["order"]?["servers"]?.arrayValue?.map { $0["node"]?.stringValue }, ["server-1"])
        XCTAssertEqual(doc["rollback"]?["kind"]?.stringValue, "minor")
        XCTAssertNotNil(doc["checks"]?.arrayValue?.first { $0["name"]?.stringValue == "existing plans" })
    }

    func testStatusNamesWhoElseOwnsUpgradesAndPlanDryRunFailsOnARemovedAPI() throws {
        let box = try Sandbox("owner-cli")
        var rancherPlan = F.agentPlan(version: "v1.31.6+rke2r1", name: "rke2-worker-plan")
        rancherPlan.metadata.namespace = "cattle-system"
        let agent = KDeployment(metadata: ObjectMeta(name: "cattle-cluster-agent", namespace: "cattle-system"), spec: .init(replicas: 1))
        let emulator = try seeded([F.namespaceObject("cattle-system"), F.json(rancherPlan), F.json(agent)])
        let options = box.cliOptions + ["--kubeconfig", try emulator.writeMTLSKubeconfig()]
        let json = try Shell.cli(["status", "--output", "json"] + options)
        XCTAssertEqual(json.status, 0, json.stderr)
        let ownership = try JSONValue.parse(json.stdout)["cluster"]?["ownership"]
        XCTAssertEqual(ownership?["managedElsewhere"], .bool(true))
        XCTAssertEqual(ownership?["signals"]?.arrayValue?.map { $0["kind"]?.stringValue }, ["foreign-plans", "rancher-agent"])
        XCTAssertEqual(ownership?["signals"]?.arrayValue?.first?["objects"]?.arrayValue?.map(\.stringValue), ["cattle-system/rke2-worker-plan"])
        let text = try Shell.cli(["status"] + options)
        XCTAssertTrue(text.stdout.contains("! upgrades are managed elsewhere: rke2 upgrade Plans in another namespace than system-upgrade: cattle-system/rke2-worker-plan"), text.stdout)
        XCTAssertTrue(text.stdout.contains("! upgrades are managed elsewhere: deployment/cattle-system/cattle-cluster-agent runs"), text.stdout)

        try emulator.setMetrics(#"apiserver_requested_deprecated_apis{group="policy",removed_release="1.25",resource="podsecuritypolicies",subresource="",version="v1beta1"} 1"# + "\n")
        let dry = try Shell.cli(["plan", "--version", "v1.32.2+rke2r1", "--dry-run"] + options)
        XCTAssertEqual(dry.status, 1, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("FAIL  deprecated APIs   policy/v1beta1 podsecuritypolicies removed in 1.25, requested since the API server started"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("WARN  upgrade owner"), dry.stdout)
        try emulator.setMetrics("<html>oops</html>\n")
        let garbage = try Shell.cli(["plan", "--version", "v1.32.2+rke2r1", "--dry-run"] + options)
        XCTAssertTrue(garbage.stdout.contains("WARN  deprecated APIs   not run: \(emulator.httpsURL)/metrics line 1: not a metric sample"), garbage.stdout)
    }
}
