import Testing
@testable import UpgradeModel

/// `ProcessScope`: which processes a scan looks at (the tests' own tree; everything on a node).
@Suite struct ProcessScopeTests {
    /// pid → parent: 1 ← 100 (the test run) ← 200 ← 300; 1 ← 400 (someone else's rke2); a cycle 500 ↔ 600.
    static let parents: [Int32: Int32] = [100: 1, 200: 100, 300: 200, 400: 1, 500: 600, 600: 500]

    @Test(arguments: [(Int32(100), true), (200, true), (300, true), (400, false), (1, false), (999, false), (500, false)])
    func descendants(_ pid: Int32, _ inScope: Bool) {
        #expect(ProcessScope.descendants(of: 100).contains(pid, parents: Self.parents) == inScope)
        #expect(ProcessScope.all.contains(pid, parents: Self.parents))
    }

    @Test(arguments: [
        ([:], ProcessScope.all), (["UPGRADE_TUI_PROCESS_TREE": "4242"], .descendants(of: 4242)),
        (["UPGRADE_TUI_PROCESS_TREE": ""], .all), (["UPGRADE_TUI_PROCESS_TREE": "0"], .all), (["UPGRADE_TUI_PROCESS_TREE": "-3"], .all),
        (["UPGRADE_TUI_PROCESS_TREE": "x"], .all),
    ] as [([String: String], ProcessScope)])
    func fromTheEnvironment(_ environment: [String: String], _ scope: ProcessScope) {
        #expect(ProcessScope.from(environment: environment) == scope)
    }
}
