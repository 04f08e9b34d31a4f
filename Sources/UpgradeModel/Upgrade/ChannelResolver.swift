import AsyncHTTPClient
import Foundation
import NIOCore

/// Resolves a release channel the way SUC does (RKE2-FACTS §2.1): GET with redirects disabled; a 302's
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
            throw UpgradeError.failed("cannot resolve channel \(url): \(KubeClient.transport(error, server: url).description)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        let code = Int(response.status.code)
        let versionText: String
        if code == 302, let location = response.headers.first(name: "Location") {
            versionText = String(location.split(separator: "/").last ?? "")
        } else if (200..<400).contains(code) {
            versionText = String(url.split(separator: "/").last ?? "")
        } else {
            throw UpgradeError.failed("cannot resolve channel \(url): HTTP \(code)")
        }
        let decoded = versionText.removingPercentEncoding ?? versionText
        guard let version = RKE2Version(decoded) else {
            throw UpgradeError.failed("channel \(url) resolved to \"\(decoded)\", which is not an RKE2 version")
        }
        return version
    }
}
