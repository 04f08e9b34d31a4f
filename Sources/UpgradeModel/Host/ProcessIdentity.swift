import CHostLibc
import Foundation

/// A process pinned by its pid and start time, so that a signal never reaches a process that merely
/// reused the pid after the one upgrade-tui scanned exited (SECURITY.md "Processes").
public struct ProcessIdentity: Sendable, Equatable {
    public let pid: Int32
    public let startTicks: UInt64

    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// Whether that very process still exists.
    public func isAlive(procRoot: String = "/proc") -> Bool {
        ProcessScanner.startTicks(of: pid, procRoot: procRoot) == startTicks
    }

    /// Sends `signal` to this process only. A pidfd is opened first and the start time checked after:
    /// from then on the descriptor names that process even if it exits and its pid is reused. On a
    /// kernel without pidfds (before 5.3) the start time is checked right before kill(2).
    public func send(_ signal: Int32, procRoot: String = "/proc") throws {
        let pidfd = uptui_pidfd_open(pid)
        defer { if pidfd >= 0 { close(pidfd) } }
        guard pidfd >= 0 || errno == ENOSYS else {
            throw UpgradeError.failed("pid \(pid) is gone: \(POSIX.errorText()); nothing was signalled")
        }
        guard ProcessScanner.startTicks(of: pid, procRoot: procRoot) == startTicks else {
            throw UpgradeError.failed("pid \(pid) is no longer the process upgrade-tui inspected (it exited and the pid was reused); nothing was signalled")
        }
        let result = pidfd >= 0 ? uptui_pidfd_send_signal(pidfd, signal) : kill(pid, signal)
        guard result == 0 else { throw UpgradeError.failed("cannot signal pid \(pid): \(POSIX.errorText())") }
    }
}
