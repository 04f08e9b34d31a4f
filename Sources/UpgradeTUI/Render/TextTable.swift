/// Column-aligned plain text for the CLI (`status`, `plan --dry-run`): widths in terminal columns.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    var showHeader = true

    func render(indent: String = "") -> String {
        let cleaned = rows.map { $0.map(Sanitize.text) }
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

/// Text from the cluster or the disk never carries control characters or escape sequences to the
/// terminal: C0/C1 controls and DEL become U+FFFD-free spaces, bidi overrides are dropped.
enum Sanitize {
    static func text(_ input: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in input.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7f...0x9f).contains(v) {
                out.append(" ")
            } else if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                continue
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
