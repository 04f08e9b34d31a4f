import Foundation

/// An RKE2 release version: `v1.31.6+rke2r1`, its munged image/SUC form `v1.31.6-rke2r1`, and release
/// candidates `v1.31.6-rc1+rke2r1` (docs/rke2-rules.md#rke2-versions).
///
/// Equality and ordering ignore the `+`/`-` separator: the munged and the release form name the same
/// release. The `rke2rN` revision counts; a pre-release (`rc1`, `alpha2`) sorts before its release.
public struct RKE2Version: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public struct PreRelease: Sendable, Hashable, Comparable {
        /// `alpha`, `beta`, `rc`, or any other alphanumeric tag.
        public let tag: String
        public let number: Int

        public static func < (lhs: PreRelease, rhs: PreRelease) -> Bool {
            let rank = { (tag: String) -> Int in ["alpha": 0, "beta": 1, "rc": 2][tag] ?? -1 }
            if rank(lhs.tag) != rank(rhs.tag) { return rank(lhs.tag) < rank(rhs.tag) }
            if lhs.tag != rhs.tag { return lhs.tag < rhs.tag }
            return lhs.number < rhs.number
        }

        public var text: String { "\(tag)\(number)" }
    }

    public let major: Int
    public let minor: Int
    public let patch: Int
    public let preRelease: PreRelease?
    /// The `rke2rN` revision; nil for a plain Kubernetes version such as `v1.31.6`.
    public let revision: Int?
    /// The separator before `rke2rN` as written: `+` in releases, `-` in image tags and SUC's latestVersion.
    public let separator: Character

    public init(major: Int, minor: Int, patch: Int, preRelease: PreRelease? = nil, revision: Int?, separator: Character = "+") {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
        self.revision = revision
        self.separator = separator
    }

    /// Parses `v1.31.6+rke2r1`, `v1.31.6-rke2r1`, `v1.31.6-rc1+rke2r1`, `1.31.6+rke2r1` and a plain `v1.31.6`.
    public init?(_ text: String) {
        // Trimmed without Foundation (`trimmingCharacters` bridges through NSString: a fifth of the
        // dashboard's derivation time at 5,000 nodes).
        var rest = Substring(text)
        while rest.first?.isWhitespace == true { rest = rest.dropFirst() }
        while rest.last?.isWhitespace == true { rest = rest.dropLast() }
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        guard let (major, afterMajor) = Self.number(rest), afterMajor.first == "." else { return nil }
        guard let (minor, afterMinor) = Self.number(afterMajor.dropFirst()), afterMinor.first == "." else { return nil }
        guard let (patch, afterPatch) = Self.number(afterMinor.dropFirst()) else { return nil }
        rest = afterPatch
        var pre: PreRelease?
        var revision: Int?
        var separator: Character = "+"
        // Up to two suffixes: an optional pre-release, then the rke2 revision; each after `-` or `+`.
        var suffixes: [(Character, Substring)] = []
        while let sep = rest.first {
            guard sep == "-" || sep == "+" else { return nil }
            let body = rest.dropFirst().prefix { $0.isLetter || $0.isNumber }
            guard !body.isEmpty, body.allSatisfy({ $0.isASCII }) else { return nil }
            suffixes.append((sep, body))
            rest = rest.dropFirst(1 + body.count)
        }
        guard suffixes.count <= 2 else { return nil }
        for (index, (sep, body)) in suffixes.enumerated() {
            if body.hasPrefix("rke2r"), let n = Int(body.dropFirst(5)), index == suffixes.count - 1 {
                revision = n
                separator = sep
            } else if index == 0, sep == "-" || suffixes.count == 2 {
                let tag = body.prefix { $0.isLetter }
                guard !tag.isEmpty, let n = Int(body.dropFirst(tag.count)) else { return nil }
                pre = PreRelease(tag: tag.lowercased(), number: n)
            } else {
                return nil
            }
        }
        self.init(major: major, minor: minor, patch: patch, preRelease: pre, revision: revision, separator: separator)
    }

    private static func number(_ text: Substring) -> (Int, Substring)? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count < 9, let value = Int(digits) else { return nil }
        return (value, text.dropFirst(digits.count))
    }

    private func render(separator sep: Character, withPreRelease: Bool) -> String {
        var text = "v\(major).\(minor).\(patch)"
        if withPreRelease, let preRelease { text += "-\(preRelease.text)" }
        if let revision { text += "\(sep)rke2r\(revision)" }
        return text
    }

    /// The release form, `v1.31.6+rke2r1`.
    public var description: String { render(separator: "+", withPreRelease: true) }
    /// The form SUC and image tags use, `v1.31.6-rke2r1` (`+` is not allowed in tags).
    public var munged: String { render(separator: "-", withPreRelease: true) }
    /// `semver-parse.sh <tag> k8s`: `vX.Y.Z<sep>rke2rN`, pre-release dropped, separator kept.
    public var k8sForm: String { render(separator: separator, withPreRelease: false) }
    /// `semver-parse.sh <tag> all`: `vX.Y.Z`.
    public var kubernetes: String { "v\(major).\(minor).\(patch)" }
    /// `v1.31`, the name of a per-minor release channel.
    public var minorLine: String { "v\(major).\(minor)" }

    public var isPreRelease: Bool { preRelease != nil }

    /// Minor releases from `self` to `other`: 1 for v1.30 → v1.31; negative when `other` is older.
    /// A major change counts as a very large distance, since no skew rule permits it.
    public func minorDistance(to other: RKE2Version) -> Int {
        if major != other.major { return (other.major - major) * 1000 }
        return other.minor - minor
    }

    public static func == (lhs: RKE2Version, rhs: RKE2Version) -> Bool {
        lhs.major == rhs.major && lhs.minor == rhs.minor && lhs.patch == rhs.patch
            && lhs.preRelease == rhs.preRelease && lhs.revision == rhs.revision
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major); hasher.combine(minor); hasher.combine(patch)
        hasher.combine(preRelease); hasher.combine(revision)
    }

    public static func < (lhs: RKE2Version, rhs: RKE2Version) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        switch (lhs.preRelease, rhs.preRelease) {
        case let (l?, r?) where l != r: return l < r
        case (nil, _?): return false
        case (_?, nil): return true
        default: break
        }
        return (lhs.revision ?? -1) < (rhs.revision ?? -1)
    }

    /// Same Kubernetes release and rke2 revision, ignoring a pre-release tag: the comparison the agent
    /// plan's prepare step makes (rancher/rke2#1405 is what happens when an rc target meets a final kubelet).
    public func sameRelease(as other: RKE2Version) -> Bool {
        major == other.major && minor == other.minor && patch == other.patch && revision == other.revision
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = RKE2Version(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RKE2 version: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension RKE2Version {
    /// Parses `rke2 --version` output: `rke2 version v1.34.3+rke2r3 (7598946e…)` then `go version go1.24.11 …`.
    public struct VersionOutput: Sendable, Equatable {
        public let version: RKE2Version
        public let commit: String?
        public let goVersion: String?
    }

    public static func parseVersionOutput(_ output: String) -> VersionOutput? {
        var found: (RKE2Version, String?)?
        var go: String?
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.count >= 3, words[1] == "version", words[0] != "go", found == nil, let version = RKE2Version(String(words[2])) {
                var commit: String?
                if words.count >= 4 {
                    commit = words[3].trimmingCharacters(in: CharacterSet(charactersIn: "()"))
                }
                found = (version, commit)
            } else if words.count >= 3, words[0] == "go", words[1] == "version" {
                go = words[2...].joined(separator: " ")
            }
        }
        guard let found else { return nil }
        return VersionOutput(version: found.0, commit: found.1, goVersion: go)
    }
}
