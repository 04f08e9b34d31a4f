import TestSupport
import UpgradeModel
import XCTest

/// `status` against the emulator, over HTTP and over mTLS with an rke2.yaml-style kubeconfig.
final class StatusClusterTests: XCTestCase {
    func sandboxWithManifests() throws -> (Sandbox, [String: String]) {
        let box = try Sandbox("status-cluster")
        try box.write(box.configFile, "disable: rke2-ingress-nginx\n")
        var checksums: [String: String] = [:]
        for name in ["rke2-canal", "rke2-coredns", "rke2-metrics-server", "rke2-snapshot-controller"] {
            let path = try box.manifest("\(name).yaml", Sandbox.helmChart(name))
            checksums[name] = try ManifestScanner.sha256(ofFile: path)
        }
        try box.manifest("rke2-snapshot-controller.yaml.skip", "")
        checksums["rke2-coredns"] = String(repeating: "0", count: 64)     // another server applied another file
        checksums["rke2-metrics-server"] = nil                              // not applied yet
        return (box, checksums)
    }

    func assertClusterDocument(_ doc: JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let cluster = try XCTUnwrap(doc["cluster"], file: file, line: line)
        XCTAssertEqual(cluster["api"]?.stringValue, "ok", file: file, line: line)
        XCTAssertEqual(cluster["error"]?.isNull, true, file: file, line: line)
        XCTAssertEqual(cluster["upgradeController"]?.stringValue, "ready", file: file, line: line)
        let nodes = cluster["nodes"]?.arrayValue ?? []
        XCTAssertEqual(nodes.compactMap { $0["name"]?.stringValue }, ["agent-1", "agent-2", "server-1", "server-2", "server-3"], file: file, line: line)
        let server2 = try XCTUnwrap(nodes.first { $0["name"]?.stringValue == "server-2" }, file: file, line: line)
        XCTAssertEqual(server2["roles"]?.arrayValue?.compactMap(\.stringValue), ["control-plane", "etcd", "master"], file: file, line: line)
        XCTAssertEqual(server2["kubeletVersion"]?.stringValue, "v1.31.6+rke2r1", file: file, line: line)
        XCTAssertEqual(server2["ready"]?.boolValue, true, file: file, line: line)
        XCTAssertEqual(server2["schedulable"]?.boolValue, false, file: file, line: line)
        XCTAssertEqual(server2["plans"]?["server-plan"]?.stringValue, "applying", file: file, line: line)
        XCTAssertEqual(nodes.first { $0["name"]?.stringValue == "server-1" }?["plans"]?["server-plan"]?.stringValue, "done", file: file, line: line)
        XCTAssertEqual(nodes.first { $0["name"]?.stringValue == "agent-1" }?["plans"]?["agent-plan"]?.stringValue, "pending", file: file, line: line)
        let plans = cluster["plans"]?.arrayValue ?? []
        let serverPlan = try XCTUnwrap(plans.first { $0["name"]?.stringValue == "server-plan" }, file: file, line: line)
        XCTAssertEqual(serverPlan["namespace"]?.stringValue, "system-upgrade", file: file, line: line)
        XCTAssertEqual(serverPlan["version"]?.stringValue, "v1.32.2+rke2r1", file: file, line: line)
        XCTAssertEqual(serverPlan["latestVersion"]?.stringValue, "v1.32.2-rke2r1", file: file, line: line)
        XCTAssertEqual(serverPlan["latestHash"]?.stringValue?.count, 56, file: file, line: line)
        XCTAssertEqual(serverPlan["complete"]?.boolValue, false, file: file, line: line)
        XCTAssertEqual(serverPlan["reason"]?.stringValue, "SyncJob", file: file, line: line)
        XCTAssertEqual(serverPlan["applying"]?.arrayValue?.compactMap(\.stringValue), ["server-2"], file: file, line: line)
        XCTAssertEqual(serverPlan["counts"]?["done"]?.numberValue, 1, file: file, line: line)
        XCTAssertEqual(serverPlan["counts"]?["applying"]?.numberValue, 1, file: file, line: line)
        XCTAssertEqual(serverPlan["counts"]?["pending"]?.numberValue, 1, file: file, line: line)
        XCTAssertEqual(serverPlan["channel"]?.isNull, true, file: file, line: line)
        let gate = try XCTUnwrap(cluster["agentGate"], file: file, line: line)
        XCTAssertEqual(gate["open"]?.boolValue, false, file: file, line: line)
        XCTAssertEqual(gate["reason"]?.stringValue, "server-plan still applying on server-2", file: file, line: line)
        let states = Dictionary(uniqueKeysWithValues: (doc["manifests"]?.arrayValue ?? []).map {
            ($0["file"]?.stringValue ?? "", $0["state"]?.stringValue ?? "")
        })
        XCTAssertEqual(states, ["rke2-canal.yaml": "applied", "rke2-coredns.yaml": "out-of-sync", "rke2-metrics-server.yaml": "pending",
                                "rke2-snapshot-controller.yaml": "skipped", "rke2-ingress-nginx.yaml": "disabled"], file: file, line: line)
        let canal = doc["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-canal.yaml" }
        XCTAssertEqual(canal?["chartVersion"]?.stringValue, "v3.28.1-build2024101500", file: file, line: line)
        XCTAssertEqual(canal?["addonChecksum"]?.stringValue, canal?["sha256"]?.stringValue, file: file, line: line)
        let skipped = doc["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-snapshot-controller.yaml" }
        XCTAssertNotNil(skipped?["addonChecksum"]?.stringValue, "skipped despite an Addon", file: file, line: line)
    }

