import Foundation
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// Pure render snapshots: text grids compared with golden files (RECORD_SNAPSHOTS=1 rewrites them).
final class RenderTests: XCTestCase {
    static let snapshotsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__").path

    func render(_ snapshot: DashboardSnapshot?, width: Int, height: Int, theme: Theme = .unicodeColor,
                readOnly: Bool = false, prepare: (inout ViewState, Screen) -> Void = { _, _ in }) -> Grid {
        Self.render(snapshot, width: width, height: height, theme: theme, readOnly: readOnly, prepare: prepare)
    }

    static func render(_ snapshot: DashboardSnapshot?, width: Int, height: Int, theme: Theme = .unicodeColor,
                       readOnly: Bool = false, prepare: (inout ViewState, Screen) -> Void = { _, _ in }) -> Grid {
        var dashboard = Dashboard(state: ViewState(readOnly: readOnly), theme: theme, width: width, height: height, snapshot: snapshot,
                                  now: snapshot?.takenAt ?? Date(timeIntervalSince1970: 0))
        let screen = dashboard.screen
        dashboard.modify { prepare(&$0, screen) }
        return dashboard.render()
    }

    func assertSnapshot(_ grid: Grid, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        // Every row fits the terminal, measured in columns.
        for y in 0..<grid.height {
            XCTAssertLessThanOrEqual(DisplayWidth.of(grid.line(y)), grid.width, "row \(y) of \(name) is too wide", file: file, line: line)
        }
        Golden.assert(grid.text + "\n", named: name + ".txt", dir: Self.snapshotsDir, file: file, line: line)
    }

    func testMidUpgradeAt80x24() throws {
        let grid = render(SnapshotFixtures.midUpgrade(), width: 80, height: 24)
        try assertSnapshot(grid, named: "mid-upgrade-80x24")
        let text = grid.text
        XCTAssertTrue(text.contains("RESTART PENDING"))
        XCTAssertTrue(text.contains("server-2") && text.contains("applying"))
        XCTAssertTrue(text.contains("rke2-coredns.yaml") && text.contains("out-of-sync"))
    }

    func testMidUpgradeAt120x40() throws {
        try assertSnapshot(render(SnapshotFixtures.midUpgrade(), width: 120, height: 40), named: "mid-upgrade-120x40")
    }

    func testMidUpgradeAt200x50() throws {
        let grid = render(SnapshotFixtures.midUpgrade(), width: 200, height: 50)
        try assertSnapshot(grid, named: "mid-upgrade-200x50")
        XCTAssertTrue(grid.text.contains("server-plan still applying on server-2"), "the gate's reason is visible when wide")
    }

