import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Why a request to the API server failed, in the terms the dashboard reports.
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a Status (404 NotFound, 409 Conflict, 410 Expired, …).
    case status(code: Int, reason: String, message: String)
    /// 401 or 403.
    case unauthorized(code: Int, message: String)
    /// No answer: refused, reset, TLS failure, timeout.
    case unreachable(String)
    /// The answer was not what the API promises.
    case decoding(String)

    public var description: String {
        switch self {
        case let .status(code, reason, message): return "\(code) \(reason): \(message)"
        case let .unauthorized(code, message): return "\(code == 401 ? "401 Unauthorized" : "403 Forbidden"): \(message)"
        case let .unreachable(message): return message
        case let .decoding(message): return message
        }
    }

    public var code: Int? {
        switch self {
        case let .status(code, _, _), let .unauthorized(code, _): return code
        default: return nil
        }
    }

    public var isNotFound: Bool { code == 404 }
    public var isGone: Bool { code == 410 }
    /// kube-apiserver's answer to a watch (or list) from a resourceVersion it has not reached, after
    /// waiting ~3 s: 504 with the cause `ResourceVersionTooLarge` (apiserver `storage.NewTooLargeResourceVersionError`,
    /// "Timeout: Too large resource version: N, current: M"). After an etcd restore it never catches up.
    public var isResourceVersionTooLarge: Bool {
        guard case let .status(code, _, message) = self, code == 504 else { return false }
        return message.contains("ResourceVersionTooLarge") || message.contains("Too large resource version")
    }
    public var isDecoding: Bool { if case .decoding = self { return true } else { return false } }
}

/// The `Status` object the API server answers errors with.
struct KStatus: Decodable {
    struct Details: Decodable {
        struct Cause: Decodable { let reason: String? }
        let causes: [Cause]?
    }
    let message: String?
    let reason: String?
    let code: Int?
    let details: Details?

    /// The causes' reasons (e.g. `ResourceVersionTooLarge`) when the message does not already say them.
    var causeSuffix: String {
        let reasons = (details?.causes ?? []).compactMap(\.reason).filter { !(message ?? "").contains($0) }
        return reasons.isEmpty ? "" : " (" + reasons.joined(separator: ", ") + ")"
    }
}
