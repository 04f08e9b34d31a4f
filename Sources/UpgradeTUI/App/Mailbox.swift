import Foundation
import Glibc

/// Events from background work (snapshots, operation results) to the UI thread, which sleeps in
/// `poll` until the wake-up pipe says something arrived. Nothing but the UI thread draws.
final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Event] = []
    /// Read end (polled by the UI thread), write end (one byte per post, non-blocking: a full pipe
    /// already means "wake up").
    let wakeRead: Int32
    let wakeWrite: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TerminalError("cannot create the dashboard's wake-up pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    func post(_ event: Event) {
        lock.lock()
        items.append(event)
        lock.unlock()
        _ = write(wakeWrite, "e", 1)
    }

    func drain() -> [Event] {
        lock.lock()
        defer { lock.unlock() }
        let drained = items
        items.removeAll()
        return drained
    }

    /// Empties the wake-up pipe after a wake-up.
    func clearWakeUps() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
