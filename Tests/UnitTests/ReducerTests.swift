import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

final class ReducerTests: XCTestCase {
    /// A `Dashboard` driven by events as the run loop drives it.
    struct Harness {
        var dashboard: Dashboard

        init(readOnly: Bool = false, readOnlyReason: String? = nil, snapshot: DashboardSnapshot = SnapshotFixtures.midUpgrade()) {
            dashboard = Dashboard(state: ViewState(readOnly: readOnly, readOnlyReason: readOnlyReason), theme: .unicodeColor,
                                  width: 80, height: 24, snapshot: snapshot, now: snapshot.takenAt)
        }

        /// Set directly (as a test's precondition), then the screen is recomputed.
        var state: ViewState {
            get { dashboard.state }
            set { dashboard.modify { $0 = newValue } }
        }

        /// A newer snapshot arrives from the store.
        var snapshot: DashboardSnapshot {
            get { dashboard.snapshot! }
            set {
                var next = newValue
                next.sequence = dashboard.snapshot.map { $0.sequence + 1 } ?? 1
                dashboard.handle(.snapshot(next))
            }
        }

        var width: Int {
            get { dashboard.width }
            set { dashboard.handle(.resize(width: newValue, height: dashboard.height)) }
        }

        var height: Int {
            get { dashboard.height }
            set { dashboard.handle(.resize(width: dashboard.width, height: newValue)) }
        }

        var model: ScreenModel { dashboard.screen.model }
        var layout: ScreenLayout { dashboard.screen.layout }

        @discardableResult
        mutating func press(_ keys: Key...) -> [Effect] {
            keys.flatMap { dashboard.handle(.key($0)) }
        }

        @discardableResult
        mutating func send(_ event: Event) -> [Effect] { dashboard.handle(event) }

        mutating func type(_ text: String) {
            for character in text { press(.char(character)) }
        }

        func render() -> Grid { dashboard.render() }

        var selected: String? { state[state.focus].selectedID }
    }

    func testKeymapTable() {
        let table = Keymap.table(readOnly: false)
        let cases: [(Key, PaneID, Action?)] = [
            (.tab, .nodes, .nextPane), (.backTab, .nodes, .previousPane),
            (.char("j"), .nodes, .down), (.down, .plans, .down), (.char("k"), .manifests, .up), (.up, .nodes, .up),
            (.pageDown, .nodes, .pageDown), (.ctrl("f"), .nodes, .pageDown), (.pageUp, .nodes, .pageUp),
            (.home, .nodes, .top), (.char("G"), .nodes, .bottom), (.char("/"), .plans, .filter),
            (.enter, .nodes, .details), (.char("?"), .nodes, .help), (.char("q"), .nodes, .quit), (.ctrl("c"), .manifests, .quit),
            (.ctrl("l"), .nodes, .repaint), (.escape, .nodes, .close),
            (.char(" "), .manifests, .toggleSkip), (.char("s"), .manifests, .toggleSkip),
            (.char(" "), .nodes, nil), (.char("s"), .plans, nil),
            (.char("o"), .nodes, .sort), (.char("o"), .manifests, nil),
            (.char("x"), .nodes, nil),
        ]
        for (key, pane, action) in cases {
            XCTAssertEqual(Keymap.action(for: key, focus: pane, in: table), action, "\(key) in \(pane)")
        }
        // No key is bound twice in the same scope: a pane, or a dialog.
        for pane in PaneID.allCases {
            let keys = table.filter { $0.context == .panes && ($0.pane == nil || $0.pane == pane) }.flatMap(\.keys)
            XCTAssertEqual(keys.count, Set(keys).count, "duplicate key in \(pane)")
        }
        for context in KeyContext.allCases where context != .panes {
            let keys = table.filter { $0.context == context }.flatMap(\.keys)
            XCTAssertFalse(keys.isEmpty, "\(context) has bindings")
            XCTAssertEqual(keys.count, Set(keys).count, "duplicate key in \(context)")
        }
        // In dialogs that take text, no printable key is bound but the typed-confirmation's none: letters are text.
        for context in KeyContext.allCases where context.takesText {
            XCTAssertFalse(table.contains { $0.context == context && $0.keys.contains { if case .char = $0 { return true } else { return false } } },
                           "\(context) binds a printable key")
        }
    }

