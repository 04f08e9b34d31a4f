import UpgradeModel

/// One terminal cell: a grapheme cluster and its display width. A wide character occupies its cell
/// and a following `continuation` cell that draws nothing.
struct Cell: Hashable, Sendable {
    var text: String
    var width: Int
    var style: Style

    static let blank = Cell(text: " ", width: 1, style: .normal)
    static func continuation(_ style: Style) -> Cell { Cell(text: "", width: 0, style: style) }
}

/// The whole screen as text and styles, drawn by pure functions and copied to the terminal by the
/// adapter. Tests compare its text, never escape bytes.
struct Grid: Equatable, Sendable {
    let width: Int
    let height: Int
    private(set) var cells: [Cell]

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), at most `maxWidth` columns (default: to the right edge), sanitised.
    /// Returns the column after the last one written. A wide character that would straddle the limit
    /// is replaced by a space, never cut in half.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return x }
        let limit = min(width, x + (maxWidth ?? width - x))
        var column = x
        for character in TerminalText.line(text) {
            let w = DisplayWidth.of(character)
            if w == 0 {
                // A combining mark joins the previous cell's grapheme.
                if column > 0, column - 1 >= x, column - 1 < width {
                    var previous = self[column - 1, y]
                    if previous.width == 0, column - 2 >= 0 { previous = self[column - 2, y] }
                    previous.text.append(character)
                    self[previous.width == 2 ? column - 2 : column - 1, y] = previous
                }
                continue
            }
            if column + w > limit {
                if column < limit { self[column, y] = Cell(text: " ", width: 1, style: style); column += 1 }
                break
            }
            if column >= 0 {
                self[column, y] = Cell(text: String(character), width: w, style: style)
                if w == 2 { self[column + 1, y] = .continuation(style) }
            }
            column += w
        }
        return column
    }

    /// Fills a run of cells with one style (spaces), e.g. a selection bar or a blank line.
    mutating func fill(x: Int, y: Int, width count: Int, style: Style, text: String = " ") {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) {
            self[column, y] = Cell(text: text, width: 1, style: style)
        }
    }

    /// Re-styles existing cells (keeps their text), e.g. to highlight a selected row.
    mutating func restyle(x: Int, y: Int, width count: Int, _ transform: (Style) -> Style) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) {
            var cell = self[column, y]
            cell.style = transform(cell.style)
            self[column, y] = cell
        }
    }

    /// The text of one row (continuation cells draw nothing), trailing spaces kept.
    func line(_ y: Int) -> String {
        var out = ""
        for x in 0..<width { out += self[x, y].text }
        return out
    }

    /// All rows, trailing spaces removed: what render snapshot tests compare.
    var text: String {
        (0..<height).map { y in
            var line = line(y)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
