import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// plan → swap → restart → rollback from the command line, on a sandbox with the emulator and a fake
/// rke2 supervised by a restart loop (standing in for systemd).
final class WorkflowCLITests: XCTestCase {
    func testPlanSwapRestartRollbackEndToEnd() throws {
        let box = try Sandbox("workflow")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let new = try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.root + "/download/rke2.linux-\(HostArch.current)")
        let sums = try box.write("download/sha256sum-\(HostArch.current).txt", "\(try ManifestScanner.sha256(ofFile: new))  rke2.linux-\(HostArch.current)\n")
        try box.write(box.dataDir + "/server/db/snapshots/pre-upgrade", "snapshot")
        let F = ObjectFactory.self
        let hostname = POSIX.hostName()
        let emulator = try Emulator(seed: ClusterScenario.any(F.crds + [F.namespaceObject("system-upgrade"), F.json(F.controller()),
                                                                       F.json(F.node(hostname, version: "v1.31.6+rke2r1")),
                                                                       F.json(F.node("agent-1", version: "v1.31.6+rke2r1", server: false))]))
        let options = box.cliOptions + ["--kubeconfig", try emulator.writeMTLSKubeconfig()]
        let supervisor = try FakeRKE2.Supervisor(binary: box.binaryPath, dataDir: box.dataDir)
        defer { supervisor.stop() }
        // Wait for the supervised rke2 itself (and its children), not a fixed time: a loaded machine starts it late.
        _ = try supervisor.waitForRKE2()

        // A channel that does not exist is not a target: its dry run fails (exit 1), nothing is written.
        let portFile = box.root + "/channel-port"
        let channels = try Shell.spawn(try Shell.which("python3") ?? "/usr/bin/python3", ["-c", """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self): self.send_response(404); self.end_headers()
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            open(sys.argv[1], 'w').write(str(s.server_address[1]))
            s.serve_forever()
            """, portFile], environment: ProcessInfo.processInfo.environment)
        defer { kill(channels, SIGTERM); var status: Int32 = 0; waitpid(channels, &status, 0) }
        var port = ""
        let portDeadline = Date().addingTimeInterval(20)
        while port.isEmpty && Date() < portDeadline { port = (try? box.read(portFile)) ?? ""; usleep(20_000) }
        let typo = try Shell.cli(["plan", "--channel", "stabel", "--channel-url", "http://127.0.0.1:\(port)/channels", "--dry-run"] + options)
        XCTAssertEqual(typo.status, 1, typo.stdout + typo.stderr)
        XCTAssertTrue(typo.stdout.contains("FAIL  target") && typo.stdout.contains("HTTP 404"), typo.stdout)
        try emulator.clearRequests()

