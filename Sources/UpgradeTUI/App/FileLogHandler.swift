import Foundation
import Logging

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
        let stamp = ISO8601DateFormatter().string(from: Date())
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(stamp) \(event.level) \(label): \(event.message)\(meta)\n")
    }

    /// Opens (appends to) the log file; returns its descriptor too, for redirecting stderr.
    static func open(path: String) -> (Sink, Int32)? {
        try? POSIXDirectories.make((path as NSString).deletingLastPathComponent)
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return nil }
        return (Sink(fd: fd), fd)
    }

    /// `$XDG_STATE_HOME/upgrade-tui/dashboard.log`, else `~/.local/state/…`, else /tmp.
    static func defaultPath(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/upgrade-tui/dashboard.log" }
        if let home = environment["HOME"], !home.isEmpty, access(home, W_OK) == 0 { return home + "/.local/state/upgrade-tui/dashboard.log" }
        return "/tmp/upgrade-tui-\(geteuid()).log"
    }
}

enum POSIXDirectories {
    static func make(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}
