import Foundation

/// Runs what root trusts by the inode that was checked, never by a path that could change between
/// the check and the exec (SECURITY.md "Files that are executed"): the file is opened, its descriptor
/// checked, and `/proc/<our pid>/fd/<n>` executed while we hold it.
public enum TrustedExec {
    /// Runs a file that passes `TrustedPath`.
    public static func run(_ path: String, _ arguments: [String], timeout: TimeInterval) throws -> Subprocess.Result {
        if let problem = TrustedPath.problem(executable: path) { throw UpgradeError.refused("\(path) was not run: \(problem)") }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw POSIX.fail("cannot open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, let now = POSIX.fileInfo(path), now.st_dev == st.st_dev, now.st_ino == st.st_ino,
              TrustedPath.fileProblem(st, path: path, what: "file") == nil else {
            throw UpgradeError.refused("\(path) was not run: it changed while it was checked")
        }
        return try Subprocess.run("/proc/\(getpid())/fd/\(fd)", arguments, timeout: timeout)
    }

    /// Runs the executable of a running process: `/proc/PID/exe` is opened, and the process must still
    /// be the one inspected (same start time) after that, so the descriptor is its executable.
    public static func run(executableOf process: ProcessIdentity, _ arguments: [String], timeout: TimeInterval,
                           procRoot: String = "/proc", onLine: ((String) -> Void)? = nil) throws -> Subprocess.Result {
        let fd = open("\(procRoot)/\(process.pid)/exe", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw POSIX.fail("cannot open", "\(procRoot)/\(process.pid)/exe") }
        defer { close(fd) }
        var st = stat()
        guard process.isAlive(procRoot: procRoot), fstat(fd, &st) == 0,
              TrustedPath.fileProblem(st, path: "\(procRoot)/\(process.pid)/exe", what: "executable") == nil else {
            throw UpgradeError.refused("the executable of pid \(process.pid) was not run: the process changed or its file is not root's")
        }
        return try Subprocess.run("/proc/\(getpid())/fd/\(fd)", arguments, timeout: timeout, onLine: onLine)
    }
}
