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
        XCTAssertEqual(dialog.suggestions, ["v1.32.2+rke2r1", "v1.31.6+rke2r1", "v1.32", "stable"],
                       "the plans' target, the cluster's lowest version, the next minor's channel, stable")
        h.press(.tab)
        XCTAssertEqual(h.press(.enter), [.preparePlan(target: "v1.32.2+rke2r1")])
        XCTAssertNil(h.state.overlay)
        let review = Review(kind: .plan, title: "Plan v1.32.2+rke2r1", lines: ["checks"], scroll: 0, typeToConfirm: "v1.32.2+rke2r1", typed: "", blocked: false)
        _ = Reducer.reduce(&h.state, .reviewReady(review), model: h.model, layout: h.layout)
        XCTAssertEqual(h.press(.enter), [], "not typed yet")
        XCTAssertEqual(h.state.message?.text, "type v1.32.2+rke2r1 exactly to confirm")
        h.type("v1.32.2+rke2r")
        XCTAssertEqual(h.press(.enter), [])
        h.type("1")
        XCTAssertEqual(h.press(.enter), [.applyPlan(target: "v1.32.2+rke2r1")])
    }

    func testABlockedReviewCannotBeConfirmed() {
        var h = Harness()
        let review = Review(kind: .swap(path: "/tmp/rke2"), title: "Swap", lines: [], scroll: 0, typeToConfirm: nil, typed: "", blocked: true)
        _ = Reducer.reduce(&h.state, .reviewReady(review), model: h.model, layout: h.layout)
        XCTAssertEqual(h.press(.char("y")), [])
        XCTAssertTrue(h.state.message?.text.contains("--force REASON") == true)
        var ok = review
        ok.blocked = false
        _ = Reducer.reduce(&h.state, .reviewReady(ok), model: h.model, layout: h.layout)
        XCTAssertEqual(h.press(.char("y")), [.swap(path: "/tmp/rke2")])
    }

    func testSwapDialogCompletesAndChecks() {
        var h = Harness()
        h.press(.char("w"))
        guard case let .input(dialog) = h.state.overlay else { return XCTFail("no swap dialog") }
        XCTAssertEqual(dialog.kind, .swapPath)
        h.type("opt/rk")
        XCTAssertEqual(h.press(.tab), [.completePath("/opt/rk")])
        _ = Reducer.reduce(&h.state, .completion(.init(text: "/opt/rke2/", candidates: [])), model: h.model, layout: h.layout)
        h.type("rke2.linux-amd64")
        XCTAssertEqual(h.press(.enter), [.prepareSwap(path: "/opt/rke2/rke2.linux-amd64")])
    }

    func testRestartAndRollbackAskFirst() {
        var h = Harness()
        h.press(.char("r"))
        guard case let .confirm(restart) = h.state.overlay else { return XCTFail("no restart confirmation") }
        XCTAssertTrue(restart.lines.contains("running v1.31.6+rke2r1 → installed v1.32.2+rke2r1"), "\(restart.lines)")
        XCTAssertEqual(h.press(.char("y")), [.restart])
        h.press(.char("R"))
        XCTAssertEqual(h.press(.char("y")), [.rollback])
        h.press(.char("R"))
        XCTAssertEqual(h.press(.escape), [])
        XCTAssertNil(h.state.overlay)
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
