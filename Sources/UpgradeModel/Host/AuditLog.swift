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

/// One line of the audit log: what a mutating operation did on this node (DESIGN.md safety rules).
public struct AuditRecord: Sendable, Equatable {
    public struct BinaryState: Sendable, Equatable {
        public var version: String?
        public var sha256: String?
        public init(version: String?, sha256: String?) {
            self.version = version
            self.sha256 = sha256
        }
    }

    public var time: Date
    public var user: AuditUser
    public var node: String
    public var command: String
    public var arguments: [String]
    public var before: BinaryState?
    public var after: BinaryState?
    /// `ok`, `no-op`, `refused` or `failed`.
    public var result: String
    public var error: String?
    /// Operation-specific facts (markers created, forced checks and the reason).
    public var details: [String: String]

    public init(command: String, arguments: [String], user: AuditUser = .current, node: String = POSIX.hostName(),
                time: Date = Date()) {
        self.time = time
        self.user = user
        self.node = node
        self.command = command
        self.arguments = arguments
        self.result = "ok"
        self.details = [:]
    }

    public var json: JSONValue {
        func binary(_ state: BinaryState?) -> JSONValue {
            guard let state else { return .null }
            return .object([("version", .string(state.version)), ("sha256", .string(state.sha256))])
        }
        return .object([
            ("time", .string(JSONValue.timestamp(time))),
            ("user", .string(user.name)),
            ("uid", .number(Double(user.uid))),
            ("node", .string(node)),
            ("command", .string(command)),
            ("arguments", .array(arguments.map { .string($0) })),
            ("before", binary(before)),
            ("after", binary(after)),
            ("result", .string(result)),
            ("error", .string(error)),
            ("details", .object(details.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ])
    }
}

/// Appends one JSON line per mutating operation. Opened before the operation starts, so that an
/// unwritable log refuses the operation instead of losing its record.
public final class AuditLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        try POSIX.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o750)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw UpgradeError.refused("cannot write the audit log \(path): \(POSIX.errorText()); pass --audit-log PATH")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// One `write` of a whole line (appends of this size are atomic on local filesystems), then fsync.
    public func append(_ record: AuditRecord) throws {
        let line = record.json.serialized() + "\n"
        try POSIX.writeAll(fd: fd, Data(line.utf8), path: path)
        guard fsync(fd) == 0 else { throw POSIX.fail("cannot fsync", path) }
    }
}

/// The frame of every mutating operation: the privilege check, the audit log opened before anything
/// changes (an unwritable log refuses the operation), the node lock, and exactly one record whatever
/// happens: `ok` (or what the body sets, e.g. `no-op`), `refused` or `failed` with the error.
public enum Audited {
    public static func run<T>(paths: HostPaths, command: String, arguments: [String], lockLabel: String? = nil,
                              user: AuditUser = .current, time: Date = Date(), _ body: (inout AuditRecord) throws -> T) throws -> T {
        let (audit, lock, record) = try begin(paths: paths, command: command, arguments: arguments, lockLabel: lockLabel, user: user, time: time)
        defer { lock.release() }
        var current = record
        do {
            let value = try body(&current)
            try audit.append(current)
            return value
        } catch let error as UpgradeError {
            throw fail(error, record: current, audit: audit)
        }
    }

    public static func run<T>(paths: HostPaths, command: String, arguments: [String], lockLabel: String? = nil,
                              user: AuditUser = .current, time: Date = Date(), _ body: (inout AuditRecord) async throws -> T) async throws -> T {
        let (audit, lock, record) = try begin(paths: paths, command: command, arguments: arguments, lockLabel: lockLabel, user: user, time: time)
        defer { lock.release() }
        var current = record
        do {
            let value = try await body(&current)
            try audit.append(current)
            return value
        } catch let error as UpgradeError {
            throw fail(error, record: current, audit: audit)
        }
    }

    private static func begin(paths: HostPaths, command: String, arguments: [String], lockLabel: String?, user: AuditUser,
                              time: Date) throws -> (AuditLog, OperationLock, AuditRecord) {
        try Privilege.requireWriteAccess(dataDir: paths.dataDir, command: command)
        let audit = try AuditLog(path: paths.auditLog)
        let record = AuditRecord(command: command, arguments: arguments, user: user, time: time)
        do {
            let lock = try OperationLock.acquire(path: paths.lockFile, command: lockLabel ?? ([command] + arguments).joined(separator: " "), user: user)
            return (audit, lock, record)
        } catch let error as UpgradeError {
            throw fail(error, record: record, audit: audit)
        }
    }

    private static func fail(_ error: UpgradeError, record: AuditRecord, audit: AuditLog) -> UpgradeError {
        var record = record
        record.result = error.kind == .failed ? "failed" : "refused"
        record.error = error.message
        try? audit.append(record)
        return error
    }
}
