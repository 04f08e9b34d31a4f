import Foundation

/// Private copies of swap candidates (SECURITY.md "Swap"). A candidate is copied into a fresh
/// directory `.upgrade-tui-staging.<pid>.XXXXXX` beside the binary it will replace (root's, mode
/// 0711); the copy is root's with mode 0750 and the group of the sandbox that may run it, so no other
/// user can read or change it. Only that copy is hashed, run and installed, so what was reviewed is
/// what is installed, whatever happens to the original path afterwards.
enum Staging {
    static let prefix = ".upgrade-tui-staging."

    struct Staged {
        let path: String
        let sha256: String
        /// The candidate had an execute bit (the copy always has: it is run and installed from here).
        let executable: Bool
        /// The uid and gid of the sandbox that may run the copy (`CandidateSandbox`).
        let sandboxID: UInt32
    }

    static func stage(_ source: String, besideTarget target: String) throws -> Staged {
        var dir = (target as NSString).deletingLastPathComponent
        // An unprivileged review (`swap --dry-run` as a user) stages in its own temporary directory:
        // it runs nothing as root and can install nothing.
        if POSIX.effectiveUID != 0 && access(dir, W_OK) != 0 { dir = (NSTemporaryDirectory() as NSString).standardizingPath }
        removeStale(in: dir)
        let input = open(source, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard input >= 0 else {
            if errno == ENOENT { throw UpgradeError.input("\(source) does not exist") }
            throw UpgradeError.input("cannot read \(source): \(POSIX.errorText())")
        }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0, POSIX.isRegular(st) else { throw UpgradeError.input("\(source) is not a regular file") }
        var template = Array("\(dir)/\(prefix)\(getpid()).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIX.fail("cannot create a staging directory in", dir) }
        let stagingDir = String(cString: made)
        let path = stagingDir + "/rke2"
        do {
            let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o700)
            guard output >= 0 else { throw POSIX.fail("cannot create", path) }
            defer { close(output) }
            try BinaryInstaller.copy(from: input, to: output, source: source, destination: path)
            guard fsync(output) == 0 else { throw POSIX.fail("cannot fsync", path) }
            let sandboxID = CandidateSandbox.freshID()
            if POSIX.effectiveUID == 0 { guard fchown(output, 0, sandboxID) == 0 else { throw POSIX.fail("cannot set the group of", path) } }
            guard fchmod(output, 0o750) == 0, chmod(stagingDir, 0o711) == 0 else { throw POSIX.fail("cannot set the mode of", path) }
            return Staged(path: path, sha256: try ManifestScanner.sha256(ofFile: path), executable: st.st_mode & 0o111 != 0, sandboxID: sandboxID)
        } catch {
            remove(path)
            throw error
        }
    }

    /// Removes a staged copy and its directory.
    static func remove(_ staged: String) {
        let dir = (staged as NSString).deletingLastPathComponent
        guard (dir as NSString).lastPathComponent.hasPrefix(prefix) else { return }
        unlink(staged)
        rmdir(dir)
    }

    /// Staging directories of runs that died, and earlier ones of this process (a new review
    /// supersedes them).
    static func removeStale(in dir: String) {
        for name in (try? POSIX.listDirectory(dir)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).split(separator: ".").first ?? ""
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = dir + "/" + name
            guard let st = POSIX.linkInfo(path), POSIX.isDirectory(st), st.st_uid == POSIX.effectiveUID else { continue }
            for entry in (try? POSIX.listDirectory(path)) ?? [] { unlink(path + "/" + entry) }
            rmdir(path)
        }
    }
}
