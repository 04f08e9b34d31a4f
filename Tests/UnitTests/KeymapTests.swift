import Testing
@testable import UpgradeTUI

/// The binding table is the single source of dispatch, footer and help: every binding must be reachable
/// where it applies, no key may mean two things in one pane, the footer only shows what dispatch does.
@Suite struct KeymapTests {
    static let contexts: [(readOnly: Bool, pane: PaneID)] = [false, true].flatMap { readOnly in PaneID.allCases.map { (readOnly, $0) } }

    static func inScope(_ binding: Binding, _ pane: PaneID) -> Bool { binding.pane == nil || binding.pane == pane }

    @Test(arguments: contexts)
    func noKeyIsBoundTwiceInAPane(_ readOnly: Bool, _ pane: PaneID) {
        let keys = Keymap.table(readOnly: readOnly).filter { Self.inScope($0, pane) }.flatMap(\.keys)
        let duplicates = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(duplicates.isEmpty, "bound twice in \(pane): \(Array(duplicates))")
    }

    @Test(arguments: contexts)
    func everyBindingIsReachableWhereItApplies(_ readOnly: Bool, _ pane: PaneID) {
        let table = Keymap.table(readOnly: readOnly)
        for binding in table where Self.inScope(binding, pane) {
            #expect(!binding.keys.isEmpty, "\(binding.label) has no key")
            for key in binding.keys {
                #expect(Keymap.action(for: key, focus: pane, in: table) == binding.action, "\(key) in \(pane) does not reach \(binding.label)")
            }
        }
    }

    @Test(arguments: contexts)
    func theFooterShowsOnlyReachableBindingsAndAlwaysHelpAndQuit(_ readOnly: Bool, _ pane: PaneID) {
        let table = Keymap.table(readOnly: readOnly)
        let footer = Keymap.footer(focus: pane, in: table)
        let expected = table.filter { $0.footer && Self.inScope($0, pane) }
        #expect(footer.map(\.1) == expected.map(\.footerText))
        #expect(footer.map(\.0) == expected.map(Keymap.shortLabel))
        #expect(Set(footer.map(\.1)).count == footer.count, "a footer hint is shown twice in \(pane)")
        #expect(footer.contains { $0.1 == "help" } && footer.contains { $0.1 == "quit" })
        #expect(Keymap.action(for: .char("?"), focus: pane, in: table) == .help)
        #expect(Keymap.action(for: .char("q"), focus: pane, in: table) == .quit)
    }

    /// The help screen lists every binding of the table in force by its label and help text.
    @Test(arguments: [false, true])
    func helpEntriesAreCompleteAndDistinct(_ readOnly: Bool) {
        let table = Keymap.table(readOnly: readOnly)
        #expect(table.allSatisfy { !$0.label.isEmpty && !$0.help.isEmpty })
        #expect(Set(table.map(\.label)).count == table.count, "two bindings share a label")
        #expect(Set(table.map(\.help)).count == table.count, "two bindings share a help text")
        let actions = table.map(\.action)
        #expect(actions.count == Set(actions.map { "\($0)" }).count, "an action is bound by two lines of the table")
    }

    @Test func readOnlyHasNoMutatingBindingAndDropsExactlyTheMutatingOnes() {
        let readOnly = Keymap.table(readOnly: true)
        #expect(readOnly.allSatisfy { !$0.mutating })
        #expect(Keymap.table(readOnly: false).count == Keymap.all.count)
        let dropped = Keymap.all.filter(\.mutating).map { "\($0.action)" }
        #expect(Set(dropped) == ["toggleSkip", "plan", "swap", "restart", "rollback"])
        #expect(readOnly.count + dropped.count == Keymap.all.count)
        for pane in PaneID.allCases {
            for key in Keymap.all.filter(\.mutating).flatMap(\.keys) {
                #expect(Keymap.action(for: key, focus: pane, in: readOnly) == nil, "\(key) does something in --watch (\(pane))")
            }
        }
    }

    @Test(arguments: [
        (Key.char(" "), PaneID.manifests, Action?.some(.toggleSkip)), (.char(" "), .nodes, nil), (.char("s"), .plans, nil),
        (.char("o"), .nodes, .sort), (.char("o"), .manifests, nil), (.char("x"), .nodes, nil),
        (.ctrl("c"), .plans, .quit), (.ctrl("f"), .nodes, .pageDown), (.char("G"), .manifests, .bottom), (.char("R"), .nodes, .rollback),
    ])
    func paneScopedDispatch(_ key: Key, _ pane: PaneID, _ action: Action?) {
        #expect(Keymap.action(for: key, focus: pane, in: Keymap.all) == action)
    }
}
