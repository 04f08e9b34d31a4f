import Foundation

/// A JSON document with ordered object keys, so that `status --output json` prints fields in the
/// order of the contract (docs/status-json.md) and absent facts as explicit `null`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case text(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func string(_ value: String?) -> JSONValue { value.map(JSONValue.text) ?? .null }
    public static func int(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(fields) = self { return fields.first { $0.0 == key }?.1 }
        return nil
    }

    /// `indent`: the depth the value sits at in an enclosing document (pretty printing).
    public func serialized(pretty: Bool = false, indent: Int = 0) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: indent)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        let newline = pretty ? "\n" : ""
        let pad = { (level: Int) in pretty ? String(repeating: "  ", count: level) : "" }
        switch self {
        case .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .number(value):
            if !value.isFinite { out += "null" }
            else if value.rounded() == value, abs(value) < 1e15 { out += String(Int64(value)) } else { out += String(value) }
        case let .text(value): Self.escape(value, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (index, item) in items.enumerated() {
                out += pad(indent + 1)
                item.write(into: &out, pretty: pretty, indent: indent + 1)
                out += (index < items.count - 1 ? "," : "") + newline
            }
            out += pad(indent) + "]"
        case let .object(fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (index, (key, value)) in fields.enumerated() {
                out += pad(indent + 1)
                Self.escape(key, into: &out)
                out += pretty ? ": " : ":"
                value.write(into: &out, pretty: pretty, indent: indent + 1)
                out += (index < fields.count - 1 ? "," : "") + newline
            }
            out += pad(indent) + "}"
        }
    }

    private static func escape(_ text: String, into out: inout String) {
        out += "\""
        // Most strings need nothing escaped: appended whole.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // C1 controls and bidi overrides too: a JSON document piped to a terminal or pasted into a
            // bug report must not carry them raw.
            case _ where TerminalText.isUnsafe(scalar):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Parses JSON text (for tests and for reading audit lines back) via Foundation.
    public static func parse(_ text: String) throws -> JSONValue {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return from(object)
    }

    private static func from(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case let string as String: return .text(string)
        case let array as [Any]: return .array(array.map(from))
        case let dict as [String: Any]: return .object(dict.sorted { $0.key < $1.key }.map { ($0.key, from($0.value)) })
        default: return .null
        }
    }

    public var stringValue: String? { if case let .text(value) = self { return value } else { return nil } }
    public var boolValue: Bool? { if case let .bool(value) = self { return value } else { return nil } }
    public var numberValue: Double? { if case let .number(value) = self { return value } else { return nil } }
    public var arrayValue: [JSONValue]? { if case let .array(value) = self { return value } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .text(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else if let dict = try? container.decode([String: JSONValue].self) {
            self = .object(dict.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        } else {
            // Valid JSON that no Swift type holds: a number beyond Double (1e400). Unknown, not fatal.
            self = .null
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .text(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(fields): try container.encode(Dictionary(fields, uniquingKeysWith: { _, last in last }))
        }
    }
}
