import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

final class WorkflowReducerTests: XCTestCase {
    typealias Harness = ReducerTests.Harness

    func testPlanDialogSuggestsAndNeedsTheTypedTarget() {
        var h = Harness()
        h.press(.char("p"))
        guard case let .input(dialog) = h.state.overlay else { return XCTFail("no plan dialog") }
        XCTAssertEqual(dialog.kind, .planTarget)
        XCTAssertEqual(dialog.suggestions, ["v1.32.2+rke2r1", "stable"],
                       "the plans' target, stable; not v1.31.6 (a downgrade of server-1) nor v1.33 (a minor skip for the v1.31 nodes)")
        h.press(.tab)
        XCTAssertEqual(h.press(.enter), [.preparePlan(target: "v1.32.2+rke2r1")])
        XCTAssertNil(h.state.overlay)
        let prepared = PlanOperation.Prepared(target: .version(RKE2Version("v1.32.2+rke2r1")!), resolved: RKE2Version("v1.32.2+rke2r1"),
                                              plans: [], existing: [], checks: [], cluster: h.model.snapshot!.cluster)
        let review = Review(kind: .plan(prepared), title: "Plan v1.32.2+rke2r1", lines: ["checks"], scroll: 0, typeToConfirm: "v1.32.2+rke2r1", typed: "", blocked: false)
        h.send(.reviewReady(review))
        XCTAssertEqual(h.press(.enter), [], "not typed yet")
        XCTAssertEqual(h.state.message?.text, "type v1.32.2+rke2r1 exactly to confirm")
        h.type("v1.32.2+rke2r")
        XCTAssertEqual(h.press(.enter), [])
        h.type("1")
        XCTAssertEqual(h.press(.enter), [.applyPlan(prepared)], "the reviewed plans are what is applied")
    }

    func testABlockedReviewCannotBeConfirmed() {
        var h = Harness()
        let prepared = SwapPreparation(source: "/tmp/rke2", staged: "/usr/local/bin/.upgrade-tui-staging.1.abc/rke2", target: "/usr/local/bin/rke2",
                                       newVersion: nil, newSha: "abc", currentVersion: nil, currentSha: nil, checks: [])
        let review = Review(kind: .swap(prepared), title: "Swap", lines: [], scroll: 0, typeToConfirm: nil, typed: "", blocked: true)
        h.send(.reviewReady(review))
        XCTAssertEqual(h.press(.char("y")), [])
        XCTAssertTrue(h.state.message?.text.contains("--force REASON") == true)
        var ok = review
        ok.blocked = false
        h.send(.reviewReady(ok))
        XCTAssertEqual(h.press(.char("y")), [.swap(prepared)], "the reviewed bytes (sha256) are what is installed")
    }

    func testSwapDialogCompletesAndChecks() {
        var h = Harness()
        h.press(.char("w"))
        guard case let .input(dialog) = h.state.overlay else { return XCTFail("no swap dialog") }
        XCTAssertEqual(dialog.kind, .swapPath)
        XCTAssertEqual(dialog.text, "", "starts empty: a pasted absolute path is taken as it is")
        XCTAssertEqual(h.press(.tab), [.completePath("/")])
        h.type("/opt/rk")
        XCTAssertEqual(h.press(.tab), [.completePath("/opt/rk")])
        h.send(.completion(.init(text: "/opt/rke2/", candidates: [])))
        h.type("rke2.linux-amd64")
        XCTAssertEqual(h.press(.enter), [.prepareSwap(path: "/opt/rke2/rke2.linux-amd64")])
        // A bad path keeps the dialog open, with the reason inside it.
        h.send(.inputRejected("/opt/rke2/rke2.linux-amd64 does not exist"))
        guard case let .input(rejected) = h.state.overlay else { return XCTFail("the dialog closed") }
        XCTAssertEqual(rejected.error, "/opt/rke2/rke2.linux-amd64 does not exist")
        let screen = h.render().text
        XCTAssertTrue(screen.contains("does not exist"), screen)
        XCTAssertFalse(screen.contains("--binary"), "the dialog's words, not a CLI flag's")
    }

    func testRestartAndRollbackAskFirst() {
        var h = Harness()
        h.press(.char("r"))
        guard case let .confirm(restart) = h.state.overlay else { return XCTFail("no restart confirmation") }
        XCTAssertTrue(restart.lines.contains("running v1.31.6+rke2r1 → installed v1.32.2+rke2r1"), "\(restart.lines)")
        let running = h.model.snapshot!.local.running!.process
        XCTAssertEqual(h.press(.char("y")), [.restart(running.identity)], "the process on screen, pinned by its start time")
        XCTAssertEqual(h.press(.char("R")), [.prepareRollback], "rollback is prepared first, then reviewed")
        let backup = BinaryInstaller.Backup(path: "/b/rke2-x", name: "rke2-x", version: RKE2Version("v1.31.6+rke2r1"), tag: nil)
        let prepared = RollbackPreparation(backup: backup, backupSha: "abc", installedPath: "/usr/local/bin/rke2",
                                           installedVersion: RKE2Version("v1.32.2+rke2r1"), installedSha: "def", alreadyInstalled: false, running: true)
        h.send(.reviewReady(ReviewText.rollback(prepared)))
        guard case let .review(review) = h.state.overlay else { return XCTFail("no rollback review") }
        XCTAssertTrue(review.lines.contains("/usr/local/bin/rke2: v1.32.2+rke2r1 → v1.31.6+rke2r1"), "\(review.lines)")
        XCTAssertTrue(review.lines.contains { $0.contains("etcd snapshot") }, "a minor rollback names the snapshot before confirming")
        XCTAssertEqual(h.press(.char("y")), [.rollback(prepared)])
        h.send(.reviewReady(ReviewText.rollback(prepared)))
        XCTAssertEqual(h.press(.escape), [])
        XCTAssertNil(h.state.overlay)
    }

