import UpgradeModel

/// What a cell looks like, by meaning; the theme decides colours (or none, with NO_COLOR).
enum Role: UInt8, Sendable, CaseIterable {
    case normal, dim, title, header, accent, ok, warn, error, selected, selectedDim, badge, border, key
}

struct Style: Hashable, Sendable {
    var role: Role = .normal
    var bold = false

    static let normal = Style()
    static func role(_ role: Role, bold: Bool = false) -> Style { Style(role: role, bold: bold) }
}
