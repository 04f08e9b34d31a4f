/// The version skew rules an RKE2 upgrade must respect (docs/rke2-rules.md#version-skew-rules). Neither SUC nor rke2-upgrade
/// enforces any of them, so upgrade-tui does. Each rule is a pure function that returns the problems it
/// finds; an empty list means the step is allowed.
public enum SkewProblem: Sendable, Equatable, CustomStringConvertible {
    /// The target is older than what runs now; RKE2 has no downgrade path short of an etcd restore.
    case downgrade(from: RKE2Version, to: RKE2Version)
    /// The target skips at least one minor release.
    case minorSkip(from: RKE2Version, to: RKE2Version)
    /// A kubelet would be newer than an API server.
    case kubeletNewerThanAPIServer(kubelet: RKE2Version, apiServer: RKE2Version)
    /// An agent would move before every control-plane node runs the target.
    case agentBeforeServers(target: RKE2Version, oldestServer: RKE2Version)
    /// HA API servers more than one minor apart.
    case apiServerSkew(oldest: RKE2Version, newest: RKE2Version)

    public var description: String {
        switch self {
        case let .downgrade(from, to):
            return "\(to) is older than \(from): downgrades are not supported (roll back by restoring an etcd snapshot)"
        case let .minorSkip(from, to):
            let skipped = (from.minor + 1..<to.minor).map { "v\(from.major).\($0)" }.joined(separator: ", ")
            let skippedText = skipped.isEmpty ? "a major version" : skipped
            return "\(from) → \(to) skips \(skippedText): upgrade one minor version at a time"
        case let .kubeletNewerThanAPIServer(kubelet, apiServer):
            return "kubelet \(kubelet) would be newer than API server \(apiServer)"
        case let .agentBeforeServers(target, oldest):
            return "control-plane nodes still run \(oldest): upgrade servers to \(target) before agents"
        case let .apiServerSkew(oldest, newest):
            return "API servers \(oldest) and \(newest) are more than one minor version apart"
        }
    }
}

public enum SkewRules {
    /// Moving a node (or the cluster's lowest node) from `current` to `target`: no downgrade, no minor skip.
    /// The same version is allowed: rerunning an upgrade is a no-op, not a problem.
    public static func upgrade(from current: RKE2Version, to target: RKE2Version) -> [SkewProblem] {
        if target < current { return [.downgrade(from: current, to: target)] }
        if current.minorDistance(to: target) > 1 { return [.minorSkip(from: current, to: target)] }
        return []
    }

    /// A kubelet must not be newer than any API server it talks to.
    public static func kubelet(_ kubelet: RKE2Version, apiServers: [RKE2Version]) -> [SkewProblem] {
        guard let oldest = apiServers.min() else { return [] }
        return kubelet.sameRelease(as: oldest) || kubelet < oldest
            ? [] : [.kubeletNewerThanAPIServer(kubelet: kubelet, apiServer: oldest)]
    }

    /// Servers before agents: an agent may move to `target` only when every control-plane node runs it
    /// (or something newer). With no control-plane version known there is nothing to compare against.
    public static func agentUpgrade(to target: RKE2Version, controlPlane: [RKE2Version]) -> [SkewProblem] {
        guard let oldest = controlPlane.min() else { return [] }
        return oldest.sameRelease(as: target) || oldest > target
            ? [] : [.agentBeforeServers(target: target, oldestServer: oldest)]
    }

    /// HA API servers must stay within one minor version of each other.
    public static func apiServers(_ versions: [RKE2Version]) -> [SkewProblem] {
        guard let oldest = versions.min(), let newest = versions.max() else { return [] }
        return oldest.minorDistance(to: newest) > 1 ? [.apiServerSkew(oldest: oldest, newest: newest)] : []
    }
}
