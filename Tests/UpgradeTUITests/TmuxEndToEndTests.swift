import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// The dashboard in a real terminal (tmux) against a sandbox and the emulator, as an operator uses it.
final class TmuxEndToEndTests: XCTestCase {
    struct Setup {
        let box: Sandbox
        let emulator: Emulator
        let kubeconfig: String
        let log: String
    }

    func setUpCluster() throws -> Setup {
        let box = try Sandbox("e2e")
        try box.write(box.configFile, "disable: rke2-ingress-nginx\n")
        var checksums: [String: String] = [:]
        for name in ["rke2-canal", "rke2-coredns", "rke2-metrics-server"] {
            checksums[name] = try ManifestScanner.sha256(ofFile: try box.manifest("\(name).yaml", Sandbox.helmChart(name)))
        }
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade(addonChecksums: checksums)))
        return Setup(box: box, emulator: emulator, kubeconfig: try emulator.writeMTLSKubeconfig(), log: box.root + "/dashboard.log")
    }

    func command(_ setup: Setup, _ extra: [String] = []) -> String {
        ([RepoPaths.cliBinary] + extra + ["--kubeconfig", setup.kubeconfig, "--log-file", setup.log, "--refresh", "0.5"] + setup.box.cliOptions)
            .map { "'\($0)'" }.joined(separator: " ")
    }

    func tmux() throws -> Tmux {
        guard let tmux = Tmux() else { throw XCTSkip("tmux is not installed") }
        return tmux
    }

    func testInteractiveDashboardEndToEnd() throws {
        let setup = try setUpCluster()
        let term = try tmux()
        try term.start(command(setup), width: 80, height: 24, environment: ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"])

        // Nodes and manifests on screen.
        let (first, _) = try term.waitFor("nodes and manifests") {
            $0.contains("server-2") && $0.contains("rke2-canal.yaml") && $0.contains("API ok") && $0.contains("applied") && $0.contains("server-plan")
        }
        XCTAssertTrue(first.contains("applying"), first)

        // Skip rke2-canal.yaml from the keyboard; the marker appears on disk and the row says skipped.
        try term.send("Tab")
        try term.waitFor("manifests focused") { $0.contains("Space skip") }
        try term.send("s")
        try term.waitFor("the confirmation") { $0.contains("Skip rke2-canal.yaml?") && $0.contains("server-1, server-2, server-3") }
        try term.send("y")
        let marker = setup.box.manifestsDir + "/rke2-canal.yaml.skip"
        let deadline = Date().addingTimeInterval(10)
        while !setup.box.exists(marker) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(setup.box.exists(marker), "the marker is on disk")
        try term.waitFor("the skipped row and the result") { screen in
            screen.contains("skipped rke2-canal.yaml") && screen.split(separator: "\n").contains { $0.contains("rke2-canal.yaml") && $0.contains("skipped") }
        }
        let audit = try setup.box.read(setup.box.auditLog)
        XCTAssertTrue(audit.contains("\"command\":\"skip\""), audit)

        // A node's version changes in the API: the screen shows it.
        try setup.emulator.patchStatus("/api/v1/nodes/server-3", ["nodeInfo": ["kubeletVersion": "v1.32.2+rke2r1"]])
        try term.waitFor("server-3 at the new version") { screen in
            screen.split(separator: "\n").contains { $0.contains("server-3") && $0.contains("v1.32.2+rke2r1") }
        }

        // The API goes away (this node's API server restarting) and comes back: last known state, then live again.
        try setup.emulator.outage(seconds: 3)
        try term.waitFor("the outage on screen") { $0.contains("API unreachable") && $0.contains("last known") && $0.contains("server-2") }
        try term.waitFor(timeout: 15, "the reconnect") { $0.contains("API ok") && !$0.contains("last known") }
        try setup.emulator.patchStatus("/api/v1/nodes/server-1", ["nodeInfo": ["kubeletVersion": "v1.32.3+rke2r1"]])
        try term.waitFor("a change after the reconnect") { screen in
            screen.split(separator: "\n").contains { $0.contains("server-1") && $0.contains("v1.32.3+rke2r1") }
        }

        // Resize: a correct layout at the new size.
        try term.resize(width: 120, height: 40)
        let (wide, _) = try term.waitFor("the 120x40 layout") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            // tmux resizes the pane at once, with the old 80-column rows still in it: wait for the repaint
            // (a header wider than 80 columns), not only for rows that the old screen has too.
            return lines.count >= 40 && lines.contains { $0.hasPrefix("─ Manifests") } && screen.contains("Plans & Jobs")
                && lines[0].count > 80
        }
        let wideLines = wide.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(wideLines[0].hasPrefix("upgrade-tui"), String(wideLines[0]))
        XCTAssertTrue(wideLines[0].hasSuffix("API ok"), "the header spans the new width: \(wideLines[0])")
        XCTAssertTrue(wideLines.contains { $0.hasPrefix("─ Plans & Jobs") })
        try term.resize(width: 50, height: 12)
        try term.waitFor("the too-small message") { $0.contains("terminal too small (50x12)") }
        try term.resize(width: 80, height: 24)
        try term.waitFor("back at 80x24") { $0.contains("server-2") && !$0.contains("terminal too small") }

        // Help, then quit: the shell is back, and the terminal is usable.
        try term.send("?")
        try term.waitFor("help") { $0.contains("skip / unskip the selected manifest") }
        try term.send("Escape")
        try term.send("q")
        let (end, _) = try term.waitFor("the shell") { $0.contains("DASHBOARD-EXITED 0") }
        XCTAssertFalse(end.contains("Plans & Jobs"), "the screen was restored:\n\(end)")
    }

    func testWatchModeIsReadOnlyAndOnlyReads() throws {
        let setup = try setUpCluster()
        let term = try tmux()
        try term.start(command(setup, ["--watch"]), width: 80, height: 24, environment: ["LANG": "C.UTF-8"])
        try term.waitFor("the read-only dashboard") { $0.contains("READ-ONLY") && $0.contains("server-2") }
        try term.send("Tab")
        try term.waitFor("manifests focused") { $0.contains("─ Manifests") }
        let footer = try term.lines().filter { !$0.isEmpty }.last ?? ""
        XCTAssertFalse(footer.lowercased().contains("skip"), footer)
        try term.send("Space")
        try term.send("s")
        try term.send("y")
        usleep(700_000)
        XCTAssertFalse(try term.capture().contains("Skip rke2-canal.yaml?"))
        XCTAssertFalse(setup.box.exists(setup.box.manifestsDir + "/rke2-canal.yaml.skip"))
        try term.send("?")
        let (help, _) = try term.waitFor("help") { $0.contains("Keys (read-only") }
        XCTAssertFalse(help.contains("skip / unskip"), help)
        // Keys are handled in order: with the help on screen, Space, s and y certainly were handled too.
        XCTAssertFalse(setup.box.exists(setup.box.manifestsDir + "/rke2-canal.yaml.skip"))
        try term.send("Escape")
        try term.send("q")
        try term.waitFor("the shell") { $0.contains("DASHBOARD-EXITED 0") }
        let methods = Set(try setup.emulator.requests().map(\.method))
        XCTAssertEqual(methods, ["GET"], "--watch sends only GET (list and watch) requests")
        XCTAssertFalse(setup.box.exists(setup.box.auditLog), "nothing was written")
    }

    func testWatchWorksForAnUnprivilegedUser() throws {
        guard geteuid() == 0, let setpriv = try Shell.which("setpriv") else { throw XCTSkip("needs root to drop to nobody") }
        let setup = try setUpCluster()
        // A read-only kubeconfig copy the unprivileged user can read; the sandbox is readable by all.
        let kubeconfig = setup.box.root + "/readonly.yaml"
        try FileManager.default.copyItem(atPath: setup.kubeconfig, toPath: kubeconfig)
        chmod(kubeconfig, 0o644)
        chmod(setup.box.root, 0o755)
        let term = try tmux()
        let cmd = ([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", RepoPaths.cliBinary, "--watch",
                    "--kubeconfig", kubeconfig, "--log-file", "/tmp/upgrade-tui-e2e-nobody.log"] + setup.box.cliOptions)
            .map { "'\($0)'" }.joined(separator: " ")
        try term.start(cmd, width: 80, height: 24, environment: ["LANG": "C.UTF-8", "HOME": "/tmp"])
        try term.waitFor("the dashboard as nobody") { $0.contains("READ-ONLY") && $0.contains("server-2") && $0.contains("API ok") }
        try term.send("q")
        try term.waitFor("the shell") { $0.contains("DASHBOARD-EXITED 0") }
    }

    func testNoTerminalIsAClearError() throws {
        let result = try Shell.cli(["dashboard", "--demo"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("needs a terminal"), result.stderr)
    }

    func testSignalsRestoreTheTerminal() throws {
        for (signal, code) in [("TERM", 143), ("HUP", 129)] {
            let term = try tmux()
            let log = NSTemporaryDirectory() + "upgrade-tui-e2e-\(UUID().uuidString.prefix(6)).log"
            let pidFile = NSTemporaryDirectory() + "upgrade-tui-e2e-pid-\(UUID().uuidString.prefix(6))"
            try term.start("sh -c 'echo $$ > \(pidFile); exec \(RepoPaths.cliBinary) --demo --log-file \(log)'", width: 80, height: 24,
                           environment: ["LANG": "C.UTF-8"])
            try term.waitFor("the demo") { $0.contains("server-2") }
            let pid = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            XCTAssertGreaterThan(pid, 0)
            kill(pid, signal == "TERM" ? SIGTERM : SIGHUP)
            let (screen, _) = try term.waitFor("the shell after SIG\(signal)") { $0.contains("DASHBOARD-EXITED \(code)") }
            XCTAssertFalse(screen.contains("Plans & Jobs"), "the screen was restored after SIG\(signal)")
        }
    }
}