    func testManyNodesAt200x50PutTheBottomPanesSideBySide() throws {
        let workers = (0..<40).map { ObjectFactory.node(String(format: "worker-%02d", $0), version: "v1.31.6+rke2r1", server: false) }
        let snapshot = SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: workers))
        let grid = render(snapshot, width: 200, height: 50)
        try assertSnapshot(grid, named: "many-nodes-200x50")
        let layout = ScreenLayout.compute(width: 200, height: 50, focus: .nodes, model: ScreenModel.make(snapshot, ViewState(readOnly: false), theme: .unicodeColor))
        XCTAssertEqual(layout.panes[.manifests]?.y, layout.panes[.plans]?.y, "side by side")
        XCTAssertEqual(layout.panes[.plans]?.height, 7, "the plans pane shows all its rows")
        XCTAssertEqual(layout.panes[.nodes]!.height + 7, 45, "the nodes take every other row")
        XCTAssertTrue(grid.text.contains("server-plan still applying on server-2"))
    }

    func testPanesShrinkToTheirContentAndSpareRowsGoWhereRowsDoNotFit() {
        let model = ScreenModel.make(SnapshotFixtures.midUpgrade(), ViewState(readOnly: false), theme: .unicodeColor)
        for (width, height) in [(120, 40), (200, 50), (80, 40)] {
            let layout = ScreenLayout.compute(width: width, height: height, focus: .nodes, model: model)
            for pane in PaneID.allCases {
                XCTAssertEqual(layout.visibleRows(pane), model.table(pane).rows.count, "\(pane) at \(width)x\(height): as tall as its rows")
                XCTAssertEqual(layout.panes[pane]?.width, width, "full width when everything fits")
            }
        }
        // 80x24: not enough rows; every pane keeps two rows, and no row is left unused.
        let small = ScreenLayout.compute(width: 80, height: 24, focus: .manifests, model: model)
        XCTAssertEqual(PaneID.allCases.reduce(0) { $0 + small.panes[$1]!.height }, 19)
        XCTAssertGreaterThanOrEqual(small.visibleRows(.manifests), model.table(.manifests).rows.count, "the focused pane grows first")
    }

    func testTooSmall() throws {
        let grid = render(SnapshotFixtures.midUpgrade(), width: 50, height: 12)
        try assertSnapshot(grid, named: "too-small-50x12")
        XCTAssertTrue(grid.text.contains("terminal too small (50x12)"))
    }

    func testWideCharactersAndVeryLongNames() throws {
        let long = ObjectFactory.node("worker-" + String(repeating: "very-long-", count: 8) + "name", version: "v1.31.6+rke2r1", server: false)
        let cjk = ObjectFactory.node("节点-東京-🚀-01", version: "v1.31.6+rke2r1", server: false)
        var manifests = SnapshotFixtures.standardManifests()
        manifests.append(SnapshotFixtures.manifest("custom/アプリ設定-ünïcødé.yaml", state: .active))
        manifests.append(SnapshotFixtures.manifest("custom/" + String(repeating: "deeply-nested-", count: 6) + "app.yaml", state: .active))
        let snapshot = SnapshotFixtures.midUpgrade(manifests: manifests, cache: SnapshotFixtures.midUpgradeCache(extraNodes: [long, cjk]))
        for (width, height) in [(80, 24), (120, 40)] {
            // The CJK node sorts last: selecting it scrolls it into view.
            let grid = render(snapshot, width: width, height: height) { state, _ in state[.nodes].selectedID = "节点-東京-🚀-01" }
            try assertSnapshot(grid, named: "wide-and-long-\(width)x\(height)")
            XCTAssertTrue(grid.text.contains("节点-東京-🚀-01"), "wide characters are drawn whole")
            XCTAssertTrue(grid.text.contains("worker-very-long"), "long names are cut, not dropped")
        }
    }

    func testASCIIAndNoColorAt80x24() throws {
        let grid = render(SnapshotFixtures.midUpgrade(), width: 80, height: 24, theme: .plain)
        try assertSnapshot(grid, named: "mid-upgrade-ascii-80x24")
        for y in 0..<grid.height {
            XCTAssertTrue(grid.line(y).unicodeScalars.allSatisfy { $0.isASCII }, "row \(y) is ASCII: \(grid.line(y))")
        }
    }

    func testReadOnlyBadgeAndFooterWithoutMutatingKeys() throws {
        let grid = render(SnapshotFixtures.midUpgrade(), width: 80, height: 24, readOnly: true) { state, _ in state.focus = .manifests }
        try assertSnapshot(grid, named: "read-only-80x24")
        XCTAssertTrue(grid.line(0).contains("READ-ONLY"))
        XCTAssertFalse(grid.line(23).lowercased().contains("skip"), grid.line(23))
    }

    func testUnreachableShowsCountdownAndKeepsLocal() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let grid = render(SnapshotFixtures.unreachable(retryIn: 3, now: now), width: 80, height: 24)
        try assertSnapshot(grid, named: "unreachable-80x24")
        XCTAssertTrue(grid.line(0).contains("API unreachable, retry in 3s"), grid.line(0))
        XCTAssertTrue(grid.text.contains("rke2-canal.yaml"), "local manifests stay visible")
    }

    func testLastKnownClusterStaysWhileTheAPIIsAway() throws {
        var cache = SnapshotFixtures.midUpgradeCache()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        cache.health["nodes"] = .unreachable("https://127.0.0.1:6443: connection refused", retryAt: now.addingTimeInterval(4))
        let snapshot = SnapshotFixtures.midUpgrade(cache: cache)
        let grid = render(snapshot, width: 80, height: 24)
        XCTAssertTrue(grid.line(0).contains("API unreachable, retry in 4s"), grid.line(0))
        XCTAssertTrue(grid.text.contains("server-2") && grid.text.contains("applying"), "the last known nodes stay on screen")
        XCTAssertTrue(grid.text.contains("last known, API not answering"), grid.text)
    }

    func testOverlays() throws {
        let snapshot = SnapshotFixtures.midUpgrade()
        let help = render(snapshot, width: 80, height: 24) { state, _ in state.overlay = .help(scroll: 0) }
        try assertSnapshot(help, named: "help-80x24")
        let readOnlyHelp = render(snapshot, width: 80, height: 40, readOnly: true) { state, _ in state.overlay = .help(scroll: 0) }
        XCTAssertFalse(readOnlyHelp.text.contains("skip /"), "the read-only help lists no mutating key")
        let confirm = render(snapshot, width: 80, height: 24) { state, screen in
            state.focus = .manifests
            state[.manifests].selectedID = "rke2-canal.yaml"
            Reducer.normalize(&state, screen: screen)
            _ = Reducer.apply(&state, .toggleSkip, screen: screen)
        }
        try assertSnapshot(confirm, named: "confirm-skip-80x24")
        XCTAssertTrue(confirm.text.contains("server-2, server-3"), "the other control-plane nodes are named")
        let details = render(snapshot, width: 80, height: 24) { state, screen in
            state[.nodes].selectedID = "server-2"
            Reducer.normalize(&state, screen: screen)
            _ = Reducer.apply(&state, .details, screen: screen)
        }
        try assertSnapshot(details, named: "node-details-80x24")
        XCTAssertTrue(details.text.contains("plan.upgrade.cattle.io") || details.text.contains("node-role.kubernetes.io/control-plane"))
    }

    func testControlCharactersFromTheClusterNeverReachTheGrid() {
        var node = ObjectFactory.node("evil\u{1b}[31m-node\u{07}", version: "v1.31.6+rke2r1")
        node.status?.conditions = [KCondition(type: "Ready", status: "False", reason: "x", message: "bad\u{1b}]0;title\u{07}\r\nmore")]
        let snapshot = SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: [node]))
        let grid = render(snapshot, width: 120, height: 40)
        for cell in grid.cells {
            XCTAssertFalse(cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }, "a control character reached the grid")
        }
    }

    func testNoSnapshotYet() {
        let grid = render(nil, width: 80, height: 24)
        XCTAssertTrue(grid.text.contains("reading this node"))
    }
}

