import Testing
@testable import UpgradeTUI

/// `TableContent.layout(width:)`: shrink the flexible columns to their comfortable width, drop columns by
/// priority (9 and up only when nothing else is left), shrink to the minimum, widen what is left over.
@Suite struct TableLayoutTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let columns: [Column]
        let rows: [[String]]
        var indent = 0
        let width: Int
        let expected: [Int: Int]
        let order: [Int]
        var testDescription: String { name }
    }

    static let fixed = Column(title: "B", minWidth: 3, maxWidth: 8, priority: 3)
    static let essential = Column(title: "B", minWidth: 3, maxWidth: 8, priority: 9)
    static let flexible = Column(title: "A", minWidth: 4, maxWidth: 20, flexible: true, comfortWidth: 6, priority: 10)

    static let cases: [Case] = [
        Case(name: "everything fits, nothing flexible", columns: [Column(title: "A", minWidth: 4, maxWidth: 10), fixed],
             rows: [["abc", "hello"]], width: 20, expected: [0: 4, 1: 5], order: [0, 1]),
        Case(name: "a flexible column takes what is left, up to its maximum", columns: [Column(title: "A", minWidth: 4, maxWidth: 10, flexible: true), fixed],
             rows: [["abcd", "hello"]], width: 20, expected: [0: 10, 1: 5], order: [0, 1]),
        Case(name: "the flexible column shrinks towards its comfortable width first", columns: [flexible, fixed],
             rows: [[String(repeating: "x", count: 15), "hello"]], width: 14, expected: [0: 8, 1: 5], order: [0, 1]),
        Case(name: "then the lowest priority is dropped and the flexible one widens again", columns: [flexible, fixed],
             rows: [[String(repeating: "x", count: 15), "hello"]], width: 10, expected: [0: 10], order: [0]),
        Case(name: "an essential column stays: the flexible one shrinks to its minimum", columns: [flexible, essential],
             rows: [[String(repeating: "x", count: 15), "hello"]], width: 10, expected: [0: 4, 1: 5], order: [0, 1]),
        Case(name: "too narrow even then: the essential column goes too", columns: [flexible, essential],
             rows: [[String(repeating: "x", count: 15), "hello"]], width: 8, expected: [0: 8], order: [0]),
        Case(name: "a title wider than its content", columns: [Column(title: "VERSION", minWidth: 3, maxWidth: 20)],
             rows: [["v1"]], width: 40, expected: [0: 7], order: [0]),
        Case(name: "content is capped at the maximum", columns: [Column(title: "N", minWidth: 3, maxWidth: 6)],
             rows: [["abcdefghij"]], width: 40, expected: [0: 6], order: [0]),
        Case(name: "the first cell's indentation counts", columns: [Column(title: "N", minWidth: 1, maxWidth: 20)],
             rows: [["ab"]], indent: 3, width: 40, expected: [0: 5], order: [0]),
        Case(name: "wide characters are measured in columns", columns: [Column(title: "N", minWidth: 1, maxWidth: 20)],
             rows: [["日本語"]], width: 40, expected: [0: 6], order: [0]),
        Case(name: "lower priority goes first", columns: [Column(title: "A", minWidth: 5, maxWidth: 5, priority: 10),
                                                          Column(title: "B", minWidth: 5, maxWidth: 5, priority: 2),
                                                          Column(title: "C", minWidth: 5, maxWidth: 5, priority: 4)],
             rows: [], width: 11, expected: [0: 5, 2: 5], order: [0, 2]),
    ]

    @Test(arguments: cases)
    func layout(_ c: Case) {
        let rows = c.rows.enumerated().map { TableRow(id: "\($0.offset)", cells: $0.element, roles: [], indent: c.indent) }
        let content = TableContent(columns: c.columns, rows: rows, emptyText: "")
        let layout = content.layout(width: c.width)
        #expect(layout.map(\.index) == c.order)
        #expect(Dictionary(uniqueKeysWithValues: layout.map { ($0.index, $0.width) }) == c.expected)
        let used = layout.reduce(0) { $0 + $1.width } + max(0, layout.count - 1)
        #expect(used <= c.width, "the layout fits: \(used) of \(c.width) columns")
    }

    @Test func filteringKeepsNotesOnlyWithMatchingObjects() {
        let rows = [TableRow(id: "note", cells: ["a note"], roles: [], selectable: false),
                    TableRow(id: "x", cells: ["Server-1"], roles: []), TableRow(id: "y", cells: ["agent-1"], roles: [])]
        let content = TableContent(columns: [Column(title: "N", minWidth: 1, maxWidth: 20)], rows: rows, emptyText: "none")
        #expect(content.filtered("").rows.map(\.id) == ["note", "x", "y"])
        #expect(content.filtered("SERVER").rows.map(\.id) == ["note", "x"])
        #expect(content.filtered("nothing").rows.isEmpty)
        #expect(content.filtered("nothing").emptyText == "nothing matches /nothing")
    }
}
