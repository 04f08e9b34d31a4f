import Foundation
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// The dashboard as one value: every change is an event, and the state stays consistent with the screen.
final class DashboardTests: XCTestCase {
    typealias Harness = ReducerTests.Harness

    func longReview(lines count: Int) -> Review {
        let prepared = RollbackPreparation(backup: BinaryInstaller.Backup(path: "/var/lib/rancher/rke2/backups/rke2-v1.31.6", name: "rke2-v1.31.6",
                                                                          version: RKE2Version("v1.31.6+rke2r1"), tag: nil),
                                           backupSha: "abc", installedPath: "/usr/local/bin/rke2", installedVersion: RKE2Version("v1.32.2+rke2r1"),
                                           installedSha: "def", alreadyInstalled: false, running: true)
        // Long lines wrap in the box: the scroll limit counts wrapped lines, not these.
        let lines = (1...count).map { "line \($0) " + String(repeating: "word ", count: 20) }
        return Review(kind: .rollback(prepared), title: "Roll back", lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: false)
    }

    func testAReviewScrollsNoFurtherThanItsLastWrappedLine() {
        var h = Harness()
        h.send(.reviewReady(longReview(lines: 30)))
        guard let box = h.dashboard.screen.overlay else { return XCTFail("no box") }
        XCTAssertGreaterThan(box.lines.count, 30, "wrapped at 80 columns")
        for _ in 0..<50 { h.press(.pageDown) }
        XCTAssertEqual(h.state.overlay?.scroll, box.maxScroll, "clamped, not grown without bound")
        h.press(.up)
        XCTAssertEqual(h.state.overlay?.scroll, box.maxScroll - 1, "one key up moves one line at once")
        // A larger terminal shows more of it: the limit follows the box.
        h.width = 200
        h.height = 50
        XCTAssertLessThanOrEqual(h.state.overlay?.scroll ?? -1, h.dashboard.screen.overlay?.maxScroll ?? -2)
    }

    func testHelpAndDetailsEndAndClamp() {
        var h = Harness()
        h.press(.char("?"))
        h.press(.end)
        let maxScroll = h.dashboard.screen.overlay?.maxScroll ?? 0
        XCTAssertGreaterThan(maxScroll, 0)
        XCTAssertEqual(h.state.overlay, .help(scroll: maxScroll))
        h.press(.down, .down)
        XCTAssertEqual(h.state.overlay, .help(scroll: maxScroll))
        XCTAssertTrue(h.render().text.contains("Node plan states"), "the last line is on screen")
    }

    func testHelpListsEveryKeyOfEveryDialog() {
        let help = OverlayBox.helpLines(ViewState(readOnly: false, demo: true), theme: .unicodeColor).joined(separator: "\n")
        for binding in Keymap.all {
            XCTAssertTrue(help.contains(binding.label + " ") && help.contains(binding.help), "help lacks \(binding.label) \(binding.help) (\(binding.context))")
        }
        for context in KeyContext.allCases where context != .panes {
            XCTAssertTrue(help.contains(context.title), context.title)
        }
        XCTAssertFalse(OverlayBox.helpLines(ViewState(readOnly: false), theme: .unicodeColor).joined().contains("demo:"), "no demo key outside the demo")
        let readOnly = OverlayBox.helpLines(ViewState(readOnly: true), theme: .unicodeColor).joined(separator: "\n")
        XCTAssertFalse(readOnly.contains(KeyContext.confirm.title), "read-only: no dialog that changes anything")
        XCTAssertTrue(readOnly.contains(KeyContext.filter.title))
    }

    func testTheReducerSaysWhatRunsAndWhenItEnds() {
        var h = Harness()
        h.press(.char("r"))
        guard case let .confirm(confirmation) = h.state.overlay else { return XCTFail("no restart confirmation") }
        XCTAssertEqual(h.press(.char("y")), [confirmation.effect])
        XCTAssertEqual(h.state.busy, "restarting rke2")
        XCTAssertTrue(h.state.mutationRunning)
        h.send(.progress("waiting for the new rke2 process"))
        XCTAssertTrue(h.render().line(22).hasPrefix("waiting for the new rke2 process"))
        h.send(.operationFinished(Message(text: "restarted", severity: .ok)))
        XCTAssertNil(h.state.busy)
        XCTAssertFalse(h.state.mutationRunning)
        XCTAssertTrue(h.render().line(22).hasPrefix("restarted"))
    }

    func testResizeAndSnapshotsAreEvents() {
        var h = Harness()
        XCTAssertEqual(h.render().width, 80)
        h.send(.resize(width: 120, height: 40))
        XCTAssertEqual(h.render().width, 120)
        XCTAssertEqual(h.layout.height, 40)
        let before = h.model.table(.nodes).rows.count
        h.snapshot = SnapshotFixtures.midUpgrade(cache: SnapshotFixtures.midUpgradeCache(extraNodes: [ObjectFactory.node("agent-9", version: "v1.31.6+rke2r1", server: false)]))
        XCTAssertEqual(h.model.table(.nodes).rows.count, before + 1, "a snapshot event recomputes the tables")
    }

