import Foundation
import UpgradeModel

/// A real terminal for end-to-end tests: a tmux server on a private socket, driven with send-keys and
/// read with capture-pane.
public final class Tmux: @unchecked Sendable {
    public let socket: String
    public let tmux: String
    public let session = "e2e"

    public init?() {
        guard let path = try? Shell.which("tmux") else { return nil }
        tmux = path
        // `upgrade-tui-<run>-…`: scripts/test finds a server left behind by its socket name.
        socket = "upgrade-tui-\(TestProcesses.run ?? String(getpid()))-\(UUID().uuidString.prefix(6))"
    }

    deinit { _ = try? run(["kill-server"]) }

    @discardableResult
    public func run(_ args: [String]) throws -> Shell.Result {
        try Shell.runDetached(tmux, ["-L", socket] + args, environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "TERM": "xterm-256color"])
    }

    /// Starts `command` (a shell command line) in a detached session of the given size.
    public func start(_ command: String, width: Int, height: Int, environment: [String: String] = [:]) throws {
        let exports = environment.merging(TestProcesses.environment) { _, ours in ours }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let result = try run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)",
                              "env \(exports) \(command); echo DASHBOARD-EXITED $?; sleep 600"])
        guard result.status == 0 else { throw UpgradeError.failed("tmux new-session: \(result.stderr)") }
    }

    public func send(_ keys: String...) throws {
        try run(["send-keys", "-t", session] + keys)
    }

    public func capture() throws -> String {
        try run(["capture-pane", "-p", "-t", session]).stdout
    }

    public func lines() throws -> [String] {
        try capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    public func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen satisfies `predicate`; returns the screen and how long it took.
    @discardableResult
    public func waitFor(timeout: TimeInterval = 10, _ what: String, _ predicate: (String) -> Bool) throws -> (String, TimeInterval) {
        let started = Date()
        var screen = ""
        while Date().timeIntervalSince(started) < timeout {
            screen = try capture()
            if predicate(screen) { return (screen, Date().timeIntervalSince(started)) }
            usleep(50_000)
        }
        throw UpgradeError.failed("timed out after \(timeout) s waiting for \(what); the screen was:\n\(screen)")
    }
}
