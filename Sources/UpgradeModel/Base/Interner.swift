/// One copy of each repeated string or value. Thousands of nodes carry the same label keys and values,
/// condition reasons and messages, version strings and condition lists; decoded one by one, each would be
/// its own heap allocation. Only strings Swift does not already keep inline (more than 15 UTF-8 bytes)
/// are interned, and each table stops growing at `capacity`, so that unique strings (names, hostnames)
/// cannot make it grow without bound. Not thread-safe: one owner decodes with it at a time (a LIST, a
/// reflector's stream).
public final class Interner: @unchecked Sendable {
    public static let capacity = 32_768
    private var strings: Set<String> = []
    private var values: Set<AnyHashable> = []
    private var lastValue: Any?

    public init() {}

    public func intern(_ string: String) -> String {
        guard Self.worthInterning(string) else { return string }
        if let known = strings.firstIndex(of: string) { return strings[known] }
        if strings.count < Self.capacity { strings.insert(string) }
        return string
    }

    /// Strings of up to 15 UTF-8 bytes are kept inline by Swift: nothing to share.
    @inline(__always) static func worthInterning(_ string: String) -> Bool { string.utf8.count > 15 }

    /// A value held in shared storage (an array): one copy for equal values. The last one interned is
    /// checked first: consecutive objects (nodes in a LIST) mostly carry the same value.
    public func intern<T: Hashable>(value: T) -> T {
        if let last = lastValue as? T, last == value { return last }
        defer { lastValue = value }
        let key = AnyHashable(value)
        if let known = values.firstIndex(of: key), let same = values[known].base as? T { return same }
        if values.count < Self.capacity { values.insert(key) }
        return value
    }

    public var count: Int { strings.count + values.count }
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

    func interned<T: Hashable>(value: T) -> T { (userInfo[.interner] as? Interner)?.intern(value: value) ?? value }

    func interned(ifPresent string: String?) -> String? { string.map { interned($0) } }
}
