import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs with posix_spawn: a deadline that kills a hung child and its process group (SIGKILL),
/// and a clean signal mask, so that a child never inherits the blocked signals of the thread that started it.
public enum Subprocess {
    public struct Result: Sendable, Equatable {
        public let status: Int32
        public let output: String
        public let timedOut: Bool
    }

    /// Runs `path` to completion, capturing stdout and stderr together (the first MiB).
    ///
    /// `timeout` bounds the child's whole life, not only its output: a child that closes its output and
    /// then hangs, or a grandchild that keeps the pipe open, is killed at the deadline. The child runs in
    /// its own process group and the whole group gets SIGKILL, so nothing it started outlives the call.
    /// `onLine`, when given, receives each complete output line as it arrives (progress of a long command).
    public static func run(_ path: String, _ arguments: [String], timeout: TimeInterval = 5,
                           environment: [String: String]? = nil, onLine: ((String) -> Void)? = nil) throws -> Result {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw POSIX.fail("cannot create a pipe for", path) }
        // Other threads may spawn too: keep both ends out of every child but this one's dup2 copies.
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        let pid: pid_t
        do {
            pid = try spawn(path, arguments, environment: environment, newProcessGroup: true) { actions in
                posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
                posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
            }
        } catch {
            close(pipeFDs[0])
            close(pipeFDs[1])
            throw error
        }
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        let deadline = Date().addingTimeInterval(max(0, timeout))
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var pfd = pollfd(fd: pipeFDs[0], events: Int16(POLLIN), revents: 0)
        var exited = false
        var open = true
        var pending = Data()
        func deliver(final: Bool) {
            guard let onLine else { return }
            while let newline = pending.firstIndex(of: 0x0A) {
                onLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending = Data(pending[(newline + 1)...])
            }
            if final, !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)); pending = Data() }
            if pending.count > 1 << 16 { onLine(String(decoding: pending, as: UTF8.self)); pending = Data() }
        }
        // Until the child has exited and its output is drained, or the deadline.
        while !exited || open {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { break }
            if !exited { exited = hasExited(pid) }
            if !open {
                // Output is closed: wait for the exit in short steps.
                usleep(UInt32(min(remaining, 0.02) * 1_000_000))
                continue
            }
            if exited {
                // Exited: whatever is still buffered is read at once; a grandchild holding the pipe is not waited for.
                if poll(&pfd, 1, 0) <= 0 { break }
            } else {
                let ready = poll(&pfd, 1, Int32(min(remaining, 0.1) * 1000) + 1)
                if ready <= 0 { continue }
            }
            let n = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { open = false; continue }
            if output.count < 1 << 20 { output.append(contentsOf: buffer[0..<min(n, (1 << 20) - output.count)]) }
            if onLine != nil {
                pending.append(contentsOf: buffer[0..<n])
                deliver(final: false)
            }
        }
        deliver(final: true)
        // The group: the child if it still runs, and anything it left behind. The child is not reaped
        // yet, so its pid (the group's id) cannot have been reused.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, output: String(decoding: output, as: UTF8.self), timedOut: !exited)
    }

    /// Whether the child has exited, without reaping it (`WNOWAIT`).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_signo == SIGCHLD
    }

    /// Starts `path` without waiting: stdin from /dev/null, stdout and stderr appended to `output`.
    public static func start(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                             output: String = "/dev/null") throws -> pid_t {
        try spawn(path, arguments, environment: environment, newProcessGroup: false) { actions in
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    private static func spawn(_ path: String, _ arguments: [String], environment: [String: String]?, newProcessGroup: Bool,
                              redirect: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        redirect(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            // Its own group (pgid = its pid), so that a deadline can kill it and everything it started.
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard result == 0 else { throw UpgradeError.failed("cannot run \(path): \(POSIX.errorText(result))") }
        return pid
    }
}
