import UpgradeModel

/// A pane's content as display strings: the presentation layer's output, the renderer's input.
/// Pure and table-tested without colour (like k9s `render/` and lazygit `presentation/`).
struct Column: Equatable {
    var title: String
    /// Never narrower than this while shown.
    var minWidth: Int
    /// Never wider than this (content is measured up to it).
    var maxWidth: Int
    /// Shrinks before any column is dropped; the first flexible column takes the space left over.
    var flexible = false
    /// A flexible column shrinks to this before other columns are dropped, and to `minWidth` after.
    var comfortWidth: Int? = nil
    /// Dropped first when the pane is too narrow (lower goes first).
    var priority = 5
}

/// A class, immutable: a snapshot of thousands of nodes builds its table from the last one's rows, and
/// sharing a row is one retain where copying it was five.
final class TableRow: Equatable {
    /// Stable across snapshots, so the selection follows the object, not the row index.
    let id: String
    let cells: [String]
    let roles: [Role]
    /// Indentation of the first cell (job rows under their plan).
    let indent: Int
    /// Rows that are not objects (section notes) cannot be selected.
    let selectable: Bool
    /// What a filter matches, lowercased; computed once per row, not once per keystroke.
    let searchText: String
    /// Whether `searchText` is ASCII: a filter then compares bytes.
    let searchIsASCII: Bool
    /// The display width of each cell (the first one with its indent): column widths are the maximum
    /// over the rows shown, without measuring every string again at each frame. Two bytes each: a table
    /// keeps a row per node.
    let widths: [UInt16]

    init(id: String, cells: [String], roles: [Role], indent: Int = 0, selectable: Bool = true) {
        self.id = id
        self.cells = cells
        self.roles = roles
        self.indent = indent
        self.selectable = selectable
        searchText = cells.joined(separator: " ").lowercased()
        searchIsASCII = searchText.utf8.allSatisfy { $0 < 0x80 }
        widths = cells.enumerated().map { UInt16(clamping: DisplayWidth.of($1) + ($0 == 0 ? indent : 0)) }
    }

    static func == (lhs: TableRow, rhs: TableRow) -> Bool {
        lhs === rhs || (lhs.id == rhs.id && lhs.cells == rhs.cells && lhs.roles == rhs.roles && lhs.indent == rhs.indent
            && lhs.selectable == rhs.selectable)
    }
}

/// What a frame needs from a chunk of rows, without looking at each row: the widest cell per column,
/// how many rows can be selected, the deepest indent of a row without cells.
struct RowSummary: Equatable {
    let widths: [UInt16]
    let selectable: Int
    /// -1 when every row has cells.
    let bareIndent: Int

    init<Rows: Collection<TableRow>>(_ rows: Rows) {
        var widths: [UInt16] = []
        var selectable = 0, bareIndent = -1
        for row in rows {
            if row.selectable { selectable += 1 }
            if row.widths.isEmpty { bareIndent = max(bareIndent, row.indent) }
            if widths.count < row.widths.count { widths += repeatElement(0, count: row.widths.count - widths.count) }
            for index in row.widths.indices where row.widths[index] > widths[index] { widths[index] = row.widths[index] }
        }
        self.widths = widths
        self.selectable = selectable
        self.bareIndent = bareIndent
    }
}

struct TableContent: Equatable {
    var columns: [Column]
    /// In chunks, each with its summary: a snapshot in which one node changed rebuilds that node's chunk
    /// and shares the others, and a frame reads the summaries instead of every row.
    let rows: ChunkedArray<TableRow>
    let summaries: [RowSummary]
    /// Shown when there are no rows.
    var emptyText: String

    init<Rows: Sequence<TableRow>>(columns: [Column], rows: Rows, emptyText: String) {
        let (chunked, summaries) = Self.chunked(rows)
        self.init(columns: columns, rows: chunked, summaries: summaries, emptyText: emptyText)
    }

    /// The rows in chunks, each summarised as soon as it is full (while its rows are still in the cache).
    static func chunked<Rows: Sequence<TableRow>>(_ rows: Rows) -> (ChunkedArray<TableRow>, [RowSummary]) {
        let size = ChunkedArray<TableRow>.chunkSize
        var chunks: [[TableRow]] = [], summaries: [RowSummary] = []
        var current: [TableRow] = []
        current.reserveCapacity(size)
        for row in rows {
            current.append(row)
            if current.count == size {
                summaries.append(RowSummary(current))
                chunks.append(current)
                current = []
                current.reserveCapacity(size)
            }
        }
        if !current.isEmpty {
            summaries.append(RowSummary(current))
            chunks.append(current)
        }
        return (ChunkedArray(chunks: chunks), summaries)
    }

