import Foundation

/// Appends one JSON line per mutating operation. Opened before the operation starts, so that an
/// unwritable log refuses the operation instead of losing its record.
public final class AuditLog: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        try POSIX.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o750)
        // Never through a symlink, never into a FIFO, never into another user's file.
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let why = errno == ELOOP ? "it is a symlink" : POSIX.errorText()
            throw UpgradeError.refused("cannot write the audit log \(path): \(why); pass --audit-log PATH")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, POSIX.isRegular(st), st.st_uid == POSIX.effectiveUID, st.st_nlink == 1 else {
            close(fd)
            throw UpgradeError.refused("the audit log \(path) is not a regular file of uid \(POSIX.effectiveUID) with one link; pass --audit-log PATH")
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