    func testStatusOverMTLSAndOverHTTPReportsTheClusterWithGETsOnly() throws {
        let (box, checksums) = try sandboxWithManifests()
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade(addonChecksums: checksums, charts: ["rke2-canal": "v3.28.1-build2024101500"])))
        for kubeconfig in [try emulator.writeMTLSKubeconfig(), try emulator.writeHTTPKubeconfig()] {
            try emulator.clearRequests()
            let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig] + box.cliOptions)
            XCTAssertEqual(result.status, 0, result.stderr)
            try assertClusterDocument(try JSONValue.parse(result.stdout))
            let requests = try emulator.requests()
            XCTAssertFalse(requests.isEmpty)
            XCTAssertEqual(Set(requests.map(\.method)), ["GET"], "status only reads")
        }
        let text = try Shell.cli(["status", "--kubeconfig", try emulator.writeMTLSKubeconfig()] + box.cliOptions)
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("Agent gate  CLOSED: server-plan still applying on server-2"), text.stdout)
        let row = text.stdout.split(separator: "\n").first { $0.hasPrefix("server-2 ") }.map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertEqual(row, "server-2 control-plane,etcd,master v1.31.6+rke2r1 Ready cordoned - applying", text.stdout)
    }

    func testUnreachableAPIKeepsTheLocalPartAndExitsZero() throws {
        let (box, checksums) = try sandboxWithManifests()
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade(addonChecksums: checksums)))
        let kubeconfig = try emulator.writeMTLSKubeconfig()
        let copy = box.root + "/rke2.yaml"
        try FileManager.default.copyItem(atPath: kubeconfig, toPath: copy)
        emulator.stop()
        let started = Date()
        let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", copy] + box.cliOptions)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "an unreachable API must not stall status")
        XCTAssertEqual(result.status, 0, result.stderr)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "unreachable")
        XCTAssertTrue(doc["cluster"]?["error"]?.stringValue?.contains("127.0.0.1") == true, "\(doc["cluster"]?["error"] ?? .null)")
        XCTAssertEqual(doc["manifests"]?.arrayValue?.count, 5, "the local part is complete")
        XCTAssertEqual(doc["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-canal.yaml" }?["state"]?.stringValue, "active")
        XCTAssertNotNil(doc["local"]?["dataDir"]?.stringValue)
    }

    func testUnauthorized() throws {
        let box = try Sandbox("status-cluster")
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()), token: "right")
        let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", try emulator.writeHTTPKubeconfig(token: "wrong")] + box.cliOptions)
        XCTAssertEqual(result.status, 0)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "unauthorized")
        XCTAssertTrue(doc["cluster"]?["error"]?.stringValue?.contains("401") == true)
    }

    func testKubeconfigProblems() throws {
        let box = try Sandbox("status-cluster")
        let missing = try Shell.cli(["status", "--kubeconfig", box.root + "/nope.yaml"] + box.cliOptions)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nope.yaml does not exist"), missing.stderr)
        let exec = try box.write("exec.yaml", """
            apiVersion: v1
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            users: [{name: u, user: {exec: {command: aws}}}]
            """)
        let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", exec] + box.cliOptions)
        XCTAssertEqual(result.status, 0)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "not-configured")
        XCTAssertTrue(doc["cluster"]?["error"]?.stringValue?.contains("exec credential plugin") == true)
    }
}