    func testReadOnlyTableHasNoMutatingAction() {
        let readOnly = Keymap.table(readOnly: true)
        XCTAssertTrue(readOnly.allSatisfy { !$0.mutating })
        XCTAssertFalse(readOnly.contains { $0.action == .toggleSkip })
        XCTAssertTrue(Keymap.all.contains { $0.mutating }, "the full table does have mutating bindings")
        for pane in PaneID.allCases {
            XCTAssertNil(Keymap.action(for: .char(" "), focus: pane, in: readOnly))
            XCTAssertFalse(Keymap.footer(focus: pane, in: readOnly).contains { $0.1.contains("skip") })
        }
        var h = Harness(readOnly: true)
        h.press(.tab)
        XCTAssertEqual(h.press(.char(" "), .char("s"), .char("y")), [])
        XCTAssertNil(h.state.overlay)
    }

    func testFocusCyclesAndMovementSkipsNothing() {
        var h = Harness()
        XCTAssertEqual(h.state.focus, .nodes)
        XCTAssertEqual(h.selected, "agent-1")
        h.press(.down, .down)
        XCTAssertEqual(h.selected, "server-1")
        h.press(.char("G"))
        XCTAssertEqual(h.selected, "server-3")
        h.press(.down)
        XCTAssertEqual(h.selected, "server-3", "clamped at the end")
        h.press(.home)
        XCTAssertEqual(h.selected, "agent-1")
        h.press(.tab)
        XCTAssertEqual(h.state.focus, .manifests)
        h.press(.tab, .tab)
        XCTAssertEqual(h.state.focus, .nodes)
        h.press(.backTab)
        XCTAssertEqual(h.state.focus, .plans)
    }

