import AsyncHTTPClient
import Foundation
import NIOCore

/// Why a channel did not resolve: the channel server gave a definite answer that is not a version
/// (404, a redirect to something else): the target is wrong; or it could not be asked: unknown here.
public struct ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// true: the server could not be reached (the version checks cannot run); false: it answered.
    public let unreachable: Bool

    public init(_ message: String, unreachable: Bool) {
        self.message = message
        self.unreachable = unreachable
    }

    public var description: String { message }
}

/// Resolves a release channel the way SUC does (docs/rke2-rules.md#suc-channel-resolution): GET with redirects disabled; a 302's
/// `Location` ends in the version; any other 2xx/3xx answer means the URL's own last element is it.
public enum ChannelResolver {
    public static func resolve(_ url: String, timeout: TimeAmount = .seconds(10)) async throws -> RKE2Version {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: timeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { client.shutdown { _ in } }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "upgrade-tui/1")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw ChannelError("cannot reach the channel server for \(url): \(KubeClient.transport(error, server: url).description)", unreachable: true)
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        let code = Int(response.status.code)
        let decoded: String
        if code == 302, let location = response.headers.first(name: "Location") {
            decoded = locationVersion(location, requestURL: url)
        } else if (200..<400).contains(code) {
            let versionText = String(url.split(separator: "/").last ?? "")
            decoded = versionText.removingPercentEncoding ?? versionText
        } else {
            throw ChannelError("channel \(url) answered HTTP \(code): no such channel", unreachable: code >= 500)
        }
        guard let version = RKE2Version(decoded) else {
            throw ChannelError("channel \(url) resolved to \"\(decoded)\", which is not an RKE2 version", unreachable: false)
        }
        return version
    }

    /// SUC's `filepath.Base(redirect.Path)` (system-upgrade-controller `pkg/upgrade/plan/plan.go`
    /// `ResolveChannel`): `response.Location()` resolved against the request, its `Path` (percent-decoded:
    /// `%2B` is `+`; no query string, no fragment), then the last element (trailing slashes dropped).
    static func locationVersion(_ location: String, requestURL: String) -> String {
        let resolved = URL(string: location, relativeTo: URL(string: requestURL))?.absoluteURL
        let path = resolved.flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: true)?.path }
            ?? location.split(separator: "?").first.map(String.init) ?? location
        let base = path.split(separator: "/").last.map(String.init) ?? ""
        return base.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : base
    }
}
