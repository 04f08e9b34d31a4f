import Foundation

/// What the plans upgrade to: a fixed version, or a channel SUC resolves (docs/rke2-rules.md#suc-channel-resolution).
public enum UpgradeTarget: Sendable, Equatable {
    case version(RKE2Version)
    /// The full channel URL, e.g. https://update.rke2.io/v1-release/channels/stable.
    case channel(String)

    public static let defaultChannelURL = "https://update.rke2.io/v1-release/channels"

    /// `--version V` or `--channel C`; a channel name becomes `<channelURL>/<name>`, a full URL is kept.
    public static func parse(version: String?, channel: String?, channelURL: String = defaultChannelURL) throws -> UpgradeTarget {
        switch (version, channel) {
        case let (version?, nil):
            guard let parsed = RKE2Version(version), parsed.revision != nil else {
                throw UpgradeError.input("--version \(version): not an RKE2 release version (expected e.g. v1.32.2+rke2r1)")
            }
            return .version(parsed)
        case let (nil, channel?):
            let trimmed = channel.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.contains(" ") else { throw UpgradeError.input("--channel: give a channel name (stable, latest, v1.32) or URL") }
            if trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://") { return .channel(trimmed) }
            guard !trimmed.contains("/") else { throw UpgradeError.input("--channel \(trimmed): a name has no '/'; give a name or a full URL") }
            return .channel((channelURL.hasSuffix("/") ? String(channelURL.dropLast()) : channelURL) + "/" + trimmed)
        case (nil, nil):
            throw UpgradeError.input("plan: give --version V or --channel C")
        case (_?, _?):
            throw UpgradeError.input("plan: give --version or --channel, not both")
        }
    }

    public var description: String {
        switch self {
        case let .version(version): return version.description
        case let .channel(url): return "channel \(url)"
        }
    }
}