        // Plan: a dry run changes nothing; applying creates both plans.
        let dry = try Shell.cli(["plan", "--version", "v1.32.2+rke2r1", "--dry-run"] + options)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("kind: Plan") && dry.stdout.contains("pass  no minor skip"), dry.stdout)
        XCTAssertTrue(try emulator.requests().allSatisfy { $0.method == "GET" }, "a dry run only reads")
        let noYes = try Shell.cli(["plan", "--version", "v1.32.2+rke2r1"] + options)
        XCTAssertEqual(noYes.status, 1, "no terminal and no --yes: refused")
        XCTAssertTrue(noYes.stderr.contains("pass --yes"), noYes.stderr)
        let skip = try Shell.cli(["plan", "--version", "v1.33.1+rke2r1", "--yes"] + options)
        XCTAssertEqual(skip.status, 1)
        XCTAssertTrue(skip.stderr.contains("no minor skip"), skip.stderr)
        let plan = try Shell.cli(["plan", "--version", "v1.32.2+rke2r1", "--yes"] + options)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("server-plan created, agent-plan created"), plan.stdout)

        // Swap with a checksum file; a rerun says it is done.
        let swap = try Shell.cli(["swap", "--binary", new, "--checksums", sums, "--yes"] + options)
        XCTAssertEqual(swap.status, 0, swap.stderr)
        XCTAssertTrue(swap.stdout.contains("pass  checksum") && swap.stdout.contains("installed v1.32.2+rke2r1"), swap.stdout)
        XCTAssertTrue(try Shell.cli(["swap", "--binary", new, "--yes"] + options).stdout.contains("binary already replaced"))
        let pending = try JSONValue.parse(try Shell.cli(["status", "-o", "json"] + options).stdout)
        XCTAssertEqual(pending["local"]?["process"]?["restartPending"]?.boolValue, true)

        // Restart: its dry run says what it would do and signals nothing; then the new pid runs the new version.
        let before = try XCTUnwrap(try TestProcesses.scanner(dataDir: box.dataDir).find())
        let restartDry = try Shell.cli(["restart", "--dry-run"] + options)
        XCTAssertEqual(restartDry.status, 0, restartDry.stderr)
        XCTAssertTrue(restartDry.stdout.contains("Restart rke2 (pid \(before.pid)") && restartDry.stdout.contains("v1.31.6+rke2r1 → v1.32.2+rke2r1"),
                      restartDry.stdout)
        XCTAssertEqual(try TestProcesses.scanner(dataDir: box.dataDir).find()?.pid, before.pid, "a dry run signals nothing")
        let restart = try Shell.cli(["restart", "--yes", "--timeout", "20"] + options)
        XCTAssertEqual(restart.status, 0, restart.stderr)
        XCTAssertTrue(restart.stdout.contains("(v1.31.6+rke2r1) → pid") && restart.stdout.contains("(v1.32.2+rke2r1)"), restart.stdout)
        XCTAssertTrue(restart.stdout.contains("the API answers again"), restart.stdout)
        let running = try JSONValue.parse(try Shell.cli(["status", "-o", "json"] + options).stdout)
        XCTAssertEqual(running["local"]?["process"]?["restartPending"]?.boolValue, false)
        XCTAssertEqual(running["local"]?["binary"]?["version"]?.stringValue, "v1.32.2+rke2r1")
        XCTAssertTrue(try Shell.cli(["restart", "--yes"] + options).stdout.contains("nothing to restart"))

        // Rollback: its dry run names both versions and the etcd snapshot before anything changes.
        let installed = try ManifestScanner.sha256(ofFile: box.binaryPath)
        let rollbackDry = try Shell.cli(["rollback", "--dry-run"] + options)
        XCTAssertEqual(rollbackDry.status, 0, rollbackDry.stderr)
        XCTAssertTrue(rollbackDry.stdout.contains("v1.32.2+rke2r1 → v1.31.6+rke2r1"), rollbackDry.stdout)
        XCTAssertTrue(rollbackDry.stdout.contains("etcd snapshot taken on v1.31"), rollbackDry.stdout)
        XCTAssertEqual(try ManifestScanner.sha256(ofFile: box.binaryPath), installed, "a dry run changes nothing")
        // Then the old binary back, restarted.
        let rollback = try Shell.cli(["rollback", "--yes", "--timeout", "20"] + options)
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertTrue(rollback.stdout.contains("reinstalled v1.31.6+rke2r1"), rollback.stdout)
        XCTAssertTrue(rollback.stdout.contains("a minor-version rollback also needs an etcd snapshot"), rollback.stdout)
        let back = try JSONValue.parse(try Shell.cli(["status", "-o", "json"] + options).stdout)
        XCTAssertEqual(back["local"]?["process"]?["runningVersion"]?.stringValue, "v1.31.6+rke2r1")

        // One parseable intent and result record per mutating command.
        let all = try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        XCTAssertEqual(all.filter { $0["phase"]?.stringValue == "intent" }.count, 8)
        let audit = all.filter { $0["phase"]?.stringValue == "result" }
        XCTAssertEqual(audit.compactMap { $0["command"]?.stringValue }, ["plan", "plan", "swap", "swap", "restart", "restart", "rollback", "restart"])
        XCTAssertEqual(audit.compactMap { $0["result"]?.stringValue }, ["refused", "ok", "ok", "no-op", "ok", "no-op", "ok", "ok"])
    }
}