    func testTheCountdownIsTheOnlyReasonForTicks() {
        var h = Harness()
        XCTAssertFalse(h.dashboard.wantsTicks, "nothing on screen depends on the clock")
        var snapshot = SnapshotFixtures.midUpgrade()
        snapshot.cluster.api = .unreachable
        snapshot.cluster.retryAt = snapshot.takenAt.addingTimeInterval(10)
        h.snapshot = snapshot
        XCTAssertTrue(h.dashboard.wantsTicks)
        let before = h.render().line(0)
        h.send(.tick(snapshot.takenAt.addingTimeInterval(3)))
        XCTAssertNotEqual(h.render().line(0), before, "the countdown moved: \(before)")
    }

    func testTheDemoSaysSoAtEverySizeAndHasItsOwnKey() {
        for (width, height) in [(60, 15), (80, 24), (200, 50)] {
            let dashboard = Dashboard(state: ViewState(readOnly: false, demo: true), theme: .unicodeColor, width: width, height: height,
                                      snapshot: SnapshotFixtures.midUpgrade(), now: SnapshotFixtures.midUpgrade().takenAt)
            XCTAssertTrue(dashboard.render().line(0).hasSuffix("DEMO"), "\(width)x\(height): \(dashboard.render().line(0))")
        }
        XCTAssertFalse(Harness().render().line(0).contains("DEMO"))
        XCTAssertEqual(Keymap.action(for: .char("x"), focus: .nodes, in: Keymap.table(readOnly: false, demo: true)), .injectFailure)
        XCTAssertNil(Keymap.action(for: .char("x"), focus: .nodes, in: Keymap.table(readOnly: false)), "never on a real cluster")
        XCTAssertNil(Keymap.action(for: .char("x"), focus: .nodes, in: Keymap.table(readOnly: true, demo: true)), "nor in --watch")
        var demo = Harness()
        demo.dashboard = Dashboard(state: ViewState(readOnly: false, demo: true), theme: .unicodeColor, width: 80, height: 24,
                                   snapshot: SnapshotFixtures.midUpgrade())
        XCTAssertEqual(demo.press(.char("x")), [.injectFailure])
    }

    func testThePickerListsSwitchesAndRefusesWhileAnOperationRuns() {
        var h = Harness()
        XCTAssertEqual(h.press(.char("c")), [.listContexts])
        let picker = ContextPicker(kubeconfig: "/etc/rancher/rke2/rke2.yaml", names: ["default", "staging"], current: "default", selected: 0)
        h.send(.contextsListed(picker))
        XCTAssertTrue(h.render().text.contains("staging"))
        XCTAssertTrue(h.render().text.contains("default  (shown now)"))
        XCTAssertEqual(h.press(.enter), [], "the context shown: nothing to do")
        h.send(.contextsListed(picker))
        XCTAssertEqual(h.press(.down, .enter), [.switchContext("staging")])
        XCTAssertEqual(h.state.busy, "switching to context staging")
        h.send(.operationFinished(Message(text: "showing context staging", severity: .ok)))
        h.state.mutationRunning = true
        h.send(.contextsListed(picker))
        XCTAssertEqual(h.press(.down, .enter), [])
        XCTAssertTrue(h.state.message?.text.contains("an operation is running") == true)
        h.send(.contextsUnavailable("no kubeconfig: there is no other context to show"))
        XCTAssertEqual(h.state.message?.text, "no kubeconfig: there is no other context to show")
        // Read-only: looking at another cluster changes nothing, so --watch has the key too.
        var watch = Harness(readOnly: true)
        XCTAssertEqual(watch.press(.char("c")), [.listContexts])
    }