extension TmuxEndToEndTests {
    /// The terminal vanishes (tmux killed, as an ssh session dropping closes its pty): the dashboard
    /// ends, whether or not a SIGHUP reached it, instead of polling a dead terminal.
    func testAHungUpTerminalEndsTheDashboard() throws {
        let term = try tmux()
        let log = NSTemporaryDirectory() + "upgrade-tui-e2e-\(UUID().uuidString.prefix(6)).log"
        // An API server that refuses connections: the header counts down to the next retry every second.
        let box = try Sandbox("hangup")
        let kubeconfig = box.root + "/unreachable.kubeconfig"
        try box.write(kubeconfig, "apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
                      + "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\nusers: [{name: u, user: {token: t}}]\n")
        // The dashboard is the pane's process, the session leader, as under sshd: the kernel's hangup
        // reaches it as POLLHUP on the terminal; tmux sends no SIGHUP to it.
        let exports = TestProcesses.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try term.run(["new-session", "-d", "-s", term.session, "-x", "80", "-y", "24",
                      "exec env LANG=C.UTF-8 \(exports) \(RepoPaths.cliBinary) --watch --log-file \(log) --kubeconfig \(kubeconfig) "
                        + box.cliOptions.map { "'\($0)'" }.joined(separator: " ")])
        try term.waitFor("the unreachable API") { $0.contains("API unreachable") }
        let pid = Int32(try term.run(["list-panes", "-t", term.session, "-F", "#{pane_pid}"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(pid, 0)
        try term.run(["kill-server"])
        let deadline = Date().addingTimeInterval(10)
        func running() -> Bool {
            // Gone, or a zombie waiting for init: either way it no longer runs.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return !stat[close...].hasPrefix(") Z")
        }
        while running(), Date() < deadline { usleep(50_000) }
        let alive = running()
        if alive { kill(pid, SIGKILL) }
        XCTAssertFalse(alive, "the dashboard still ran 10 s after its terminal went away")
    }
}

/// Plan → swap → restart → rollback from the dashboard, against the emulator and a supervised fake rke2.
final class TmuxWorkflowTests: XCTestCase {
    func testWorkflowFromTheDashboard() throws {
        guard let term = Tmux() else { throw XCTSkip("tmux is not installed") }
        let box = try Sandbox("e2e-workflow")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let new = try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.root + "/download/rke2.linux-amd64")
        try box.write(box.dataDir + "/server/db/snapshots/pre-upgrade", "snapshot")
        let F = ObjectFactory.self
        let emulator = try Emulator(seed: ClusterScenario.any(F.crds + [F.namespaceObject("system-upgrade"), F.json(F.controller()),
                                                                       F.json(F.node(POSIX.hostName(), version: "v1.31.6+rke2r1")),
                                                                       F.json(F.node("agent-1", version: "v1.31.6+rke2r1", server: false))]))
        let supervisor = try FakeRKE2.Supervisor(binary: box.binaryPath, dataDir: box.dataDir)
        defer { supervisor.stop() }
        let command = ([RepoPaths.cliBinary, "--kubeconfig", try emulator.writeMTLSKubeconfig(), "--log-file", box.root + "/dashboard.log",
                        "--refresh", "0.5"] + box.cliOptions).map { "'\($0)'" }.joined(separator: " ")
        try term.start(command, width: 120, height: 40, environment: ["LANG": "C.UTF-8"])
        try term.waitFor("the dashboard") { $0.contains("API ok") && $0.contains("agent-1") && $0.contains("pid ") }

        // p: the plan, confirmed by typing its target.
        try term.send("p")
        try term.waitFor("the plan dialog") { $0.contains("Plan the upgrade") }
        try term.send("-l", "v1.32.2+rke2r1")
        try term.send("Enter")
        try term.waitFor("the plan review") { $0.contains("type v1.32.2+rke2r1 and Enter to apply") && $0.contains("no minor skip") }
        try term.send("-l", "v1.32.2+rke2r1")
        try term.send("Enter")
        try term.waitFor("the plans applied") { $0.contains("server-plan created, agent-plan created") }
        let plan = try emulator.get("/apis/upgrade.cattle.io/v1/namespaces/system-upgrade/plans/server-plan")
        XCTAssertEqual((plan?["spec"] as? [String: Any])?["version"] as? String, "v1.32.2+rke2r1")

        // w: the swap, after its checks.
        try term.send("w")
        try term.waitFor("the swap dialog") { $0.contains("new binary:") }
        try term.send("C-u")
        try term.send("-l", new)
        try term.send("Enter")
        try term.waitFor("the swap review with the sha256 that y installs") {
            $0.contains("Swap to v1.32.2+rke2r1") && $0.contains("[y] yes") && $0.contains("sha256 ")
        }
        try term.send("y")
        try term.waitFor("the swap done") { $0.contains("installed v1.32.2+rke2r1") }
        try term.waitFor("restart pending in the header") { $0.contains("RESTART PENDING") }

        // r: the restart into the new binary.
        try term.send("r")
        try term.waitFor("the restart confirmation") { $0.contains("Restart rke2 on this node?") }
        try term.send("y")
        try term.waitFor(timeout: 20, "the restart done") { $0.contains("restarted rke2: pid") }
        let afterRestart = try JSONValue.parse(try Shell.cli(["status", "-o", "json", "--kubeconfig", "/dev/null"] + box.cliOptions).stdout)
        XCTAssertEqual(afterRestart["local"]?["process"]?["runningVersion"]?.stringValue, "v1.32.2+rke2r1")
        XCTAssertEqual(afterRestart["local"]?["process"]?["restartPending"]?.boolValue, false)

        // R: the rollback, then its restart.
        try term.send("R")
        try term.waitFor("the rollback review, naming both versions") {
            $0.contains("Roll back to v1.31.6+rke2r1") && $0.contains("v1.32.2+rke2r1 → v1.31.6+rke2r1") && $0.contains("etcd snapshot")
        }
        try term.send("y")
        try term.waitFor(timeout: 20, "the rollback done") { $0.contains("reinstalled v1.31.6+rke2r1") }
        let afterRollback = try JSONValue.parse(try Shell.cli(["status", "-o", "json", "--kubeconfig", "/dev/null"] + box.cliOptions).stdout)
        XCTAssertEqual(afterRollback["local"]?["process"]?["runningVersion"]?.stringValue, "v1.31.6+rke2r1")

        try term.send("q")
        try term.waitFor("the shell") { $0.contains("DASHBOARD-EXITED 0") }
        let audit = try box.read(box.auditLog).split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            .filter { $0["phase"]?.stringValue == "result" }.compactMap { $0["command"]?.stringValue }
        XCTAssertEqual(audit, ["plan", "swap", "restart", "rollback", "restart"])
    }
}
