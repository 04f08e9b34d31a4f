import UpgradeModel

/// Column-aligned plain text for the CLI (`status`, `plan --dry-run`): widths in terminal columns,
/// every cell and header made safe for a terminal (`TerminalText.line`).
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    var showHeader = true

    func render(indent: String = "") -> String {
        let cleaned = rows.map { $0.map(TerminalText.line) }
        let headers = self.headers.map(TerminalText.line)
        var widths = headers.map(DisplayWidth.of)
        for row in cleaned {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        let lines = ((showHeader ? [headers] : []) + cleaned).map { row -> String in
            var parts: [String] = []
            for (index, width) in widths.enumerated() {
                let cell = index < row.count ? row[index] : ""
                parts.append(index == widths.count - 1 ? cell : DisplayWidth.pad(cell, to: width))
            }
            return indent + parts.joined(separator: "  ")
        }
        return lines.map { line in
            var trimmed = line
            while trimmed.last == " " { trimmed.removeLast() }
            return trimmed
        }.joined(separator: "\n")
    }
}
