/// Text from the cluster, from files other users can write, and from child processes is hostile until
/// it is made safe for a terminal: a control character, an escape sequence or a bidi override could
/// retitle the window, move the cursor, rewrite what the operator reads, or reorder a line.
///
/// One visible scheme everywhere: each such code point becomes `\u{XX}` (its hex value), so nothing
/// is hidden and nothing is executed. `line` also escapes newlines and tabs (table cells, one-line
/// messages); `block` keeps `\n` and `\t` (whole multi-line outputs).
public enum TerminalText {
    /// One line: every control character is escaped, newlines and tabs included.
    public static func line(_ text: String) -> String { sanitize(text, keepLayout: false) }

    /// Multi-line text: `\n` and `\t` are kept, every other control character is escaped.
    public static func block(_ text: String) -> String { sanitize(text, keepLayout: true) }

    /// C0 controls, DEL, C1 controls, and the invisible direction marks and overrides (Unicode's
    /// bidi controls) plus the line and paragraph separators.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    private static func sanitize(_ text: String, keepLayout: Bool) -> String {
        guard needsEscaping(text, keepLayout: keepLayout) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isUnsafe(scalar) || (keepLayout && (scalar == "\n" || scalar == "\t")) {
                out.append(scalar)
            } else {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            }
        }
        return String(out)
    }

    /// Whether anything would change: a byte scan (the whole of `status --output json` passes here),
    /// decoding scalars only when there are non-ASCII bytes.
    static func needsEscaping(_ text: String, keepLayout: Bool) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 { ascii = false; continue }
            if byte == 0x7F || (byte < 0x20 && !(keepLayout && (byte == 0x0A || byte == 0x09))) { return true }
        }
        if ascii { return false }
        return text.unicodeScalars.contains { isUnsafe($0) && !(keepLayout && ($0 == "\n" || $0 == "\t")) }
    }

    /// `\u{1B}` for ESC: what an operator can read, and search for.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u{" + (hex.count < 2 ? "0" + hex : hex) + "}"
    }
}