    /// `summaries`, one per chunk of `rows`, when the caller has them (kept from the last snapshot).
    init(columns: [Column], rows: ChunkedArray<TableRow>, summaries: [RowSummary]? = nil, emptyText: String) {
        self.columns = columns
        self.rows = rows
        self.summaries = summaries ?? rows.chunks.map { RowSummary($0) }
        self.emptyText = emptyText
        assert(self.summaries.count == rows.chunks.count)
    }

    /// The rows that are objects (not section notes).
    var selectableCount: Int { summaries.reduce(0) { $0 + $1.selectable } }

    /// Column widths for `available` columns (separators of one space included): shrink the flexible
    /// columns (the last one first) down to their minimum, then drop columns by priority; what is left
    /// over widens the flexible columns, in order, up to their maximum.
    func layout(width available: Int) -> [(index: Int, width: Int)] {
        var content = [Int](repeating: 0, count: columns.count)
        var bareIndent = -1
        for summary in summaries {
            for index in 0..<min(columns.count, summary.widths.count) where Int(summary.widths[index]) > content[index] {
                content[index] = Int(summary.widths[index])
            }
            bareIndent = max(bareIndent, summary.bareIndent)
        }
        // A row with fewer cells than columns measures "" (plus the indent) in the first column.
        if columns.count > 0, bareIndent > content[0] { content[0] = bareIndent }
        var widths = columns.enumerated().map { index, column -> Int in
            min(column.maxWidth, max(column.minWidth, DisplayWidth.of(column.title), content[index]))
        }
        var shown = Array(columns.indices)
        func total() -> Int { shown.reduce(0) { $0 + widths[$1] } + max(0, shown.count - 1) }
        // Shrink flexible columns to their comfortable width, then drop columns, then shrink to the minimum.
        for floor in [{ (c: Column) in c.comfortWidth ?? c.minWidth }, { (c: Column) in c.minWidth }] {
            while total() > available {
                if let flexible = shown.last(where: { columns[$0].flexible && widths[$0] > floor(columns[$0]) }) {
                    widths[flexible] -= min(widths[flexible] - floor(columns[flexible]), total() - available)
                    continue
                }
                // Columns of priority 9 and up are essential: the flexible ones shrink further first.
                guard let drop = shown.filter({ !columns[$0].flexible && columns[$0].priority < 9 })
                    .min(by: { columns[$0].priority < columns[$1].priority }) else { break }
                shown.removeAll { $0 == drop }
            }
        }
        while total() > available, shown.count > 1, let drop = shown.filter({ !columns[$0].flexible }).min(by: { columns[$0].priority < columns[$1].priority }) {
            shown.removeAll { $0 == drop }
        }
        for flexible in shown where columns[flexible].flexible && total() < available {
            widths[flexible] += min(available - total(), max(0, columns[flexible].maxWidth - widths[flexible]))
        }
        return shown.map { ($0, widths[$0]) }
    }

    func filtered(_ filter: String) -> TableContent {
        guard !filter.isEmpty else { return self }
        let needle = filter.lowercased()
        let bytes = Array(needle.utf8)
        let asciiNeedle = bytes.allSatisfy { $0 < 0x80 }
        // Bytes where both sides are ASCII; otherwise Foundation's search, which treats equivalent
        // Unicode forms (a precomposed and a decomposed é) as equal.
        let kept = rows.lazy.filter {
            !$0.selectable || (asciiNeedle && $0.searchIsASCII ? Self.contains($0.searchText, bytes) : $0.searchText.contains(needle))
        }
        var table = TableContent(columns: columns, rows: kept, emptyText: "nothing matches /\(filter)")
        // Section notes without any object row after filtering are noise.
        if table.selectableCount == 0 { table = TableContent(columns: columns, rows: [TableRow](), emptyText: table.emptyText) }
        return table
    }

    /// A substring search on UTF-8 bytes (both sides lowercased): Foundation's `contains` goes through
    /// NSString, several times slower, and a keystroke searches every row.
    static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var text = text
        return text.withUTF8 { haystack in
            guard haystack.count >= needle.count else { return false }
            var index = 0
            let last = haystack.count - needle.count
            while index <= last {
                if haystack[index] == first {
                    var matched = 1
                    while matched < needle.count, haystack[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
