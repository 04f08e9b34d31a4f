import Foundation
import Logging
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// Text from the cluster and from the disk is hostile: escape sequences, C1 controls and bidi overrides
/// in any string must reach no terminal, whatever prints it (status text and JSON, errors, dashboard).
final class HostileOutputTests: XCTestCase {
    typealias F = ObjectFactory

    /// OSC 2 (retitle the window), a C1 CSI, a right-to-left override, DEL, a bare CR, a right-to-left mark.
    static let evil = "\u{1B}]2;pwned\u{07}\u{9B}31m\u{202E}gnp.exe\u{7F}\r\u{200F}"

    /// Every cluster string some output path prints carries `evil`.
    static func hostileCluster() -> [JSONValue] {
        let e = evil
        var server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1", name: "server-plan\(e)"), applying: ["server-2"],
                                complete: false, reason: "Reason\(e)", message: "plan message \(e)")
        server.metadata.labels = ["team\(e)": "value\(e)"]
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1", serverPlan: "server-plan\(e)", name: "agent-plan\(e)"))
        var node1 = F.node("server-1\(e)", version: "v1.32.2+rke2r1", ready: false, unschedulable: true, ip: "10.0.0.11")
        node1.status?.conditions = [KCondition(type: "Ready", status: "False", reason: "KubeletNotReady\(e)", message: "not ready \(e)")]
        node1.metadata.labels?["evil\(e)"] = "label\(e)"
        node1.metadata.annotations?["note\(e)"] = "annotation\(e)"
        let node2 = F.node("server-2", version: "v1.31.6+rke2r1\(e)", ip: "10.0.0.12")
        var job = F.job(plan: server, node: "server-2", state: .failed, message: "job failed \(e)")
        job.metadata.name = "apply-job\(e)"
        var objects: [JSONValue] = F.crds + [F.namespaceObject("system-upgrade"), F.namespaceObject("kube-system")]
        objects += [F.json(node1), F.json(node2), F.json(server), F.json(agent), F.json(job), F.json(F.controller()),
                    F.json(F.addon("rke2-canal\(e)", checksum: "")),
                    F.json(F.helmChart("rke2-canal\(e)", chartVersion: "1.0.0\(e)", failed: "chart failed \(e)"))]
        return objects
    }

    func hostileSandbox() throws -> Sandbox {
        let box = try Sandbox("hostile")
        try box.write(box.configFile, "disable:\n  - \"rke2-evil\\e]2;x\\a\"\n")
        try box.manifest("rke2-canal\(Self.evil).yaml")
        try box.manifest("custom\(Self.evil)/app.yaml")
        try box.manifest("rke2-canal\(Self.evil).yaml.skip", "")
        return box
    }

    /// No C0 control but `\n` (and `\t` when allowed), no DEL, no C1, no bidi control: as bytes and as text.
    func assertTerminalSafe(_ bytes: Data, allowTab: Bool = false, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for (offset, byte) in bytes.enumerated() where (byte < 0x20 && byte != 0x0A && !(allowTab && byte == 0x09)) || byte == 0x7F {
            return XCTFail("\(what): byte 0x\(String(byte, radix: 16)) at \(offset): \(String(decoding: bytes, as: UTF8.self).debugDescription.prefix(300))", file: file, line: line)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if let bad = text.unicodeScalars.first(where: { (0x80...0x9F).contains($0.value) || TerminalText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }) {
            XCTFail("\(what): U+\(String(bad.value, radix: 16, uppercase: true)) reached the output", file: file, line: line)
        }
    }

    func testStatusTextAndJSONCarryNoControlCharacters() throws {
        let box = try hostileSandbox()
        let emulator = try Emulator(seed: ClusterScenario.any(Self.hostileCluster()))
        let kubeconfig = try emulator.writeHTTPKubeconfig()

        let text = try Shell.cli(["status", "--kubeconfig", kubeconfig] + box.cliOptions)
        XCTAssertEqual(text.status, 0, text.stderr)
        assertTerminalSafe(Data(text.stdout.utf8), "status text")
        // The hostile strings are there, escaped visibly, not dropped.
        XCTAssertTrue(text.stdout.contains("plan message \\u{1B}]2;pwned\\u{07}\\u{9B}31m\\u{202E}gnp.exe\\u{7F}\\u{0D}\\u{200F}"), text.stdout)
        XCTAssertTrue(text.stdout.contains("SERVER-PLAN\\u{1B}"), "plan name in a table header: \(text.stdout)")
        XCTAssertTrue(text.stdout.contains("rke2-canal\\u{1B}]2;pwned"), "manifest file name: \(text.stdout)")
        XCTAssertTrue(text.stdout.contains("job failed \\u{1B}"), "job message in a hint: \(text.stdout)")

        let json = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig] + box.cliOptions)
        XCTAssertEqual(json.status, 0, json.stderr)
        assertTerminalSafe(Data(json.stdout.utf8), "status JSON")
        XCTAssertTrue(json.stdout.contains(#"\u001b]2;pwned\u0007\u009b31m\u202egnp.exe\u007f\r\u200f"#), json.stdout)
        // Escaped, the document still says exactly what the cluster says.
        let doc = try JSONValue.parse(json.stdout)
        let plan = doc["cluster"]?["plans"]?.arrayValue?.first { $0["name"]?.stringValue == "server-plan" + Self.evil }
        XCTAssertEqual(plan?["message"]?.stringValue, "plan message " + Self.evil)
    }

    func testErrorsOnStderrCarryNoControlCharacters() throws {
        let box = try Sandbox("hostile-errors")
        let missing = try Shell.cli(["status", "--kubeconfig", "/nonexistent/\(Self.evil)"] + box.cliOptions)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nonexistent/\\u{1B}]2;pwned"), missing.stderr)
        assertTerminalSafe(Data(missing.stderr.utf8), "kubeconfig error")

        let skip = try Shell.cli(["skip", "rke2-\(Self.evil)"] + box.cliOptions)
        XCTAssertNotEqual(skip.status, 0)
        assertTerminalSafe(Data(skip.stderr.utf8), "skip error")
        assertTerminalSafe(Data(skip.stdout.utf8), "skip output")

        try box.write(box.configFile, "disable: [\u{1B}]2;pwned\u{07}\n")
        let malformed = try Shell.cli(["status"] + box.cliOptions)
        XCTAssertEqual(malformed.status, 2, malformed.stdout)
        assertTerminalSafe(Data(malformed.stderr.utf8), "config error")

        let usage = try Shell.cli(["status", "--output", "\u{1B}]2;pwned\u{07}"])
        XCTAssertEqual(usage.status, 2)
        assertTerminalSafe(Data(usage.stderr.utf8), "usage error")
    }

    func testSkipMessagesCarryNoControlCharacters() throws {
        let box = try Sandbox("hostile-skip")
        try box.manifest("rke2-\(Self.evil).yaml")
        let result = try Shell.cli(["skip", "rke2-\(Self.evil).yaml", "--dry-run"] + box.cliOptions)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\\u{1B}]2;pwned"), result.stdout)
        assertTerminalSafe(Data(result.stdout.utf8), "skip dry run")
    }

    func testDashboardDrawsNoControlCharacters() throws {
        var cache = ClusterCache()
        let objects = Self.hostileCluster()
        func decode<T: KubeObject>(_ kind: String) -> [T] {
            objects.filter { $0["kind"]?.stringValue == kind }.compactMap { try? JSONDecoder().decode(T.self, from: Data($0.serialized().utf8)) }
        }
        cache.apply(.replace(decode("Node") as [KNode]), to: \.nodes, kind: .nodes)
        cache.apply(.replace(decode("Plan") as [KPlan]), to: \.plans, kind: .plans)
        cache.apply(.replace(decode("Job") as [KJob]), to: \.jobs, kind: .jobs)
        cache.apply(.replace(decode("Deployment") as [KDeployment]), to: \.deployments, kind: .deployments)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        XCTAssertEqual(cache.nodes.count, 2)
        let manifests = [SnapshotFixtures.manifest("rke2-\(Self.evil).yaml", state: .pending)]
        var snapshot = SnapshotFixtures.midUpgrade(manifests: manifests, cache: cache)
        snapshot.localError = "config \(Self.evil)"
        for prepare: (inout ViewState, Screen) -> Void in [
            { _, _ in },
            { state, _ in state.focus = .plans },
            { state, screen in _ = Reducer.reduce(&state, .key(.enter), screen: screen) },
            { state, screen in
                state.focus = .plans
                _ = Reducer.reduce(&state, .key(.enter), screen: screen)
            },
        ] {
            let grid = Self.render(snapshot, width: 120, height: 40, prepare: prepare)
            // Visible, not silently dropped or blanked: the operator sees that something is odd.
            XCTAssertTrue(grid.text.contains("\\u{1B}]2;pwned"), grid.text)
            var bytes = Data()
            for y in 0..<grid.height { bytes += Data((grid.line(y) + "\n").utf8) }
            assertTerminalSafe(bytes, "dashboard")
        }
    }

    /// As `RenderTests.render`: state normalised, then prepared, then drawn.
    static func render(_ snapshot: DashboardSnapshot, width: Int, height: Int,
                       prepare: (inout ViewState, Screen) -> Void = { _, _ in }) -> Grid {
        var dashboard = Dashboard(state: ViewState(readOnly: false), theme: .unicodeColor, width: width, height: height, snapshot: snapshot,
                                  now: snapshot.takenAt)
        let screen = dashboard.screen
        dashboard.modify { prepare(&$0, screen) }
        return dashboard.render()
    }

    func testSanitiserEscapesVisiblyAndKeepsLayoutInBlocks() {
        XCTAssertEqual(TerminalText.line("a\u{1B}[2Jb"), "a\\u{1B}[2Jb")
        XCTAssertEqual(TerminalText.line("a\nb\tc"), "a\\u{0A}b\\u{09}c")
        XCTAssertEqual(TerminalText.block("a\nb\tc\r"), "a\nb\tc\\u{0D}")
        XCTAssertEqual(TerminalText.line("\u{85}\u{9F}\u{7F}\u{202A}\u{2069}\u{200F}\u{61C}"),
                       "\\u{85}\\u{9F}\\u{7F}\\u{202A}\\u{2069}\\u{200F}\\u{61C}")
        XCTAssertEqual(TerminalText.line("rke2-canal.yaml ✓ 中文"), "rke2-canal.yaml ✓ 中文")
        XCTAssertEqual(JSONValue.text("\u{85}\u{202E}\u{7F}\u{1B}").serialized(), #""\u0085\u202e\u007f\u001b""#)
    }

    func testTheLogFileHoldsOneSafeLinePerRecord() throws {
        let box = try Sandbox("hostile-log")
        let path = box.root + "/state/upgrade-tui/dashboard.log"
        let (sink, fd) = try FileLogHandler.open(path: path)
        defer { close(fd) }
        let logger = Logger(label: "t") { label in FileLogHandler(label: label, sink: sink) }
        logger.info("skip \(Self.evil)\nforged line")
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        assertTerminalSafe(written, "log file")
        XCTAssertEqual(String(decoding: written, as: UTF8.self).split(separator: "\n").count, 1)
    }
}
