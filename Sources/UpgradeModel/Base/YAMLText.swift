import Foundation
import Yams

/// JSON values as block YAML, keys in the order given (Yams emits; upgrade-tui only orders); and YAML
/// read without Yams' default tag resolver.
public enum YAMLText {
    /// The one way upgrade-tui parses YAML. Yams' default resolver compiles a dozen regular expressions
    /// with ICU on first use, which makes megabytes of ICU code and data resident to read a kubeconfig;
    /// the basic resolver tags every scalar as a string, and the few typed fields are read with `bool`.
    public static func compose(_ text: String) throws -> Node? { try Yams.compose(yaml: text, .basic) }

    /// Every document of a multi-document stream, as `compose` reads one.
    public static func composeAll(_ text: String) throws -> [Node] { Array(try Yams.compose_all(yaml: text, .basic)) }

    /// A YAML 1.1 boolean, plain and untagged (or tagged `!!bool`), in the spellings Yams' default
    /// resolver accepted (`true`, `True`, `TRUE`, `yes`…, `on`…); nil for anything else: a quoted
    /// "true", `!!str true`, `tRuE`.
    public static func bool(_ node: Node?) -> Bool? {
        // The tag as parsed: empty when none was written (nothing resolves a value's tag before this;
        // if something did, it would read as `str` and so as not-a-boolean: verification stays on).
        guard case let .scalar(scalar)? = node, scalar.style == .plain,
              scalar.tag.rawValue.isEmpty || scalar.tag.rawValue == Tag.Name.bool.rawValue else { return nil }
        switch scalar.string {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// `key` of a mapping, following YAML merge keys (`<<: *defaults`, or a list of them) the way Yams'
    /// default constructor expanded them: a key written in the mapping wins over a merged one.
    public static func value(_ node: Node?, _ key: String, depth: Int = 0) -> Node? {
        guard case let .mapping(mapping)? = node else { return nil }
        if let direct = mapping[key] { return direct }
        guard depth < 8, let merged = mapping["<<"] else { return nil }
        switch merged {
        case .mapping: return value(merged, key, depth: depth + 1)
        case let .sequence(sources):
            for source in sources { if let found = value(source, key, depth: depth + 1) { return found } }
            return nil
        default: return nil
        }
    }

    /// A scalar's text, nil for a plain null (`~`, `null`, nothing) and for anything not a scalar.
    public static func string(_ node: Node?) -> String? {
        guard case let .scalar(scalar)? = node else { return nil }
        if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return scalar.string
    }

    public static func render(_ value: JSONValue) -> String {
        (try? Yams.serialize(node: node(value), sortKeys: false)) ?? value.serialized(pretty: true)
    }

    /// Tags for the emitter name the basic resolver too (`Tag.implicit` would build the default one).
    private static var implicit: Tag { Tag(.implicit, .basic) }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null, .basic))
        case let .bool(b): return Node(b ? "true" : "false", Tag(.bool, .basic))
        case let .number(n):
            // Integral values beyond Int64 (2^64 from someone's Plan) are printed whole, never converted.
            let text = n.isNaN ? ".nan" : n.isInfinite ? (n > 0 ? ".inf" : "-.inf") : n.rounded() != n ? String(n) : abs(n) < 9e18 ? String(Int64(n)) : String(format: "%.0f", n)
            return Node(text, Tag(n.rounded() == n && n.isFinite ? .int : .float, .basic))
        case let .text(s):
            // Strings that YAML would read as something else are quoted.
            let needsQuotes = ["true", "false", "null", "yes", "no", "on", "off", "~", ""].contains(s.lowercased()) || Double(s) != nil
            return Node(s, Tag(.str, .basic), needsQuotes ? .doubleQuoted : .plain)
        case let .array(items): return Node(items.map(node), implicit)
        case let .object(fields): return Node(fields.map { (Node($0.0, implicit), node($0.1)) }, implicit)
        }
    }
}
