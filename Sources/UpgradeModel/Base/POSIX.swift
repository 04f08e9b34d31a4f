import Foundation
import CHostLibc
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Thin, throwing wrappers over the system calls the host layer needs, so that callers read as intent
/// and every failure carries the path and `strerror` text.
public enum POSIX {
    /// At most `count` malloc arenas. glibc gives threads that allocate at the same time arenas of their
    /// own (up to 8 per core), each keeping memory it freed; upgrade-tui allocates from a few threads at
    /// most. Set first thing in `main.swift`, before the first `await` starts the concurrency runtime's
    /// worker threads (a thread that allocates earlier gets an arena of its own): a second arena held 5 MB
    /// at the peak of `status` at 5,000 nodes (BENCHMARKS.md). It costs nothing measurable in time.
    public static func limitMallocArenas(_ count: Int32) {
        _ = uptui_limit_malloc_arenas(count)
    }

    public static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    public static func fail(_ what: String, _ path: String, _ code: Int32 = errno) -> UpgradeError {
        .failed("\(what) \(path): \(errorText(code))")
    }

    /// The bytes of a regular file, or nil when it does not exist. Anything else (a FIFO, a device, a
    /// directory) is an `input` error naming the file, never a read that blocks forever.
    public static func readFileIfPresent(_ path: String, limit: Int = 256 << 20) throws -> Data? {
        guard let fd = try openRegularFile(path) else { return nil }
        defer { close(fd) }
        return try readAll(fd: fd, path: path, limit: limit)
    }

    /// Opens a regular file for reading, or nil when it does not exist. The open itself cannot block
    /// (`O_NONBLOCK`: a FIFO with no writer would wait forever), and the descriptor is refused unless
    /// `fstat` says it is a regular file; then `O_NONBLOCK` is cleared. `directory`: relative to that
    /// descriptor (`openat`); `noFollow`: a symlink as the last component is refused (ELOOP).
    public static func openRegularFile(_ path: String, in directory: Int32? = nil, name: String? = nil,
                                       noFollow: Bool = false) throws -> Int32? {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (noFollow ? O_NOFOLLOW : 0)
        let fd = directory.map { openat($0, name ?? path, flags) } ?? open(path, flags)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            if code == ELOOP && noFollow { throw UpgradeError.input("\(path) is a symlink; upgrade-tui does not read through it here") }
            throw UpgradeError.input("cannot read \(path): \(errorText(code))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw UpgradeError.input("cannot read \(path): \(errorText(code))")
        }
        guard isRegular(st) else {
            close(fd)
            throw UpgradeError.input("\(path) is \(typeName(st)), not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// "a FIFO", "a directory", …: for errors about a file of the wrong type.
    public static func typeName(_ st: stat) -> String {
        switch st.st_mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symlink"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "a special file"
        }
    }

    public static func readAll(fd: Int32, path: String, limit: Int = 256 << 20) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw UpgradeError.input("cannot read \(path): \(errorText())")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if data.count > limit { throw UpgradeError.input("\(path) is larger than \(limit >> 20) MiB") }
        }
        return data
    }

    /// `lstat`: the entry itself, not what a symlink points to.
    public static func linkInfo(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }

    /// `stat`: follows symlinks.
    public static func fileInfo(_ path: String) -> stat? {
        var st = stat()
        return stat(path, &st) == 0 ? st : nil
    }

    public static func isDirectory(_ st: stat) -> Bool { (st.st_mode & S_IFMT) == S_IFDIR }
    public static func isRegular(_ st: stat) -> Bool { (st.st_mode & S_IFMT) == S_IFREG }
    public static func isSymlink(_ st: stat) -> Bool { (st.st_mode & S_IFMT) == S_IFLNK }

    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Entries of a directory, without `.` and `..`, sorted bytewise (Go's `os.ReadDir` order).
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw UpgradeError.input("cannot list \(path): \(errorText())")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public static func fsync(directory path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot open directory", path) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw fail("cannot fsync", path) }
    }

    /// `mkdir -p` with the given mode for the directories it creates.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw fail("cannot create directory", current)
            }
        }
        guard let st = fileInfo(path), isDirectory(st) else {
            throw UpgradeError.failed("\(path) exists and is not a directory")
        }
    }

    public static func writeAll(fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("cannot write", path)
                }
                offset += n
            }
        }
    }

    public static var effectiveUID: uid_t { geteuid() }

    public static func userName(uid: uid_t) -> String? {
        guard let pw = getpwuid(uid) else { return nil }
        return String(cString: pw.pointee.pw_name)
    }

    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
