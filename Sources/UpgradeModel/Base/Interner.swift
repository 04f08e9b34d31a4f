/// One copy of each repeated string or value. Thousands of nodes carry the same label keys and values,
/// condition reasons and messages, version strings and condition lists; decoded one by one, each would be
/// its own heap allocation. Bounded, because the strings it holds stay alive as long as it does (a
/// reflector keeps one from a LIST to the next): only ASCII strings of 16 to 256 bytes are interned
/// (shorter ones Swift keeps inline; longer ones, such as JSON in annotations, rarely repeat), within
/// `capacity` entries and `byteBudget` bytes; past either, strings are returned as they are. ASCII only:
/// Swift's `String ==` treats canonically equivalent Unicode as equal, and an object must keep its own
/// bytes. Not thread-safe: one owner decodes with it at a time (a LIST, a reflector's stream).
public final class Interner: @unchecked Sendable {
    public static let capacity = 16_384
    public static let byteBudget = 2 << 20
    public static let longest = 256
    private var strings: Set<String> = []
    private var bytes = 0
    private var values: Set<AnyHashable> = []
    private var lastValue: Any?

    public init() {}

    public func intern(_ string: String) -> String {
        guard Self.worthInterning(string) else { return string }
        if let known = strings.firstIndex(of: string) { return strings[known] }
        let size = string.utf8.count
        guard size <= Self.longest, string.utf8.allSatisfy({ $0 < 0x80 }),
              strings.count < Self.capacity, bytes + size <= Self.byteBudget else { return string }
        strings.insert(string)
        bytes += size
        return string
    }

    /// Strings of up to 15 UTF-8 bytes are kept inline by Swift: nothing to share.
    @inline(__always) static func worthInterning(_ string: String) -> Bool { string.utf8.count > 15 }

    /// A value held in shared storage (an array): one copy for equal values. The last one interned is
    /// checked first: consecutive objects (nodes in a LIST) mostly carry the same value.
    public func intern<T: Hashable>(value: T) -> T {
        if let last = lastValue as? T, last == value { return last }
        let shared = sharedValue(value)
        lastValue = shared
        return shared
    }

    private func sharedValue<T: Hashable>(_ value: T) -> T {
        let key = AnyHashable(value)
        if let known = values.firstIndex(of: key), let same = values[known].base as? T { return same }
        if values.count < Self.capacity { values.insert(key) }
        return value
    }

    public var count: Int { strings.count + values.count }
    /// The UTF-8 bytes of the strings held.
    public var heldBytes: Int { bytes }
}

extension CodingUserInfoKey {
    /// The `Interner` a decoder of Kubernetes objects shares its strings through.
    public static let interner = CodingUserInfoKey(rawValue: "upgrade-tui.interner")!
}

extension Decoder {
    /// This decoder's interner: looked up once per object (a lookup and a cast), not once per string.
    var interner: Interner? { userInfo[.interner] as? Interner }

    /// `string` through this decoder's interner, or unchanged when it has none.
    func interned(_ string: String) -> String {
        guard Interner.worthInterning(string) else { return string }
        return interner?.intern(string) ?? string
    }

    func interned(ifPresent string: String?) -> String? { string.map { interned($0) } }

    func interned<T: Hashable>(value: T) -> T { interner?.intern(value: value) ?? value }
}
