import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A native Kubernetes client on AsyncHTTPClient + NIOSSL: client certificates, bearer tokens, CA data.
/// It knows paths and verbs, not resource types (see `KubeResource`).
public final class KubeClient: KubeAPI {
    public let access: KubeAccess
    private let http: HTTPClient
    /// Deadline of a non-watch request, body included.
    public let requestTimeout: TimeAmount

    public init(access: KubeAccess, requestTimeout: TimeAmount = .seconds(10)) throws {
        try access.checkCredentialsTransport()
        self.access = access
        self.requestTimeout = requestTimeout
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = access.caPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if access.insecureSkipTLSVerify { tls.certificateVerification = .none }
            if let cert = access.clientCertificatePEM, let key = access.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw UpgradeError.input("kubeconfig \(access.source): unusable certificate or key: \(error)")
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(90)))
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        // HTTP/1.1 holds one connection per open watch (8 reflectors); the default of 8 per host would
        // leave none for a LIST, a GET or a Plan write, which would then wait behind the watches forever.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        // Fail a request as soon as its connection cannot be made: the reflectors retry with their own
        // backoff and report "unreachable" meanwhile, instead of a request waiting silently for minutes.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Once, first thing in `main`, before any client exists: the HTTP clients' event loops run on one
    /// thread. NIO's default is a thread per core (64 on a large control-plane node), each with its own
    /// buffers and stack; a dozen connections (the watches, a LIST) need one, and the decoding runs in
    /// the concurrency runtime's threads anyway.
    public static func useOneEventLoopThread() {
        NIOSingletons.groupLoopCountSuggestion = 1
    }

    public var server: String { access.server }
    public var insecurity: KubeAccess.Insecurity? { access.insecurity }
    public var context: String? { access.context }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// A forgotten `shutdown()` (an error path, a failed test) must not crash the process:
    /// AsyncHTTPClient traps when a live client is deinitialised.
    deinit {
        http.shutdown { _ in }
    }

    /// The token, or the token file's content read now (a rotated token is picked up). A token file
    /// that cannot be read (missing, a FIFO, too large) is an authentication failure naming it.
    private func bearer() throws -> String? {
        guard let file = access.tokenFile else { return access.token }
        do {
            guard let data = try POSIX.readFileIfPresent(file, limit: 1 << 20) else {
                throw UpgradeError.input("\(file) does not exist")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let error as UpgradeError {
            throw KubeError.unauthorized(code: 401, message: "kubeconfig \(access.source): tokenFile: \(error.message)")
        }
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+,;/?:@ ")
        return "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }

    private func request(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data? = nil,
                         contentType: String? = nil, accept: String = "application/json") throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: access.server + path + Self.queryString(query))
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "upgrade-tui/1")
        if let token = try bearer() { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// GET (or another verb) with a body-complete deadline; a non-2xx answer becomes a `KubeError`.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?, contentType: String?) async throws -> Data {
        try await send(method, path, query: query, body: body, contentType: contentType, accept: "application/json")
    }

    /// The same, asking for another representation (`/metrics` is Prometheus text).
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
                     contentType: String? = nil, accept: String) async throws -> Data {
        do {
            let response = try await http.execute(try request(method, path, query: query, body: body, contentType: contentType, accept: accept),
                                                  timeout: requestTimeout)
            let collected = try await response.body.collect(upTo: 64 << 20)
            let data = Data(collected.readableBytesView)
            try Self.check(status: response.status, body: data, path: path)
            return data
        } catch let error as KubeError {
            throw error
        } catch {
            throw Self.transport(error, server: access.server, ca: access.caDescription)
        }
    }

    /// The longest watch event accepted: a line that never ends must not grow memory without bound.
    public static let maxWatchLine = 16 << 20

    /// Opens a watch stream; yields an empty `Data` once the server accepted the watch, then one line
    /// (a watch event's JSON) at a time. A line longer than `maxLine` ends the stream with a decoding error.
    public func watchLines(_ path: String, query: [(String, String)], timeoutSeconds: Int) -> AsyncThrowingStream<Data, Error> {
        watchLines(path, query: query, timeoutSeconds: timeoutSeconds, maxLine: Self.maxWatchLine)
    }

    public func watchLines(_ path: String, query: [(String, String)], timeoutSeconds: Int, maxLine: Int) -> AsyncThrowingStream<Data, Error> {
        let http = self.http
        let server = access.server
        let label = path
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let request = try self.request(.GET, path, query: query + [("watch", "true"), ("timeoutSeconds", String(timeoutSeconds))])
                    let response = try await http.execute(request, timeout: .seconds(Int64(timeoutSeconds) + 30))
                    if !(200..<300).contains(Int(response.status.code)) {
                        let body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                        try Self.check(status: response.status, body: body, path: path)
                    }
                    continuation.yield(Data())
                    var pending = Data()
                    for try await buffer in response.body {
                        var searchFrom = pending.endIndex
                        pending.append(contentsOf: buffer.readableBytesView)
                        while let newline = pending[searchFrom...].firstIndex(of: 0x0A) {
                            let line = pending[pending.startIndex..<newline]
                            if !line.isEmpty { continuation.yield(Data(line)) }
                            pending = Data(pending[(newline + 1)...])
                            searchFrom = pending.startIndex
                        }
                        if pending.count > maxLine {
                            throw KubeError.decoding("\(label): a watch event is longer than \(maxLine) bytes; listing again")
                        }
                    }
                    if !pending.isEmpty { continuation.yield(pending) }
                    continuation.finish()
                } catch let error as KubeError {
                    continuation.finish(throwing: error)
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Self.transport(error, server: server, ca: access.caDescription))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func check(status: HTTPResponseStatus, body: Data, path: String) throws {
        let code = Int(status.code)
        guard !(200..<300).contains(code) else { return }
        let parsed = try? JSONDecoder().decode(KStatus.self, from: body)
        let message = (parsed?.message ?? String(decoding: body.prefix(200), as: UTF8.self)) + (parsed?.causeSuffix ?? "")
        if code == 401 || code == 403 { throw KubeError.unauthorized(code: code, message: "\(path): \(message)") }
        throw KubeError.status(code: code, reason: parsed?.reason ?? status.reasonPhrase, message: message)
    }

    /// One line an operator can act on: which server, which CA, which name; never library internals
    /// or build paths.
    static func transport(_ error: Error, server: String, ca: String = "the system's CAs") -> KubeError {
        if let error = error as? KubeError { return error }
        let text = "\(error)"
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            if text.contains("EOF during handshake") || text.contains("uncleanShutdown") {
                return .unreachable("\(server): connection closed during the TLS handshake (a client certificate the server does not accept?)")
            }
            if text.contains("failedToValidateHostname") || text.contains("hostname") {
                let host = URL(string: server)?.host ?? server
                return .unreachable("TLS: the certificate of \(server) is not valid for the name \(host) (set the kubeconfig's server to a name the certificate lists, or tls-server-name)")
            }
            if text.contains("CERTIFICATE_VERIFY_FAILED") || text.lowercased().contains("certificate verify failed") {
                return .unreachable("TLS: the certificate of \(server) is not signed by \(ca)")
            }
            // The reason BoringSSL gives (WRONG_VERSION_NUMBER, …), without paths or error numbers.
            let reason = text.range(of: "[A-Z][A-Z0-9]+(_[A-Z0-9]+)+", options: .regularExpression).map { String(text[$0]) } ?? "handshake failed"
            return .unreachable("TLS error talking to \(server): \(reason.replacingOccurrences(of: "_", with: " ").lowercased())")
        }
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout: return .unreachable("\(server): connection timed out")
            case .deadlineExceeded: return .unreachable("\(server): request timed out")
            case .readTimeout: return .unreachable("\(server): no data within the read timeout")
            case .remoteConnectionClosed: return .unreachable("\(server): connection closed by the server")
            default: return .unreachable("\(server): \(http)")
            }
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return .unreachable("\(server): connection refused")
        }
        if text.contains("connectTimeout") { return .unreachable("\(server): connection timed out") }
        // Never a type dump with build paths: the first line, without source locations.
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return .unreachable("\(server): \(line.replacingOccurrences(of: " at /[^ ]*", with: "", options: .regularExpression))")
    }
}