    func testSelectionFollowsTheObjectAcrossSnapshots() {
        var h = Harness()
        h.press(.down, .down, .down)
        XCTAssertEqual(h.selected, "server-2")
        // A new node appears before it: the selection stays on server-2.
        h.snapshot = SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: [ObjectFactory.node("agent-0", version: "v1.31.6+rke2r1", server: false)]))
        XCTAssertEqual(h.selected, "server-2")
        XCTAssertEqual(h.state[.nodes].selected, 4)
    }

    func testSortCyclesAndStateSortPutsAttentionFirst() {
        var h = Harness(snapshot: SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(failedJob: true)))
        h.press(.char("o"))
        XCTAssertEqual(h.state.sort, .version)
        h.press(.char("o"))
        XCTAssertEqual(h.state.sort, .state)
        XCTAssertEqual(h.model.table(.nodes).rows.first?.id, "server-2", "the failed node first")
        h.press(.char("o"))
        XCTAssertEqual(h.state.sort, .name)
    }

    func testFilterIsCaseInsensitiveAndEscapeRestores() {
        var h = Harness()
        h.press(.char("/"))
        h.type("SERVER-2")
        XCTAssertEqual(h.model.table(.nodes).rows.map(\.id), ["server-2"])
        h.press(.enter)
        XCTAssertNil(h.state.overlay)
        XCTAssertEqual(h.state[.nodes].filter, "SERVER-2")
        h.press(.escape)
        XCTAssertEqual(h.state[.nodes].filter, "", "Esc clears the filter")
        h.press(.char("/"))
        h.type("agent")
        h.press(.backspace, .backspace, .escape)
        XCTAssertEqual(h.state[.nodes].filter, "", "Esc while typing restores the previous filter")
        h.press(.char("/"))
        h.type("zzz")
        XCTAssertEqual(h.model.table(.nodes).rows.count, 0)
        XCTAssertEqual(h.model.table(.nodes).emptyText, "nothing matches /zzz")
    }

    func testDetailsAndHelpOpenAndClose() {
        var h = Harness()
        h.press(.down, .down, .down, .enter)
        guard case let .details(title, lines, _) = h.state.overlay else { return XCTFail("no details") }
        XCTAssertEqual(title, "Node server-2")
        XCTAssertTrue(lines.contains { $0.contains("schedulable     no (cordoned)") })
        XCTAssertTrue(lines.contains { $0.contains("server-plan: applying") })
        h.press(.escape)
        XCTAssertNil(h.state.overlay)
        h.press(.char("?"))
        XCTAssertEqual(h.state.overlay, .help(scroll: 0))
        h.press(.down, .down)
        XCTAssertEqual(h.state.overlay, .help(scroll: 2))
        h.press(.char("q"))
        XCTAssertNil(h.state.overlay, "q closes the overlay, it does not quit")
        XCTAssertEqual(h.press(.char("q")), [.quit])
    }

    func testSkipNeedsConfirmationNamingOtherControlPlaneNodes() {
        var h = Harness()
        h.press(.tab)
        XCTAssertEqual(h.selected, "rke2-canal.yaml")
        XCTAssertEqual(h.press(.char(" ")), [])
        guard case let .confirm(confirmation) = h.state.overlay else { return XCTFail("no confirmation") }
        XCTAssertEqual(confirmation.title, "Skip rke2-canal.yaml?")
        XCTAssertTrue(confirmation.lines.contains("  server-2, server-3"), "\(confirmation.lines)")
        XCTAssertEqual(h.press(.char("n")), [])
        XCTAssertEqual(h.state.message?.text, "cancelled")
        h.press(.char("s"))
        XCTAssertEqual(h.press(.char("y")), [.skip(file: "rke2-canal.yaml")])
        XCTAssertNil(h.state.overlay)
    }

    func testTheUnskipConfirmationNamesServersThatStillApplyTheManifest() {
        var manifests = SnapshotFixtures.standardManifests()
        let index = manifests.firstIndex { $0.file.file == "rke2-snapshot-controller.yaml" }!
        let taken = Date(timeIntervalSince1970: 1_800_000_000)
        manifests[index].appliedElsewhere = [AddonApply(node: "server-2", at: taken.addingTimeInterval(-180), reason: "AppliedManifest", message: nil)]
        var h = Harness(snapshot: SnapshotFixtures.midUpgrade(manifests: manifests))
        h.press(.tab, .char("G"))
        h.press(.char(" "))
        guard case let .confirm(confirmation) = h.state.overlay else { return XCTFail("no confirmation") }
        XCTAssertTrue(confirmation.lines.contains("server-2 applied rke2-snapshot-controller 3 min ago: it has no .skip there"), "\(confirmation.lines)")
    }

    func testUnskipDisabledAndIgnoredRows() {
        var h = Harness()
        h.press(.tab, .char("G"))
        XCTAssertEqual(h.selected, "rke2-snapshot-controller.yaml")
        h.press(.char(" "))
        guard case let .confirm(confirmation) = h.state.overlay else { return XCTFail("no confirmation") }
        XCTAssertEqual(confirmation.effect, .unskip(file: "rke2-snapshot-controller.yaml"))
        h.press(.escape)
        h.press(.home, .down, .down)
        XCTAssertEqual(h.selected, "rke2-ingress-nginx.yaml")
        h.press(.char(" "))
        XCTAssertNil(h.state.overlay, "disabled rows never get a marker")
        XCTAssertEqual(h.state.message?.text, "rke2-ingress-nginx.yaml is disabled by config.yaml: the config controls it, not .skip")
    }

    func testOperationResultReachesTheMessageLine() {
        var h = Harness()
        h.send(.operationFinished(Message(text: "skipped x", severity: .ok)))
        XCTAssertEqual(h.state.message, Message(text: "skipped x", severity: .ok))
    }

    func testLongNamesScrollOnTheSelectedRowOnly() {
        let long = ObjectFactory.node("worker-" + String(repeating: "x", count: 60), version: "v1.31.6+rke2r1", server: false)
        var h = Harness(snapshot: SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: [long])))
        h.press(.end)
        XCTAssertEqual(h.selected, long.metadata.name)
        h.press(.char("l"), .char("l"))
        XCTAssertEqual(h.state[.nodes].nameOffset, 8)
        let grid = h.render()
        XCTAssertTrue(grid.text.contains("xxxxxxxx"), "the selected name shows its middle")
        XCTAssertTrue(grid.text.contains(" server-3 "), "other rows are not scrolled")
        h.press(.char("h"), .char("h"), .char("h"))
        XCTAssertEqual(h.state[.nodes].nameOffset, 0)
        h.press(.char("l"), .up)
        XCTAssertEqual(h.state[.nodes].nameOffset, 0, "moving resets the scroll")
    }

    func testScrollKeepsTheSelectionVisible() {
        var nodes: [KNode] = []
        for index in 0..<40 { nodes.append(ObjectFactory.node(String(format: "worker-%02d", index), version: "v1.31.6+rke2r1", server: false)) }
        var h = Harness(snapshot: SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: nodes)))
        let visible = h.layout.visibleRows(.nodes)
        h.press(.pageDown, .pageDown)
        let pane = h.state[.nodes]
        XCTAssertGreaterThanOrEqual(pane.selected, pane.scroll)
        XCTAssertLessThan(pane.selected, pane.scroll + visible)
        h.press(.end)
        XCTAssertEqual(h.state[.nodes].selected, 44)
        XCTAssertEqual(h.state[.nodes].scroll, 45 - visible)
    }
}
