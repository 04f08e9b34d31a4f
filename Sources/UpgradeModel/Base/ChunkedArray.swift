/// An array stored in chunks of `chunkSize` elements (all full but the last): a value that is copied,
/// changed in one place and compared at every cluster change. Changing one element copies its chunk
/// (and the short list of chunks), not every element: a flat array of thousands of nodes is copied
/// whole on the first write after a copy, a retain per element, each on memory that is no longer in
/// the cache. Two arrays whose chunks are the same buffers compare equal chunk by chunk without looking
/// at an element, and a reader that kept the last one (the dashboard's rows) can tell which chunks
/// changed (`sameChunk`).
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    public static var chunkSize: Int { 128 }

    public private(set) var chunks: [[Element]]
    public private(set) var count: Int

    public init() {
        chunks = []
        count = 0
    }

    public init<S: Sequence>(_ elements: S) where S.Element == Element {
        var chunks: [[Element]] = []
        var current: [Element] = []
        current.reserveCapacity(Self.chunkSize)
        var count = 0
        for element in elements {
            current.append(element)
            count += 1
            if current.count == Self.chunkSize {
                chunks.append(current)
                current = []
                current.reserveCapacity(Self.chunkSize)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        self.chunks = chunks
        self.count = count
    }

    /// From chunks built elsewhere: each but the last must hold exactly `chunkSize` elements.
    public init(chunks: [[Element]]) {
        precondition(chunks.dropLast().allSatisfy { $0.count == Self.chunkSize } && chunks.last.map { !$0.isEmpty } != false,
                     "ChunkedArray: every chunk but the last holds chunkSize elements, none is empty")
        self.chunks = chunks
        count = chunks.reduce(0) { $0 + $1.count }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public func index(after i: Int) -> Int { i + 1 }
    public func index(before i: Int) -> Int { i - 1 }

    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "ChunkedArray: index out of range")
            return chunks[position / Self.chunkSize][position % Self.chunkSize]
        }
        set {
            precondition(position >= 0 && position < count, "ChunkedArray: index out of range")
            chunks[position / Self.chunkSize][position % Self.chunkSize] = newValue
        }
    }

    /// Whether chunk `index` of both is the same storage: then its elements are the same, unlooked at.
    public func sameChunk(_ index: Int, as other: ChunkedArray) -> Bool {
        guard index < chunks.count, index < other.chunks.count else { return false }
        return chunks[index].withUnsafeBufferPointer { mine in
            other.chunks[index].withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress && mine.count == theirs.count }
        }
    }

    /// Chunk by chunk: an element costs a step in its chunk, not a lookup through the list of chunks.
    public struct Iterator: IteratorProtocol {
        var chunks: IndexingIterator<[[Element]]>
        var current: IndexingIterator<[Element]>

        public mutating func next() -> Element? {
            while true {
                if let element = current.next() { return element }
                guard let chunk = chunks.next() else { return nil }
                current = chunk.makeIterator()
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(chunks: chunks.makeIterator(), current: [Element]().makeIterator()) }
}

extension ChunkedArray: Equatable where Element: Equatable {
    /// Arrays that share their storage compare equal without looking at an element: the same chunks, or
    /// the same list of chunks, cost nothing.
    public static func == (lhs: ChunkedArray, rhs: ChunkedArray) -> Bool {
        lhs.count == rhs.count && lhs.chunks == rhs.chunks
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}

extension ChunkedArray: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension ChunkedArray: CustomStringConvertible {
    public var description: String { Array(self).description }
}
