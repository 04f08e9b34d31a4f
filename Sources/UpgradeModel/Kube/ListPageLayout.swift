/// Where a LIST page's parts are: the byte range of its `metadata` object and of each element of `items`,
/// found by a scan that follows strings and nesting without decoding. The pager decodes a page object by
/// object: `JSONDecoder` first indexes all of its input, and for a page of 500 nodes that index is several
/// times the page's own size; one object at a time, it is one object's.
///
/// The scan only locates; the decoder still checks each range. Anything the scan does not expect (a key
/// with an escape, a repeated `items` or `metadata`, a bracket that does not match, bytes after the end)
/// returns nil, and the page is decoded whole, as before, so that a bad page is refused the same way.
public enum ListPageLayout {
    public struct Layout: Equatable, Sendable {
        public var metadata: Range<Int>?
        public var items: [Range<Int>]
    }

    public static func scan(_ bytes: UnsafeRawBufferPointer) -> Layout? {
        var scanner = Scanner(bytes: bytes)
        return scanner.page()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        mutating func page() -> Layout? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var layout = Layout(metadata: nil, items: [])
            var sawItems = false
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    guard let key = rawKey() else { return nil }
                    skipSpace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipSpace()
                    if key.elementsEqual("items".utf8) {
                        guard !sawItems, let items = itemRanges() else { return nil }
                        sawItems = true
                        layout.items = items
                    } else {
                        let start = at
                        guard skipValue() else { return nil }
                        if key.elementsEqual("metadata".utf8) {
                            guard layout.metadata == nil else { return nil }
                            layout.metadata = start..<at
                        }
                    }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipSpace()
            return at == bytes.count ? layout : nil
        }

        /// `[ v, v, … ]` (or `null`): the range of each element.
        mutating func itemRanges() -> [Range<Int>]? {
            if literal("null") { return [] }
            guard take(UInt8(ascii: "[")) else { return nil }
            var ranges: [Range<Int>] = []
            skipSpace()
            if take(UInt8(ascii: "]")) { return ranges }
            repeat {
                skipSpace()
                let start = at
                guard skipValue() else { return nil }
                ranges.append(start..<at)
                skipSpace()
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? ranges : nil
        }

        /// A key's bytes between its quotes; nil when it holds an escape (it could spell `items`).
        mutating func rawKey() -> UnsafeRawBufferPointer.SubSequence? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = at
            while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
                if bytes[at] == UInt8(ascii: "\\") { return nil }
                at += 1
            }
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[start..<at]
        }

        /// Past one value: a string, an object or array (brackets matched, strings followed), or a literal.
        mutating func skipValue() -> Bool {
            guard at < bytes.count else { return false }
            switch bytes[at] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                // The open brackets as bits (1: an object), 64 levels at most: deeper is not a
                // Kubernetes object, and the page is decoded whole.
                var open: UInt64 = 0
                var depth = 0
                while at < bytes.count {
                    let byte = bytes[at]
                    switch byte {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        guard depth < 64 else { return false }
                        open = open << 1 | (byte == UInt8(ascii: "{") ? 1 : 0)
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        guard depth > 0, (open & 1 == 1) == (byte == UInt8(ascii: "}")) else { return false }
                        open >>= 1
                        depth -= 1
                        if depth == 0 { at += 1; return true }
                    default: break
                    }
                    at += 1
                }
                return false
            default:
                // true, false, null or a number; the decoder checks the number itself when it matters.
                if literal("true") || literal("false") || literal("null") { return true }
                let start = at
                while at < bytes.count, isNumberByte(bytes[at]) { at += 1 }
                return at > start
            }
        }

        mutating func skipString() -> Bool {
            at += 1
            while at < bytes.count {
                switch bytes[at] {
                case UInt8(ascii: "\\"): at += 2
                case UInt8(ascii: "\""): at += 1; return true
                default: at += 1
                }
            }
            return false
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            for index in 0..<count where bytes[at + index] != word.utf8Start[index] { return false }
            at += count
            return true
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        func isNumberByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }
    }
}