/// Saying what is true: the Plan's spec and the controller's target both, and stale data marked.
final class TruthOnScreenTests: XCTestCase {
    func testAPlanWrittenAheadOfTheControllerShowsBoth() throws {
        typealias F = ObjectFactory
        var cache = SnapshotFixtures.midUpgradeCache()
        // The spec now says v1.33.1; SUC has not reconciled: its status still says v1.32.2 (munged).
        var server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        server.spec?.version = "v1.33.1+rke2r1"
        cache.apply(.replace([server, F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"))]), to: \.plans, kind: .plans)
        let snapshot = SnapshotFixtures.midUpgrade(cache: cache)
        let plan = try XCTUnwrap(snapshot.cluster.plan(named: "server-plan"))
        XCTAssertEqual(plan.target, "v1.33.1+rke2r1", "the spec is the target")
        XCTAssertEqual(plan.controllerVersion, "v1.32.2+rke2r1", "one spelling: + as rke2 prints it")
        XCTAssertEqual(plan.controllerLagText, "v1.33.1+rke2r1 written, controller still at v1.32.2+rke2r1")
        let grid = RenderTests.render(snapshot, width: 200, height: 50)
        XCTAssertTrue(grid.line(0).contains("v1.33.1+rke2r1 (controller still at v1.32.2+rke2r1)"), grid.line(0))
        XCTAssertTrue(grid.text.contains("v1.33.1+rke2r1 written, controller still at"), grid.text)
        XCTAssertFalse(grid.text.contains("-rke2r1"), "never the munged spelling on screen")
        let text = StatusText.plansTable(snapshot.cluster)
        XCTAssertTrue(text.contains("v1.33.1+rke2r1 (controller still at v1.32.2+rke2r1)"), text)
    }

    func testStaleDataIsMarkedInTheHeaderAndTheNodesPane() throws {
        var cache = SnapshotFixtures.midUpgradeCache()
        cache.health["nodes"] = .unreachable("https://127.0.0.1:6443: connection refused", retryAt: nil)
        let snapshot = SnapshotFixtures.midUpgrade(cache: cache)
        XCTAssertTrue(snapshot.cluster.isStale)
        let grid = RenderTests.render(snapshot, width: 80, height: 24)
        XCTAssertTrue(grid.line(0).contains("last known"), grid.line(0))
        let nodesTitle = try XCTUnwrap((0..<grid.height).map(grid.line).first { $0.contains("Nodes (") })
        XCTAssertTrue(nodesTitle.contains("last known"), nodesTitle)
    }
}
