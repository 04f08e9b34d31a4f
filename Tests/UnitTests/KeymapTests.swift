import Testing
@testable import UpgradeTUI

/// The binding table is the single source of dispatch, footer and help: every binding must be reachable
/// where it applies (its pane, or its kind of dialog), no key may mean two things in one place, the
/// footer only shows what dispatch does.
@Suite struct KeymapTests {
    static let modes: [(readOnly: Bool, demo: Bool)] = [(false, false), (true, false), (false, true), (true, true)]
    static let places: [(readOnly: Bool, demo: Bool, pane: PaneID)] = modes.flatMap { mode in PaneID.allCases.map { (mode.readOnly, mode.demo, $0) } }

    static func inScope(_ binding: Binding, _ context: KeyContext, _ pane: PaneID) -> Bool {
        binding.context == context && (binding.pane == nil || binding.pane == pane)
    }

    @Test(arguments: places)
    func noKeyIsBoundTwiceInOnePlace(_ readOnly: Bool, _ demo: Bool, _ pane: PaneID) {
        for context in KeyContext.allCases {
            let keys = Keymap.table(readOnly: readOnly, demo: demo).filter { Self.inScope($0, context, pane) }.flatMap(\.keys)
            let duplicates = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys
            #expect(duplicates.isEmpty, "bound twice in \(context) (\(pane)): \(Array(duplicates))")
        }
    }

    @Test(arguments: places)
    func everyBindingIsReachableWhereItApplies(_ readOnly: Bool, _ demo: Bool, _ pane: PaneID) {
        let table = Keymap.table(readOnly: readOnly, demo: demo)
        for context in KeyContext.allCases {
            for binding in table where Self.inScope(binding, context, pane) {
                #expect(!binding.keys.isEmpty, "\(binding.label) has no key")
                for key in binding.keys {
                    #expect(Keymap.action(for: key, context: context, focus: pane, in: table) == binding.action,
                            "\(key) in \(context) (\(pane)) does not reach \(binding.label)")
                }
            }
        }
    }

    @Test(arguments: places)
    func theFooterShowsOnlyReachableBindingsAndAlwaysHelpAndQuit(_ readOnly: Bool, _ demo: Bool, _ pane: PaneID) {
        let table = Keymap.table(readOnly: readOnly, demo: demo)
        let footer = Keymap.footer(focus: pane, in: table)
        let expected = table.filter { $0.footer && Self.inScope($0, .panes, pane) }
        #expect(footer.map(\.1) == expected.map(\.footerText))
        #expect(footer.map(\.0) == expected.map(Keymap.shortLabel))
        #expect(Set(footer.map(\.1)).count == footer.count, "a footer hint is shown twice in \(pane)")
        #expect(footer.contains { $0.1 == "help" } && footer.contains { $0.1 == "quit" })
        #expect(Keymap.action(for: .char("?"), focus: pane, in: table) == .help)
        #expect(Keymap.action(for: .char("q"), focus: pane, in: table) == .quit)
    }

    /// The help screen lists every binding by its label and help text, per context.
    @Test(arguments: modes)
    func helpEntriesAreCompleteAndDistinctInEachContext(_ readOnly: Bool, _ demo: Bool) {
        let table = Keymap.table(readOnly: readOnly, demo: demo)
        #expect(table.allSatisfy { !$0.label.isEmpty && !$0.help.isEmpty })
        for context in KeyContext.allCases {
            let lines = table.filter { $0.context == context }
            #expect(Set(lines.map(\.label)).count == lines.count, "two bindings share a label in \(context)")
            #expect(Set(lines.map(\.help)).count == lines.count, "two bindings share a help text in \(context)")
            let actions = lines.map { "\($0.action)" }
            #expect(actions.count == Set(actions).count, "an action is bound by two lines of \(context)")
        }
    }

    @Test func readOnlyHasNoMutatingBindingAndDropsExactlyTheMutatingOnes() {
        let readOnly = Keymap.table(readOnly: true)
        #expect(readOnly.allSatisfy { !$0.mutating })
        #expect(Keymap.table(readOnly: false, demo: true).count == Keymap.all.count)
        #expect(Keymap.table(readOnly: false).count == Keymap.all.filter { !$0.demoOnly }.count, "demo keys only in the demo")
        let dropped = Keymap.all.filter { $0.mutating && !$0.demoOnly }.map { "\($0.action)" }
        #expect(Set(dropped) == ["toggleSkip", "plan", "swap", "restart", "rollback", "snapshot"])
        #expect(readOnly.count + dropped.count == Keymap.table(readOnly: false).count)
        for pane in PaneID.allCases {
            for key in Keymap.all.filter(\.mutating).flatMap(\.keys) {
                #expect(Keymap.action(for: key, focus: pane, in: readOnly) == nil, "\(key) does something in --watch (\(pane))")
            }
        }
    }

    @Test(arguments: [
        (Key.char(" "), PaneID.manifests, Action?.some(.toggleSkip)), (.char(" "), .nodes, nil), (.char("s"), .plans, nil),
        (.char("o"), .nodes, .sort), (.char("o"), .manifests, nil), (.char("z"), .nodes, nil),
        (.ctrl("c"), .plans, .quit), (.ctrl("f"), .nodes, .pageDown), (.char("G"), .manifests, .bottom), (.char("R"), .nodes, .rollback),
        (.char("c"), .nodes, .contexts), (.char("L"), .plans, .journal),
    ])
    func paneScopedDispatch(_ key: Key, _ pane: PaneID, _ action: Action?) {
        #expect(Keymap.action(for: key, focus: pane, in: Keymap.table(readOnly: false)) == action)
    }

    @Test(arguments: [
        (Key.char("y"), KeyContext.review, Action?.some(.confirm)), (.char("y"), .typedReview, nil), (.enter, .typedReview, .accept),
        (.char("n"), .confirm, .cancel), (.tab, .input, .complete), (.ctrl("u"), .filter, .clearInput), (.end, .pager, .bottom),
        (.char("e"), .journal, .toggleErrors), (.enter, .picker, .accept), (.char("q"), .input, nil),
    ])
    func dialogDispatch(_ key: Key, _ context: KeyContext, _ action: Action?) {
        #expect(Keymap.action(for: key, context: context, focus: .nodes, in: Keymap.all) == action)
    }
}
