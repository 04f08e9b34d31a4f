import Foundation

/// The one lock that serialises mutating operations on a node (`<data-dir>/upgrade-tui/lock`).
/// It is an advisory `flock`, so a crashed holder releases it with its last descriptor; the file's
/// content names the holder so that a refusal can say who holds it.
public final class OperationLock: @unchecked Sendable {
    private var fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { release() }

    public func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// Takes the lock or throws a refusal that names the holder.
    public static func acquire(path: String, command: String, user: AuditUser = .current) throws -> OperationLock {
        try POSIX.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o700)
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIX.fail("cannot open lock file", path) }
        var st = stat()
        guard fstat(fd, &st) == 0, POSIX.isRegular(st), st.st_uid == POSIX.effectiveUID, st.st_nlink == 1 else {
            close(fd)
            throw UpgradeError.refused("the lock file \(path) is not a regular file of uid \(POSIX.effectiveUID) with one link; remove it")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = (try? POSIX.readAll(fd: fd, path: path, limit: 4096)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            if code == EWOULDBLOCK {
                let who = holder.trimmingCharacters(in: .whitespacesAndNewlines)
                throw UpgradeError.refused("another upgrade-tui operation holds \(path)\(who.isEmpty ? "" : ": \(who)"); wait for it to finish")
            }
            throw UpgradeError.failed("cannot lock \(path): \(POSIX.errorText(code))")
        }
        let stamp = UTCTime.rfc3339(Date(), fraction: false)
        let text = "pid \(getpid()), \(command), by \(user.name) since \(stamp)\n"
        _ = ftruncate(fd, 0)
        _ = lseek(fd, 0, SEEK_SET)
        try? POSIX.writeAll(fd: fd, Data(text.utf8), path: path)
        return OperationLock(fd: fd, path: path)
    }
}
