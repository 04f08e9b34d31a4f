import Foundation
import NIOHTTP1

/// What upgrade-tui asks of a Kubernetes API server: requests by path and verb, and watch streams.
/// `KubeClient` talks HTTP to a real one; `InMemoryKubeAPI` is the `--demo` cluster (and a fake for
/// tests). Everything above this seam (reflectors, the reader, operations) works with either.
public protocol KubeAPI: Sendable {
    /// Where it is, for the header and errors ("https://10.0.0.1:6443", "demo").
    var server: String { get }
    /// Set when the connection is not verified TLS.
    var insecurity: KubeAccess.Insecurity? { get }
    /// The kubeconfig context it was opened from, if any.
    var context: String? { get }
    /// One request; a non-2xx answer is a `KubeError`.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?, contentType: String?) async throws -> Data
    /// A watch: an empty `Data` once the server accepted it, then one event (JSON) per element.
    func watchLines(_ path: String, query: [(String, String)], timeoutSeconds: Int) -> AsyncThrowingStream<Data, Error>
    func shutdown() async
}

extension KubeAPI {
    public func send(_ method: HTTPMethod = .GET, _ path: String, query: [(String, String)] = [], body: Data? = nil) async throws -> Data {
        try await send(method, path, query: query, body: body, contentType: nil)
    }
}
