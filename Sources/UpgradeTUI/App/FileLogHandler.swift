import Foundation
import Logging
import UpgradeModel

/// swift-log to a file: the dashboard never logs to the terminal it draws on.
struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        let fd: Int32
        let lock = NSLock()
        init(fd: Int32) { self.fd = fd }
        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
        }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let stamp = UTCTime.rfc3339(Date(), fraction: false)
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One record per line, and nothing in it a terminal would execute when someone `tail`s the log.
        sink.write(TerminalText.line("\(stamp) \(event.level) \(label): \(event.message)\(meta)") + "\n")
    }

    /// Opens (appends to) the log file; returns its descriptor too, for redirecting stderr. The file is
    /// created 0600; an existing one must be a regular file owned by this user, never followed through
    /// a symlink (`O_NOFOLLOW`), and never a FIFO (the open does not block). The directory it is created
    /// in is made 0700 when missing.
    static func open(path: String) throws -> (Sink, Int32) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, POSIX.fileInfo(directory) == nil {
            try POSIX.makeDirectories(directory, mode: 0o700)
        }
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP { throw UpgradeError.input("log file \(path) is a symlink; upgrade-tui does not write through it") }
            if errno == ENXIO { throw UpgradeError.input("log file \(path) is a FIFO or socket, not a regular file; pass another --log-file") }
            throw UpgradeError.input("cannot open the log file \(path): \(POSIX.errorText())")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, POSIX.isRegular(st), st.st_uid == geteuid() else {
            let problem = POSIX.isRegular(st) ? "is owned by uid \(st.st_uid), not by this user" : "is \(POSIX.typeName(st)), not a regular file"
            close(fd)
            throw UpgradeError.input("log file \(path) \(problem); pass another --log-file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (Sink(fd: fd), fd)
    }

    /// root: `/var/log/upgrade-tui/dashboard.log`; a user: `$XDG_STATE_HOME/upgrade-tui/dashboard.log`,
    /// else `~/.local/state/upgrade-tui/dashboard.log`; nil (no log) rather than a shared /tmp name.
    static func defaultPath(environment: [String: String], euid: uid_t = geteuid()) -> String? {
        if euid == 0 { return "/var/log/upgrade-tui/dashboard.log" }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/upgrade-tui/dashboard.log" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/state/upgrade-tui/dashboard.log" }
        return nil
    }
}
