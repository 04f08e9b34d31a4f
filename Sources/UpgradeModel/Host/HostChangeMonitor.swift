import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells the store when this node may have changed, so that an idle dashboard does not rescan the node
/// (walk `/proc`, hash manifests, parse the config) every few seconds. It is only a trigger to rescan,
/// never a source of truth (SECURITY.md): what is shown always comes from a full scan with its
/// `TrustedPath` checks, and a slow safety rescan runs even when nothing fired.
///
/// - Files: inotify on the directories the scan depends on (the manifests tree, the config file's
///   directory and its drop-in directory, the binary's directory, the data dir). Any event, or a queue
///   overflow, counts as a change; a directory that does not exist yet is watched through its parent.
/// - Processes: the scanned rke2 process and its children are checked by pid and start time (one small
///   read each); a process that appeared since the last check is looked at only when its pid is new
///   (its `comm` and `argv[0]`), not by re-reading every process of `/proc`.
public final class HostChangeMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private let fd: Int32
    private let procRoot: String
    private var watches: [Int32: String] = [:]
    private var knownPids: Set<Int32> = []
    private var pinned: [ProcessIdentity] = []
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
    /// Names of new processes that make a rescan worth it (rke2 and the children it shows).
    static let interesting = ["rke2", "containerd", "kubelet"]

    /// Nil when inotify is not available (then the store rescans at every interval, as before).
    public init?(procRoot: String) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.procRoot = procRoot
    }

    deinit { close(fd) }

    /// Before a full scan: forget the events so far and note the processes that exist now, so that
    /// anything happening during or after the scan fires the next `changed()`.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        _ = drain()
        knownPids = pids()
    }

    /// After a full scan: watch these directories (and no others), pin these processes.
    public func arm(directories: [String], processes: [ProcessIdentity]) {
        lock.lock()
        defer { lock.unlock() }
        var wanted = Set<String>()
        for directory in directories {
            // A missing directory is watched through its nearest existing parent (its creation fires).
            var path = directory
            while !path.isEmpty, path != "/", !(POSIX.fileInfo(path).map(POSIX.isDirectory) ?? false) {
                path = (path as NSString).deletingLastPathComponent
            }
            if !path.isEmpty { wanted.insert(path) }
        }
        for (wd, path) in watches where !wanted.contains(path) {
            inotify_rm_watch(fd, wd)
            watches[wd] = nil
        }
        let current = Set(watches.values)
        for path in wanted where !current.contains(path) {
            let wd = inotify_add_watch(fd, path, Self.mask)
            if wd >= 0 { watches[wd] = path }
        }
        pinned = processes
    }

    /// Whether the node may have changed since `reset`: a file event, a pinned process gone, or a new
    /// process that could be rke2 or one of its children.
    public func changed() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        var changed = drain()
        if pinned.contains(where: { !$0.isAlive(procRoot: procRoot) }) { changed = true }
        let now = pids()
        for pid in now.subtracting(knownPids) where !changed && isInteresting(pid) {
            changed = true
        }
        knownPids = now
        return changed
    }

    /// Reads every queued event; true if there was any.
    private func drain() -> Bool {
        var any = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { any = true; continue }
            return any
        }
    }

    private func pids() -> Set<Int32> {
        Set(((try? POSIX.listDirectory(procRoot)) ?? []).compactMap { Int32($0) })
    }

    private func isInteresting(_ pid: Int32) -> Bool {
        let base = "\(procRoot)/\(pid)"
        if let stat = (try? POSIX.readFileIfPresent(base + "/stat")).flatMap({ $0 }).flatMap(ProcessScanner.parseStat),
           Self.interesting.contains(where: { stat.comm.hasPrefix($0) }) {
            return true
        }
        guard let cmdline = (try? POSIX.readFileIfPresent(base + "/cmdline")).flatMap({ $0 }) else { return false }
        let argv0 = String(decoding: cmdline.prefix { $0 != 0 }, as: UTF8.self)
        return Self.interesting.contains((argv0 as NSString).lastPathComponent)
    }
}
