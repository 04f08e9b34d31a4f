import Foundation
import Yams

/// JSON values as block YAML, keys in the order given (Yams emits; upgrade-tui only orders).
public enum YAMLText {
    public static func render(_ value: JSONValue) -> String {
        (try? Yams.serialize(node: node(value), sortKeys: false)) ?? value.serialized(pretty: true)
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case let .bool(b): return Node(b ? "true" : "false", Tag(.bool))
        case let .number(n):
            // Integral values beyond Int64 (2^64 from someone's Plan) are printed whole, never converted.
            let text = n.isNaN ? ".nan" : n.isInfinite ? (n > 0 ? ".inf" : "-.inf") : n.rounded() != n ? String(n) : abs(n) < 9e18 ? String(Int64(n)) : String(format: "%.0f", n)
            return Node(text, Tag(n.rounded() == n && n.isFinite ? .int : .float))
        case let .text(s):
            // Strings that YAML would read as something else are quoted.
            let needsQuotes = ["true", "false", "null", "yes", "no", "on", "off", "~", ""].contains(s.lowercased()) || Double(s) != nil
            return Node(s, Tag(.str), needsQuotes ? .doubleQuoted : .plain)
        case let .array(items): return Node(items.map(node))
        case let .object(fields): return Node(fields.map { (Node($0.0), node($0.1)) })
        }
    }
}
