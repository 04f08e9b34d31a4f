import TestSupport
import UpgradeModel
import XCTest

/// The emulator is only worth something if it behaves like kube-apiserver: the real kubectl must be
/// able to get, apply, label, patch status, delete and watch through it.
final class EmulatorRealismTests: XCTestCase {
    func kubectl() throws -> String {
        guard let path = try Shell.which("kubectl") else {
            throw XCTSkip("kubectl is not installed: the emulator's kubectl realism test is skipped")
        }
        return path
    }

    func run(_ kubectl: String, _ kubeconfig: String, _ args: [String], stdin: String? = nil) throws -> Shell.Result {
        try Shell.run(kubectl, ["--kubeconfig", kubeconfig, "--request-timeout", "10s"] + args,
                      environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], stdin: stdin)
    }

    func testKubectlGetApplyLabelPatchDeleteAndWatch() throws {
        let kubectl = try kubectl()
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let config = try emulator.writeMTLSKubeconfig()

        let nodes = try run(kubectl, config, ["get", "nodes", "-o", "name"])
        XCTAssertEqual(nodes.status, 0, nodes.stderr)
        XCTAssertEqual(nodes.stdout.split(separator: "\n"), ["node/agent-1", "node/agent-2", "node/server-1", "node/server-2", "node/server-3"])

        let plans = try run(kubectl, config, ["get", "plans", "-n", "system-upgrade", "-o", "jsonpath={.items[*].status.applying}"])
        XCTAssertEqual(plans.status, 0, plans.stderr)
        XCTAssertTrue(plans.stdout.contains("server-2"), plans.stdout)

        let manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: probe, namespace: kube-system}
        data: {a: "1"}
        ---
        apiVersion: upgrade.cattle.io/v1
        kind: Plan
        metadata: {name: extra-plan, namespace: system-upgrade}
        spec: {concurrency: 1, version: v1.32.2+rke2r1, upgrade: {image: rancher/rke2-upgrade}}
        """
        let applied = try run(kubectl, config, ["apply", "-f", "-"], stdin: manifest)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertTrue(applied.stdout.contains("configmap/probe created"), applied.stdout)
        XCTAssertTrue(applied.stdout.contains("plan.upgrade.cattle.io/extra-plan created"), applied.stdout)
        let reapplied = try run(kubectl, config, ["apply", "-f", "-"], stdin: manifest.replacingOccurrences(of: "a: \"1\"", with: "a: \"2\""))
        XCTAssertEqual(reapplied.status, 0, reapplied.stderr)
        XCTAssertTrue(reapplied.stdout.contains("configmap/probe configured"), reapplied.stdout)
        XCTAssertTrue(reapplied.stdout.contains("plan.upgrade.cattle.io/extra-plan unchanged"), reapplied.stdout)

        // Watch through kubectl while labelling and patching status.
        let watchOut = emulator.dir + "/watch.out"
        let watcher = try Shell.spawn(kubectl, ["--kubeconfig", config, "get", "nodes", "--watch",
                                                "-o", "custom-columns=NAME:.metadata.name,STEP:.metadata.labels.step,VERSION:.status.nodeInfo.kubeletVersion"],
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], output: watchOut)
        defer { kill(watcher, SIGTERM); var s: Int32 = 0; waitpid(watcher, &s, 0) }
        usleep(800_000)
        let labelled = try run(kubectl, config, ["label", "node", "server-3", "step=one"])
        XCTAssertEqual(labelled.status, 0, labelled.stderr)
        let patched = try run(kubectl, config, ["patch", "node", "server-3", "--subresource=status", "--type=merge",
                                                "-p", "{\"status\":{\"nodeInfo\":{\"kubeletVersion\":\"v1.32.2+rke2r1\"}}}"])
        XCTAssertEqual(patched.status, 0, patched.stderr)
        let deleted = try run(kubectl, config, ["delete", "plan", "-n", "system-upgrade", "extra-plan"])
        XCTAssertEqual(deleted.status, 0, deleted.stderr)
        let deadline = Date().addingTimeInterval(10)
        var seen = ""
        while Date() < deadline {
            seen = (try? String(contentsOfFile: watchOut, encoding: .utf8)) ?? ""
            if seen.split(separator: "\n").contains(where: { $0.split(separator: " ").joined(separator: " ") == "server-3 one v1.32.2+rke2r1" }) { break }
            usleep(100_000)
        }
        let rows = seen.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertTrue(rows.contains("server-3 <none> v1.31.6+rke2r1"), seen)
        XCTAssertTrue(rows.contains("server-3 one v1.31.6+rke2r1"), "the label arrived through the watch: \(seen)")
        XCTAssertTrue(rows.contains("server-3 one v1.32.2+rke2r1"), "the status patch arrived through the watch: \(seen)")
        let gone = try run(kubectl, config, ["get", "plan", "-n", "system-upgrade", "extra-plan"])
        XCTAssertNotEqual(gone.status, 0)
        XCTAssertTrue(gone.stderr.contains("NotFound") || gone.stderr.contains("not found"), gone.stderr)
    }

    func testStrategicMergeOfBuiltinsAndConflictsOnStaleUpdates() throws {
        let kubectl = try kubectl()
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let config = try emulator.writeMTLSKubeconfig()
        // A strategic merge on a list with a merge key keeps the other entries.
        let patched = try run(kubectl, config, ["patch", "node", "server-1", "--subresource=status", "--type=strategic",
                                                "-p", "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"Test\"}]}}"])
        XCTAssertEqual(patched.status, 0, patched.stderr)
        let node = try emulator.get("/api/v1/nodes/server-1")
        let conditions = ((node?["status"] as? [String: Any])?["conditions"] as? [[String: Any]]) ?? []
        XCTAssertEqual(conditions.count, 1)
        XCTAssertEqual(conditions.first?["reason"] as? String, "Test")
        // A strategic merge on a custom resource is refused, as kube-apiserver does.
        let crPatch = try run(kubectl, config, ["patch", "plan", "-n", "system-upgrade", "server-plan", "--type=strategic", "-p", "{\"spec\":{\"concurrency\":2}}"])
        XCTAssertNotEqual(crPatch.status, 0)
        // A JSON patch (RFC 6902) on a custom resource.
        let jsonPatch = try run(kubectl, config, ["patch", "plan", "-n", "system-upgrade", "server-plan", "--type=json",
                                                  "-p", "[{\"op\":\"replace\",\"path\":\"/spec/concurrency\",\"value\":3}]"])
        XCTAssertEqual(jsonPatch.status, 0, jsonPatch.stderr)
        let plan = try emulator.get("/apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans/server-plan")
        XCTAssertEqual((plan?["spec"] as? [String: Any])?["concurrency"] as? Int, 3)
        // Label and field selectors.
        let servers = try run(kubectl, config, ["get", "nodes", "-l", "node-role.kubernetes.io/control-plane=true,!node.kubernetes.io/exclude", "-o", "name"])
        XCTAssertEqual(servers.stdout.split(separator: "\n"), ["node/server-1", "node/server-2", "node/server-3"], servers.stderr)
        let notIn = try run(kubectl, config, ["get", "nodes", "-l", "kubernetes.io/hostname notin (server-1,agent-1)", "-o", "name"])
        XCTAssertEqual(notIn.stdout.split(separator: "\n"), ["node/agent-2", "node/server-2", "node/server-3"], notIn.stderr)
        let byName = try run(kubectl, config, ["get", "nodes", "--field-selector", "metadata.name=server-2", "-o", "name"])
        XCTAssertEqual(byName.stdout.split(separator: "\n"), ["node/server-2"], byName.stderr)
        let cordoned = try run(kubectl, config, ["get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name"])
        XCTAssertEqual(cordoned.stdout.split(separator: "\n"), ["node/server-2"], cordoned.stderr)
        // An update with a stale resourceVersion conflicts.
        let stale: [String: Any] = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "server-1", "resourceVersion": "1"]]
        let body = try emulator.call("PUT", "/api/v1/nodes/server-1", json: stale) as? [String: Any]
        XCTAssertEqual(body?["code"] as? Int, 409)
    }
}
