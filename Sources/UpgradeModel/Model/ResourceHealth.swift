import Foundation

/// How one resource's list+watch is doing.
public enum ResourceHealth: Sendable, Equatable {
    /// Not asked yet.
    case pending
    case ok
    /// 404 on the collection: the CRD is not installed (for Plans: no system-upgrade-controller).
    case missing
    case unauthorized(String)
    /// No answer; `retryAt` is when the next attempt starts.
    case unreachable(String, retryAt: Date?)
}
