import Foundation

/// Whether root may execute a file (SECURITY.md "What upgrade-tui trusts"): only when no user but
/// root could have put its bytes there. The file must be a regular file owned by root and not writable
/// by group or others, and every directory above it and every symlink on the way (on the path as
/// given, and on the path its symlinks resolve to) must be owned by root and, for directories, not
/// writable by group or others. No exception for sticky directories such as `/tmp`: a user may put a
/// hardlink to any root-owned file there, or swap a directory for a symlink.
public enum TrustedPath {
    /// nil when trusted; otherwise why not, naming the path at fault.
    public static func problem(executable path: String) -> String? {
        guard path.hasPrefix("/") else { return "\(path) is not an absolute path" }
        if let problem = chainProblem(path) { return problem }
        if let st = POSIX.linkInfo(path), POSIX.isSymlink(st), !isTrustedOwner(st.st_uid) {
            return "\(path) is a symlink owned by uid \(st.st_uid), not root"
        }
        guard let resolved = realPath(path) else { return "\(path) cannot be resolved: \(POSIX.errorText())" }
        if resolved != path, let problem = chainProblem(resolved) { return problem }
        guard let st = POSIX.fileInfo(resolved) else { return "\(path) does not exist" }
        return fileProblem(st, path: resolved, what: "file")
    }

    /// A process' executable, as `/proc/PID/exe` shows it: the inode (which stays valid when the file
    /// was replaced or deleted) must be root's, and the directory it was started from must be too.
    public static func problem(processExe procExe: String, path: String) -> String? {
        guard let st = POSIX.fileInfo(procExe) else { return "cannot inspect \(procExe): \(POSIX.errorText())" }
        if let problem = fileProblem(st, path: path, what: "executable") { return problem }
        return chainProblem(path)
    }

    /// The directories above `path` (not `path` itself), each checked with lstat.
    static func chainProblem(_ path: String) -> String? {
        var prefixes = ["/"]
        for component in path.split(separator: "/").dropLast() {
            prefixes.append((prefixes.count == 1 ? "" : prefixes.last!) + "/" + component)
        }
        for directory in prefixes {
            guard let st = POSIX.linkInfo(directory) else { return "cannot inspect \(directory): \(POSIX.errorText())" }
            if POSIX.isSymlink(st) {
                // A link is as trustworthy as the directory it sits in (checked before it) and its
                // owner; where it leads is checked on the resolved path.
                guard isTrustedOwner(st.st_uid) else { return "\(directory) is a symlink owned by uid \(st.st_uid), not root" }
                continue
            }
            guard POSIX.isDirectory(st) else { return "\(directory) is not a directory" }
            if let problem = ownerProblem(st, path: directory, what: "directory") { return problem }
        }
        return nil
    }

    static func fileProblem(_ st: stat, path: String, what: String) -> String? {
        guard POSIX.isRegular(st) else { return "\(path) is not a regular file" }
        return ownerProblem(st, path: path, what: what)
    }

    /// Owned by root (or by the invoking user when that is not root: running your own file as yourself
    /// gains nothing); not writable by group or others.
    static func ownerProblem(_ st: stat, path: String, what: String) -> String? {
        guard isTrustedOwner(st.st_uid) else { return "\(what) \(path) is owned by uid \(st.st_uid), not root" }
        if st.st_mode & 0o022 != 0 {
            return "\(what) \(path) is writable by \(st.st_mode & 0o002 != 0 ? "others" : "its group") (mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }

    /// root, or the invoking user when that is not root.
    public static func isTrustedOwner(_ uid: uid_t) -> Bool {
        uid == 0 || (POSIX.effectiveUID != 0 && uid == POSIX.effectiveUID)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
