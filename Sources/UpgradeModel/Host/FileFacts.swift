import Foundation

/// Remembers facts computed from a file's bytes (sha256, `--version` output) by the file's identity
/// and change stamps, so that rescanning every few seconds does not rehash a 150 MB rke2 binary.
public final class FileFacts: @unchecked Sendable {
    public static let shared = FileFacts()

    struct Stamp: Hashable {
        let dev: UInt64, ino: UInt64, size: Int64, mtime: Int64, mtimeNsec: Int64, ctime: Int64, ctimeNsec: Int64
    }

    private let lock = NSLock()
    private var hashes: [String: (Stamp, String)] = [:]
    private var versions: [String: (Stamp, RKE2Version.VersionOutput)] = [:]
    /// `--version` outputs by the sha256 of the bytes that printed them: after a swap, the version of
    /// the bytes still running is known without executing them again.
    private var versionsBySha: [String: RKE2Version.VersionOutput] = [:]

    static func stamp(_ path: String) -> Stamp? {
        guard let st = POSIX.fileInfo(path) else { return nil }
        return Stamp(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), size: Int64(st.st_size),
                     mtime: Int64(st.st_mtim.tv_sec), mtimeNsec: Int64(st.st_mtim.tv_nsec),
                     ctime: Int64(st.st_ctim.tv_sec), ctimeNsec: Int64(st.st_ctim.tv_nsec))
    }

    public func sha256(_ path: String) throws -> String {
        guard let hash = try sha256IfPresent(path) else { return try ManifestScanner.sha256(ofFile: path) }
        return hash
    }

    /// The sha256, or nil when the file does not exist (any more: it may vanish while being looked at).
    public func sha256IfPresent(_ path: String) throws -> String? {
        guard let stamp = Self.stamp(path) else { return try ManifestScanner.sha256IfPresent(ofFile: path) }
        lock.lock()
        if let (known, hash) = hashes[path], known == stamp { lock.unlock(); return hash }
        lock.unlock()
        guard let hash = try ManifestScanner.sha256IfPresent(ofFile: path) else { return nil }
        lock.lock()
        hashes[path] = (stamp, hash)
        lock.unlock()
        return hash
    }

    /// The `--version` output remembered for the file as it is now, if any.
    public func version(of path: String) -> RKE2Version.VersionOutput? {
        guard let stamp = Self.stamp(path) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let (known, output) = versions[path], known == stamp else { return nil }
        return output
    }

    public func remember(_ output: RKE2Version.VersionOutput, of path: String, sha256: String? = nil) {
        guard let stamp = Self.stamp(path) else { return }
        lock.lock()
        versions[path] = (stamp, output)
        if let sha256 { versionsBySha[sha256] = output }
        lock.unlock()
    }

    public func version(sha256: String) -> RKE2Version.VersionOutput? {
        lock.withLock { versionsBySha[sha256] }
    }
}
