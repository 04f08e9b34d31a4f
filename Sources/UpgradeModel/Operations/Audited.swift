import Foundation

/// The frame of every mutating operation: the privilege check, the audit log opened before anything
/// changes (an unwritable log refuses the operation), the node lock, an `intent` record appended and
/// fsynced before the body acts, and a `result` record whatever happens: `ok` (or what the body sets,
/// e.g. `no-op`), `refused`, `failed` or `interrupted`, for any error type. A process killed outright
/// leaves the intent without a result: the log still shows what was started.
public enum Audited {
    public static func run<T>(paths: HostPaths, command: String, arguments: [String], lockLabel: String? = nil,
                              user: AuditUser = .current, time: Date = Date(), _ body: (inout AuditRecord) throws -> T) throws -> T {
        let (audit, lock, record) = try begin(paths: paths, command: command, arguments: arguments, lockLabel: lockLabel, user: user, time: time)
        defer { lock.release() }
        var current = record
        do {
            let value = try body(&current)
            current.time = Date()
            try audit.append(current)
            return value
        } catch {
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
            current.time = Date()
            try audit.append(current)
            return value
        } catch {
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
            var intent = record
            intent.phase = .intent
            intent.result = .started
            do {
                try audit.append(intent)
            } catch {
                lock.release()
                throw error
            }
            return (audit, lock, record)
        } catch {
            throw fail(error, record: record, audit: audit)
        }
    }

    private static func fail(_ error: Error, record: AuditRecord, audit: AuditLog) -> Error {
        var record = record
        record.time = Date()
        if let error = error as? UpgradeError {
            switch error.kind {
            case .failed: record.result = .failed
            case .interrupted: record.result = .interrupted
            case .input, .refused: record.result = .refused
            }
            record.error = error.message
        } else {
            record.result = .failed
            record.error = "\(error)"
        }
        try? audit.append(record)
        return error
    }
}