    func testTheJournalFollowsRefreshesAndFiltersErrors() {
        var h = Harness()
        let t0 = SnapshotFixtures.midUpgrade().takenAt
        XCTAssertEqual(h.press(.char("L")), [.readJournal(unit: "rke2-server", errorsOnly: false)])
        XCTAssertTrue(h.dashboard.wantsTicks, "an open journal is read again")
        XCTAssertTrue(h.render().text.contains("journalctl -u rke2-server"))
        let lines = (1...60).map { "2026-11-29T10:00:\(String(format: "%02d", $0)) server-1 rke2[4242]: line \($0)" }
        h.send(.journalRead(.lines(lines), at: t0))
        XCTAssertTrue(h.render().text.contains("line 60"), "follows the newest line")
        XCTAssertEqual(h.send(.tick(t0.addingTimeInterval(1))), [], "not yet")
        XCTAssertEqual(h.send(.tick(t0.addingTimeInterval(2.5))), [.readJournal(unit: "rke2-server", errorsOnly: false)])
        h.press(.up, .up)
        h.send(.journalRead(.lines(lines + ["2026-11-29T10:01:01 server-1 rke2[4242]: line 61"]), at: t0.addingTimeInterval(3)))
        XCTAssertFalse(h.render().text.contains("line 61"), "scrolled up: the view stays where the operator put it")
        h.press(.end)
        XCTAssertTrue(h.render().text.contains("line 61"), "End follows again")
        XCTAssertEqual(h.press(.char("e")), [.readJournal(unit: "rke2-server", errorsOnly: true)])
        XCTAssertTrue(h.render().text.contains("journalctl -u rke2-server -p err"))
        h.send(.journalRead(.unavailable("no journald on this node: journalctl is not installed"), at: t0.addingTimeInterval(4)))
        XCTAssertTrue(h.render().text.contains("no journald on this node"))
        h.press(.escape)
        XCTAssertNil(h.state.overlay)
        XCTAssertFalse(h.dashboard.wantsTicks)
        // An agent's unit.
        var agent = Harness(snapshot: SnapshotFixtures.midUpgrade(local: SnapshotFixtures.localNode(hostname: "agent-1", role: .agent)))
        XCTAssertEqual(agent.press(.char("L")), [.readJournal(unit: "rke2-agent", errorsOnly: false)])
    }

    func testTheSnapshotKeyReviewsThenSavesAndAgentsRefuse() {
        var h = Harness()
        XCTAssertEqual(h.press(.char("S")), [.prepareSnapshot(target: RKE2Version("v1.32.2+rke2r1"))], "named after the plans' target")
        XCTAssertEqual(h.state.busy, "checking this server for an etcd snapshot")
        let process = RKE2Process(pid: 4242, role: .server, arguments: ["server"], argv0: "/usr/local/bin/rke2", exe: "/usr/local/bin/rke2",
                                  exeDeleted: false, children: [])
        let prepared = SnapshotPreparation(name: "pre-upgrade-v1.32.2-rke2r1", process: process, version: RKE2Version("v1.31.6+rke2r1"),
                                           dataDir: "/var/lib/rancher/rke2", snapshotsDir: "/var/lib/rancher/rke2/server/db/snapshots",
                                           arguments: ["etcd-snapshot", "save", "--name", "pre-upgrade-v1.32.2-rke2r1"])
        h.send(.reviewReady(ReviewText.snapshot(prepared)))
        XCTAssertTrue(h.render().text.contains("rke2 etcd-snapshot save --name pre-upgrade-v1.32.2-rke2r1"))
        XCTAssertEqual(h.press(.char("y")), [.takeSnapshot(prepared)])
        XCTAssertTrue(h.state.mutationRunning, "audited and locked like every mutation: quitting asks first")
        var agent = Harness(snapshot: SnapshotFixtures.midUpgrade(local: SnapshotFixtures.localNode(hostname: "agent-1", role: .agent)))
        XCTAssertEqual(agent.press(.char("S")), [])
        XCTAssertTrue(agent.state.message?.text.contains("agent") == true, agent.state.message?.text ?? "")
        var watch = Harness(readOnly: true)
        XCTAssertEqual(watch.press(.char("S")), [], "not in --watch")
    }

    func testTheHeaderSaysWhenSomeoneElseOwnsUpgrades() {
        var snapshot = SnapshotFixtures.midUpgrade()
        snapshot.cluster.ownership = UpgradeOwnership(signals: [.init(kind: .rancherAgent, objects: ["deployment/cattle-system/cattle-cluster-agent"],
                                                                      message: "Rancher's cluster agent runs: upgrades go through Rancher")])
        var h = Harness()
        h.snapshot = snapshot
        XCTAssertTrue(h.render().line(0).contains("UPGRADES MANAGED ELSEWHERE"), h.render().line(0))
    }

    func testTheRunbookKeyShowsTheDocumentForThePlansTarget() {
        var h = Harness()
        XCTAssertEqual(h.press(.char("b")), [.prepareRunbook(target: "v1.32.2+rke2r1")])
        h.send(.document(title: "Runbook: upgrade to v1.32.2+rke2r1", lines: ["# Upgrade to v1.32.2+rke2r1", "", "## Checks"]))
        guard case let .details(title, lines, _) = h.state.overlay else { return XCTFail("no document") }
        XCTAssertEqual(title, "Runbook: upgrade to v1.32.2+rke2r1")
        XCTAssertEqual(lines.first, "# Upgrade to v1.32.2+rke2r1")
        XCTAssertNil(h.state.busy)
        var before = Harness()
        var snapshot = SnapshotFixtures.midUpgrade()
        snapshot.cluster.plans = []
        before.snapshot = snapshot
        XCTAssertEqual(before.press(.char("b")), [])
        XCTAssertTrue(before.state.message?.text.contains("plan the upgrade (p)") == true)
    }
}
