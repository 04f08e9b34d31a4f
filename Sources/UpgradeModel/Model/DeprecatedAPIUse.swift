import Foundation

/// A deprecated API some client requested since the API server started, from the gauge
/// `apiserver_requested_deprecated_apis{group,version,resource,subresource,removed_release}`
/// (RKE2-FACTS §7.5).
public struct DeprecatedAPIUse: Sendable, Equatable {
    public let group: String
    public let version: String
    public let resource: String
    public let subresource: String
    /// `removed_release` as the API server says it ("1.25"); empty when no removal is planned.
    public let removedRelease: String

    public init(group: String, version: String, resource: String, subresource: String = "", removedRelease: String) {
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource
        self.removedRelease = removedRelease
    }

    /// "policy/v1beta1 podsecuritypolicies" (core APIs: "v1 componentstatuses"; a subresource: "…/status").
    public var api: String {
        (group.isEmpty ? version : "\(group)/\(version)") + " " + resource + (subresource.isEmpty ? "" : "/\(subresource)")
    }

    /// The release that removes it, as (major, minor); nil when none is planned or it does not parse.
    public var removedIn: (major: Int, minor: Int)? {
        let parts = removedRelease.trimmingCharacters(in: .whitespaces).drop { $0 == "v" }.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    /// Removed at or before `target`'s minor: requests for it fail once the cluster runs the target.
    public func isRemoved(by target: RKE2Version) -> Bool {
        guard let removed = removedIn else { return false }
        return (removed.major, removed.minor) <= (target.major, target.minor)
    }
}

/// What `GET /metrics` told about deprecated API use.
public enum DeprecatedAPIScan: Sendable, Equatable {
    /// The gauge was read: the deprecated APIs requested since the API server last started (may be empty).
    case read([DeprecatedAPIUse])
    /// 401/403: the credentials may not `get` the non-resource URL `/metrics`.
    case forbidden(String)
    /// The endpoint did not answer (or not with metrics).
    case unavailable(String)
    /// The answer is not the Prometheus text format: the error names the endpoint and the line.
    case malformed(String)
}
