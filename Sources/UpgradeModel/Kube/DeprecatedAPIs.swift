import Foundation

/// Reads `apiserver_requested_deprecated_apis` from the API server's `/metrics` (GET only).
public enum DeprecatedAPIs {
    public static let metric = "apiserver_requested_deprecated_apis"
    public static let path = "/metrics"
    /// Said wherever the gauge is shown: it is not a history of the cluster.
    public static let scope = "the gauge covers requests since the API server last started"

    public static func read(client: any KubeAPI) async -> DeprecatedAPIScan {
        let endpoint = client.server + path
        let data: Data
        do {
            if let http = client as? KubeClient {
                data = try await http.send(.GET, path, accept: "text/plain;version=0.0.4")
            } else {
                data = try await client.send(.GET, path)
            }
        } catch let error as KubeError {
            if case .unauthorized = error { return .forbidden("not allowed to read metrics (GET \(endpoint): \(error.description))") }
            return .unavailable("GET \(endpoint): \(error.description)")
        } catch {
            return .unavailable("GET \(endpoint): \(error)")
        }
        return scan(String(decoding: data, as: UTF8.self), source: endpoint)
    }

    /// The deprecated APIs in a `/metrics` body, sorted by removal release and name; a gauge at 0 is not a use.
    public static func scan(_ text: String, source: String) -> DeprecatedAPIScan {
        do {
            let samples = try PrometheusText.parse(text, source: source)
            var seen = Set<String>()
            var uses: [DeprecatedAPIUse] = []
            for sample in samples where sample.name == metric && sample.value != 0 && !sample.value.isNaN {
                let use = DeprecatedAPIUse(group: sample.labels["group"] ?? "", version: sample.labels["version"] ?? "",
                                           resource: sample.labels["resource"] ?? "", subresource: sample.labels["subresource"] ?? "",
                                           removedRelease: sample.labels["removed_release"] ?? "")
                if seen.insert(use.api + "@" + use.removedRelease).inserted { uses.append(use) }
            }
            uses.sort { a, b in
                let ra = a.removedIn.map { $0.major * 1000 + $0.minor } ?? Int.max
                let rb = b.removedIn.map { $0.major * 1000 + $0.minor } ?? Int.max
                return ra != rb ? ra < rb : a.api < b.api
            }
            return .read(uses)
        } catch let error as UpgradeError {
            return .malformed(error.message)
        } catch {
            return .malformed("\(source): \(error)")
        }
    }

    /// The preflight check for an upgrade to `target` (nil: the target is not known here).
    public static func check(_ scan: DeprecatedAPIScan, target: RKE2Version?) -> PreflightCheck {
        let name = "deprecated APIs"
        switch scan {
        case let .forbidden(message):
            return PreflightCheck(name, .warn, "not run: \(message)")
        case let .unavailable(message):
            return PreflightCheck(name, .warn, "not run: \(message)")
        case let .malformed(message):
            return PreflightCheck(name, .warn, "not run: \(message)")
        case let .read(uses):
            guard !uses.isEmpty else {
                return PreflightCheck(name, .pass, "no deprecated API requested (\(scope))")
            }
            guard let target else {
                return PreflightCheck(name, .warn, "requested: " + uses.map(describe).joined(separator: "; ")
                                      + " (the target is unknown here; \(scope))")
            }
            let removed = uses.filter { $0.isRemoved(by: target) }
            let later = uses.filter { !$0.isRemoved(by: target) }
            if !removed.isEmpty {
                var text = removed.map(describe).joined(separator: "; ")
                if !later.isEmpty { text += "; later: " + later.map(describe).joined(separator: "; ") }
                return PreflightCheck(name, .fail, text + " (\(scope)): move those clients to the current API versions first")
            }
            return PreflightCheck(name, .warn, later.map(describe).joined(separator: "; ") + " (not removed by \(target.minorLine); \(scope))")
        }
    }

    /// "policy/v1beta1 podsecuritypolicies removed in 1.25, requested since the API server started".
    public static func describe(_ use: DeprecatedAPIUse) -> String {
        let removal = use.removedRelease.isEmpty ? "deprecated (no removal planned)" : "removed in \(use.removedRelease)"
        return "\(use.api) \(removal), requested since the API server started"
    }
}
