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
            $0.contains("server-2") && $0.contains("rke2-canal.yaml") && $0.contains("API ok") && $0.contains("applied")
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

        // Resize: a correct layout at the new size.
        try term.resize(width: 120, height: 40)
        let (wide, _) = try term.waitFor("the 120x40 layout") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 40 && lines.contains { $0.hasPrefix("─ Manifests") } && screen.contains("Plans & Jobs")
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
