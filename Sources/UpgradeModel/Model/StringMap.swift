/// A map of strings (an object's labels or annotations) as key-sorted pairs in one array. A `Dictionary`
/// of the same entries takes about twice the memory (a quarter of its buckets stay empty, each with a key
/// and a value slot), and thousands of nodes carry one each. Lookups are binary searches over a few dozen
/// keys. Iterates as a dictionary does, as `(key:, value:)`, in key order.
public struct StringMap: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    public typealias Key = String
    public typealias Value = String

    /// Sorted by key; each key once.
    public private(set) var entries: [Entry]

    public init() { entries = [] }

    public init(_ dictionary: [String: String]) {
        entries = dictionary.map { Entry(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// Pairs in any order; of a repeated key, the last one counts (as JSON objects and dictionary literals do).
    public init<S: Sequence>(pairs: S) where S.Element == (String, String) {
        var all = pairs.enumerated().map { (offset: $0.offset, entry: Entry(key: $0.element.0, value: $0.element.1)) }
        all.sort { $0.entry.key != $1.entry.key ? $0.entry.key < $1.entry.key : $0.offset < $1.offset }
        var unique: [Entry] = []
        unique.reserveCapacity(all.count)
        for item in all {
            if unique.last?.key == item.entry.key { unique[unique.count - 1] = item.entry } else { unique.append(item.entry) }
        }
        entries = unique
    }

    public init(dictionaryLiteral elements: (String, String)...) { self.init(pairs: elements) }

    private init(sorted entries: [Entry]) { self.entries = entries }

    /// Where `key` is, or where it would go.
    private func position(of key: String) -> (index: Int, found: Bool) {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return (low, low < entries.count && entries[low].key == key)
    }

    public subscript(key: String) -> String? {
        get {
            let (index, found) = position(of: key)
            return found ? entries[index].value : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case let (true, value?): entries[index].value = value
            case (true, nil): entries.remove(at: index)
            case let (false, value?): entries.insert(Entry(key: key, value: value), at: index)
            case (false, nil): break
            }
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    /// The entries `isIncluded` keeps, still a map (as `Dictionary.filter` gives a dictionary).
    public func filter(_ isIncluded: ((key: String, value: String)) throws -> Bool) rethrows -> StringMap {
        StringMap(sorted: try entries.filter { try isIncluded(($0.key, $0.value)) })
    }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Entry]>
        public mutating func next() -> (key: String, value: String)? { base.next().map { ($0.key, $0.value) } }
    }

    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }
    public var underestimatedCount: Int { entries.count }
}

extension StringMap: Codable {
    struct EntryKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A JSON object; its strings go through the decoder's `Interner` (labels repeat across objects).
    public init(from decoder: Decoder) throws { try self.init(from: decoder, sharingValues: true) }

    /// `sharingValues: false` interns the keys only: annotation values are often long and one of a kind
    /// (JSON, hashes), and an interner keeps what it holds alive.
    init(from decoder: Decoder, sharingValues: Bool) throws {
        let container = try decoder.container(keyedBy: EntryKey.self)
        let interner = decoder.interner
        let values = sharingValues ? interner : nil
        let keys = container.allKeys
        var entries: [Entry] = []
        entries.reserveCapacity(keys.count)
        for key in keys {
            let value = try container.decode(String.self, forKey: key)
            entries.append(Entry(key: interner?.intern(key.stringValue) ?? key.stringValue, value: values?.intern(value) ?? value))
        }
        // A decoded object's keys are unique already: sorting is all that is left.
        entries.sort { $0.key < $1.key }
        self.init(sorted: entries)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: EntryKey.self)
        for entry in entries { try container.encode(entry.value, forKey: EntryKey(stringValue: entry.key)) }
    }
}
