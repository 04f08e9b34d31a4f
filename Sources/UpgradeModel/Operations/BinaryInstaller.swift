import CHostLibc
import Foundation

/// Installs an rke2 binary the safe way (docs/architecture.md#swap-restart-and-rollback): copy beside the target, fsync, match the
/// old file's mode, owner and extended attributes (security.selinux among them), verify, then rename
/// over the old path and fsync the directory. A crash at any instant leaves the old or the new binary
/// at the path, never a partial one; a leftover temporary file is removed by the next run.
public enum BinaryInstaller {
    static let temporaryMarker = ".upgrade-tui."

    public static func temporaryPath(for target: String) -> String {
        let dir = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        return "\(dir)/.\(base)\(temporaryMarker)\(getpid()).tmp"
    }

    /// Removes temporaries of earlier runs that died (their pid is gone).
    public static func removeStaleTemporaries(beside target: String) {
        let dir = (target as NSString).deletingLastPathComponent
        let prefix = "." + (target as NSString).lastPathComponent + temporaryMarker
        for name in (try? POSIX.listDirectory(dir)) ?? [] where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let pidText = name.dropFirst(prefix.count).dropLast(4)
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            unlink(dir + "/" + name)
        }
    }

    /// Installs `source` at `target`. `verify` runs on the finished temporary file before the rename.
    public static func install(source: String, over target: String, verify: (String) throws -> Void) throws {
        removeStaleTemporaries(beside: target)
        let old = POSIX.fileInfo(target)
        let temporary = temporaryPath(for: target)
        unlink(temporary)
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw POSIX.fail("cannot read", source) }
        defer { close(input) }
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o700)
        guard output >= 0 else { throw POSIX.fail("cannot create", temporary) }
        var keep = false
        defer {
            if !keep { unlink(temporary) }
        }
        do {
            defer { close(output) }
            try copy(from: input, to: output, source: source, destination: temporary)
            if let old {
                guard fchown(output, old.st_uid, old.st_gid) == 0 else { throw POSIX.fail("cannot set the owner of", temporary) }
                guard fchmod(output, old.st_mode & 0o7777) == 0 else { throw POSIX.fail("cannot set the mode of", temporary) }
                try copyExtendedAttributes(from: target, to: output, destination: temporary)
            } else {
                guard fchmod(output, 0o755) == 0 else { throw POSIX.fail("cannot set the mode of", temporary) }
            }
            guard fsync(output) == 0 else { throw POSIX.fail("cannot fsync", temporary) }
        }
        try verify(temporary)
        guard rename(temporary, target) == 0 else { throw POSIX.fail("cannot rename \(temporary) over", target) }
        keep = true
        try POSIX.fsync(directory: (target as NSString).deletingLastPathComponent)
    }

    static func copy(from input: Int32, to output: Int32, source: String, destination: String) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIX.fail("cannot read", source)
            }
            if n == 0 { return }
            try POSIX.writeAll(fd: output, Data(buffer[0..<n]), path: destination)
        }
    }

    /// Every extended attribute of `path` (security.selinux when SELinux labels the binary).
    public static func extendedAttributes(_ path: String) -> [String: [UInt8]] {
        let size = listxattr(path, nil, 0)
        guard size > 0 else { return [:] }
        var names = [CChar](repeating: 0, count: size)
        let got = listxattr(path, &names, size)
        guard got > 0 else { return [:] }
        var result: [String: [UInt8]] = [:]
        for name in names[0..<got].split(separator: 0).map({ String(cString: Array($0) + [0]) }) {
            let length = getxattr(path, name, nil, 0)
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: length)
            if length > 0 { _ = getxattr(path, name, &value, length) }
            result[name] = value
        }
        return result
    }

    static func copyExtendedAttributes(from path: String, to fd: Int32, destination: String) throws {
        for (name, value) in extendedAttributes(path) {
            let result = value.withUnsafeBytes { fsetxattr(fd, name, $0.baseAddress, value.count, 0) }
            if result != 0 && name.hasPrefix("security.selinux") {
                throw POSIX.fail("cannot keep the SELinux label (\(name)) on", destination)
            }
        }
    }

    // MARK: backups

    /// Copies `binary` into `dir` as `rke2-<UTC stamp>-<version>[-<tag>]` and keeps the newest `keep`.
    @discardableResult
    public static func backup(_ binary: String, version: RKE2Version?, into dir: String, tag: String? = nil,
                              keep: Int = 3, now: Date = Date()) throws -> String {
        try POSIX.makeDirectories(dir, mode: 0o700)
        // Leftovers of a backup that died half-way (the caller holds the node lock: none is in progress).
        for name in (try? POSIX.listDirectory(dir)) ?? [] where name.hasSuffix(".partial") { unlink(dir + "/" + name) }
        let stamp = UTCTime.compact(now, millis: true)
        let name = "rke2-\(stamp)-\(version?.description ?? "unknown")" + (tag.map { "-\($0)" } ?? "")
        let path = dir + "/" + name
        let input = open(binary, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw POSIX.fail("cannot read", binary) }
        defer { close(input) }
        let temporary = path + ".partial"
        unlink(temporary)
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o700)
        guard output >= 0 else { throw POSIX.fail("cannot create the backup", temporary) }
        do {
            defer { close(output) }
            try copy(from: input, to: output, source: binary, destination: temporary)
            guard fsync(output) == 0 else { throw POSIX.fail("cannot fsync", temporary) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else { throw POSIX.fail("cannot finish the backup", path) }
        try POSIX.fsync(directory: dir)
        for old in backups(in: dir).dropFirst(keep) { unlink(old.path) }
        return path
    }

    public struct Backup: Sendable, Equatable {
        public let path: String
        public let name: String
        public let version: RKE2Version?
        public let tag: String?

        public init(path: String, name: String, version: RKE2Version?, tag: String?) {
            self.path = path
            self.name = name
            self.version = version
            self.tag = tag
        }
    }

    /// Backups, newest first (by the UTC stamp in the name).
    public static func backups(in dir: String) -> [Backup] {
        let names = ((try? POSIX.listDirectory(dir)) ?? []).filter { $0.hasPrefix("rke2-") && !$0.hasSuffix(".partial") }
        return names.sorted(by: >).map { name in
            let parts = name.split(separator: "-", maxSplits: 2).map(String.init)
            var versionText = parts.count > 2 ? parts[2] : ""
            var tag: String?
            if let range = versionText.range(of: "-rolled-back") {
                tag = String(versionText[range.lowerBound...].dropFirst())
                versionText = String(versionText[..<range.lowerBound])
            }
            return Backup(path: dir + "/" + name, name: name, version: RKE2Version(versionText), tag: tag)
        }
    }
}
