import Foundation

/// One sample of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`.
public struct MetricSample: Sendable, Equatable {
    public let name: String
    public let labels: [String: String]
    public let value: Double
    /// The line it came from (1-based), for errors.
    public let line: Int
}

/// The Prometheus text format (version 0.0.4), as kube-apiserver serves `/metrics`: enough of it to
/// read gauges. Comments (`# HELP`, `# TYPE`) and blank lines are skipped; anything else that is not a
/// sample is an error naming the source and the line, never a guess.
public enum PrometheusText {
    public static func parse(_ text: String, source: String) throws -> [MetricSample] {
        var samples: [MetricSample] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                samples.append(try sample(Array(trimmed.unicodeScalars), line: number))
            } catch let problem as Problem {
                let shown = TerminalText.line(String(trimmed.prefix(120)))
                throw UpgradeError.input("\(source) line \(number): \(problem.text): \(shown)\(trimmed.count > 120 ? "…" : "")")
            }
        }
        return samples
    }

    struct Problem: Error { let text: String }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == ":"
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") }

    private static func sample(_ s: [Unicode.Scalar], line: Int) throws -> MetricSample {
        var i = 0
        guard i < s.count, isNameStart(s[i]) else { throw Problem(text: "not a metric sample (a name must start the line)") }
        while i < s.count, isNameChar(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[0..<i]))
        var labels: [String: String] = [:]
        if i < s.count, s[i] == "{" {
            i += 1
            while true {
                while i < s.count, s[i] == " " || s[i] == "," { i += 1 }
                guard i < s.count else { throw Problem(text: "unterminated label set") }
                if s[i] == "}" { i += 1; break }
                let start = i
                guard isNameStart(s[i]) else { throw Problem(text: "bad label name") }
                while i < s.count, isNameChar(s[i]) { i += 1 }
                let key = String(String.UnicodeScalarView(s[start..<i]))
                while i < s.count, s[i] == " " { i += 1 }
                guard i < s.count, s[i] == "=" else { throw Problem(text: "label \(key) has no '='") }
                i += 1
                while i < s.count, s[i] == " " { i += 1 }
                guard i < s.count, s[i] == "\"" else { throw Problem(text: "label \(key) has no quoted value") }
                i += 1
                var value = String.UnicodeScalarView()
                var closed = false
                while i < s.count {
                    let c = s[i]
                    if c == "\\" {
                        guard i + 1 < s.count else { break }
                        let next = s[i + 1]
                        value.append(next == "n" ? "\n" : next)
                        i += 2
                    } else if c == "\"" {
                        closed = true
                        i += 1
                        break
                    } else {
                        value.append(c)
                        i += 1
                    }
                }
                guard closed else { throw Problem(text: "label \(key) has an unterminated value") }
                labels[key] = String(value)
            }
        }
        guard i < s.count, s[i] == " " || s[i] == "\t" else { throw Problem(text: "no value after \(name)") }
        let rest = String(String.UnicodeScalarView(s[i...])).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = rest.first, rest.count <= 2 else { throw Problem(text: "expected a value and an optional timestamp") }
        let value: Double
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(first) else { throw Problem(text: "'\(first.prefix(40))' is not a number") }
            value = parsed
        }
        if rest.count == 2, Int64(rest[1]) == nil { throw Problem(text: "'\(rest[1].prefix(40))' is not a timestamp") }
        return MetricSample(name: name, labels: labels, value: value, line: line)
    }
}

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

/// Reads `apiserver_requested_deprecated_apis` from the API server's `/metrics` (GET only).
public enum DeprecatedAPIs {
    public static let metric = "apiserver_requested_deprecated_apis"
    public static let path = "/metrics"
    /// Said wherever the gauge is shown: it is not a history of the cluster.
    public static let scope = "the gauge covers requests since the API server last started"

    public static func read(client: KubeClient) async -> DeprecatedAPIScan {
        let endpoint = client.access.server + path
        let data: Data
        do {
            data = try await client.send(.GET, path, accept: "text/plain;version=0.0.4")
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
