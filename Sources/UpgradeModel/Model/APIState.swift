import Foundation

public enum APIState: String, Sendable, Equatable {
    case ok, unreachable, unauthorized
    case notConfigured = "not-configured"
}

public enum ControllerState: String, Sendable, Equatable {
    case ready
    case notReady = "not-ready"
    case missing, unknown
}
