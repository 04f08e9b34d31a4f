import Foundation

/// Who runs the command: `SUDO_USER` (the person behind sudo) or `USER`, and the effective uid.
public struct AuditUser: Sendable, Equatable {
    public let name: String
    public let uid: UInt32

    public static var current: AuditUser {
        let env = ProcessInfo.processInfo.environment
        let uid = POSIX.effectiveUID
        let name = env["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? env["USER"] ?? POSIX.userName(uid: uid) ?? "uid \(uid)"
        return AuditUser(name: name, uid: uid)
    }
}

/// One line of the audit log: what a mutating operation did on this node (docs/status-json.md#audit-log-records).
public struct AuditRecord: Sendable, Equatable {
    public struct BinaryState: Sendable, Equatable {
        public var version: String?
        public var sha256: String?
        public init(version: String?, sha256: String?) {
            self.version = version
            self.sha256 = sha256
        }
    }

    /// Joins an operation's `intent` record (appended before it acts) to its `result` record.
    public var id: String
    /// `intent` or `result`.
    public var phase: AuditPhase
    public var time: Date
    public var user: AuditUser
    public var node: String
    public var command: String
    public var arguments: [String]
    public var before: BinaryState?
    public var after: BinaryState?
    /// `started` (intent), then `ok`, `no-op`, `refused`, `failed` or `interrupted`.
    public var result: AuditResult
    public var error: String?
    /// Operation-specific facts (markers created, forced checks and the reason).
    public var details: [String: String]

    public init(command: String, arguments: [String], user: AuditUser = .current, node: String = POSIX.hostName(),
                time: Date = Date()) {
        self.id = "\(UInt64(time.timeIntervalSince1970 * 1000))-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        self.phase = .result
        self.time = time
        self.user = user
        self.node = node
        self.command = command
        self.arguments = arguments
        self.result = .ok
        self.details = [:]
    }

    public var json: JSONValue {
        func binary(_ state: BinaryState?) -> JSONValue {
            guard let state else { return .null }
            return .object([("version", .string(state.version)), ("sha256", .string(state.sha256))])
        }
        return .object([
            ("id", .string(id)),
            ("phase", .string(phase.rawValue)),
            ("time", .string(UTCTime.rfc3339(time))),
            ("user", .string(user.name)),
            ("uid", .number(Double(user.uid))),
            ("node", .string(node)),
            ("command", .string(command)),
            ("arguments", .array(arguments.map { .string($0) })),
            ("before", binary(before)),
            ("after", binary(after)),
            ("result", .string(result.rawValue)),
            ("error", .string(error)),
            ("details", .object(details.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ])
    }
}