    func testQuittingDuringAnOperationAsksAndThenInterrupts() {
        var h = Harness()
        h.state.mutationRunning = true
        h.state.busy = "swapping the binary"
        XCTAssertEqual(h.press(.char("q")), [], "does not quit while a swap runs")
        guard case let .confirm(question) = h.state.overlay else { return XCTFail("no question") }
        XCTAssertTrue(question.lines.joined().contains("swapping the binary"))
        XCTAssertEqual(h.press(.char("n")), [])
        XCTAssertNil(h.state.overlay)
        h.press(.char("q"))
        XCTAssertEqual(h.press(.char("y")), [.interruptAndQuit])
        XCTAssertEqual(h.send(.operationFinished(Message(text: "interrupted", severity: .error))), [.quit],
                       "the operation stopped at its safe step: now it quits")
        XCTAssertFalse(h.state.mutationRunning)
    }

    func testAHiddenConfirmationCannotBeAnswered() {
        var h = Harness()
        h.press(.char("r"))
        guard case .confirm = h.state.overlay else { return XCTFail("no restart confirmation") }
        h.width = 50
        h.height = 12
        XCTAssertEqual(h.press(.char("y")), [], "the dialog is not on screen: y does nothing")
        XCTAssertNotNil(h.state.overlay)
        h.width = 80
        h.height = 24
        h.press(.char("w"))
        h.press(.char("n"))
        h.press(.char("r"))
        XCTAssertEqual(h.press(.char("y")).count, 1, "on screen again: answered")
        XCTAssertTrue(h.state.mutationRunning, "the reducer knows the restart runs")
        h.send(.operationFinished(Message(text: "restarted", severity: .ok)))
        h.press(.char("w"))
        h.width = 50
        h.height = 12
        h.type("/opt/rke2")
        guard case let .input(dialog) = h.state.overlay else { return XCTFail("no swap dialog") }
        XCTAssertEqual(dialog.text, "", "typed text does not go into a hidden input")
        XCTAssertEqual(h.press(.char("q")), [.quit], "quitting still works")
    }

    func testNotRootIsReadOnlyAndSaysWhy() {
        var h = Harness(readOnlyReason: "not root")
        XCTAssertTrue(h.state.readOnly)
        XCTAssertEqual(h.press(.char("p")), [])
        XCTAssertNil(h.state.overlay)
        let footer = h.render().line(23)
        XCTAssertTrue(footer.trimmingCharacters(in: .whitespaces).hasSuffix("read-only: not root"), footer)
        XCTAssertFalse(footer.contains("plan"), footer)
    }

    func testMessagesClearWhenTheyNoLongerApplyAndCanBeReadWhole() {
        var h = Harness()
        h.press(.char("r"))
        h.press(.char("n"))
        XCTAssertEqual(h.state.message?.text, "cancelled")
        h.press(.char("/"))
        h.type("srv")
        h.press(.enter)
        XCTAssertNil(h.state.message, "no 'cancelled' after a filter")
        let long = "restart failed: no new rke2 process running /usr/local/bin/rke2 within 120 s; is a supervisor (systemd) restarting it? Check `systemctl status rke2-server`"
        h.send(.operationFinished(Message(text: long, severity: .error)))
        let line = h.render().line(22)
        XCTAssertTrue(line.contains("(m: all)"), line)
        h.press(.down)
        XCTAssertEqual(h.state.message?.text, long, "an error stays until replaced or Esc")
        h.press(.char("m"))
        guard case let .details(title, lines, _) = h.state.overlay else { return XCTFail("no message overlay") }
        XCTAssertEqual(title, "Message")
        XCTAssertEqual(lines, [long])
        let screen = h.render().text
        XCTAssertTrue(screen.contains("rke2-server`") && screen.contains("120 s; is a supervisor"), "the whole message, wrapped: \(screen)")
    }

    func testReadOnlyHasNoWorkflowKeys() {
        var h = Harness(readOnly: true)
        for key in ["p", "w", "r", "R"] {
            XCTAssertEqual(h.press(.char(Character(key))), [])
            XCTAssertNil(h.state.overlay, key)
        }
        XCTAssertFalse(Keymap.table(readOnly: true).contains { [.plan, .swap, .restart, .rollback].contains($0.action) })
    }

    func testPathCompletionTable() {
        let tree: [String: [(String, Bool)]] = [
            "/opt/": [("rke2", true), ("rke2-old", false), ("other", false), (".hidden", false)],
            "/opt/rke2/": [("rke2.linux-amd64", false)],
            ".": [("download", true)],
        ]
        let list = { (dir: String) in tree[dir] ?? [] }
        let cases: [(String, String, [String])] = [
            ("/opt/rk", "/opt/rke2", ["rke2/", "rke2-old"]),
            ("/opt/o", "/opt/other", []),
            ("/opt/rke2/", "/opt/rke2/rke2.linux-amd64", []),
            ("/opt/x", "/opt/x", []),
            ("/opt/.h", "/opt/.hidden", []),
            ("do", "download/", []),
        ]
        for (input, text, candidates) in cases {
            let result = PathCompletion.complete(input, list: list)
            XCTAssertEqual(result.text, text, input)
            XCTAssertEqual(result.candidates, candidates, input)
        }
    }
}
