import Foundation
import UpgradeModel

/// Compiles and runs `Tests/Support/fake-rke2/fake-rke2.c`: a real process that `/proc` shows as rke2.
public enum FakeRKE2 {
    public static var sourcePath: String { RepoPaths.root + "/Tests/Support/fake-rke2/fake-rke2.c" }

    /// A compiler: `cc`, `gcc` or the `clang` that ships with Swift.
    static func compiler() throws -> String {
        for candidate in ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        let swiftDir = ((try? Shell.which("swift")) ?? "").split(separator: "/").dropLast().joined(separator: "/")
        let clang = "/" + swiftDir + "/clang"
        if FileManager.default.isExecutableFile(atPath: clang) { return clang }
        throw UpgradeError.failed("no C compiler found (install build-essential)")
    }

    /// A fake rke2 binary that reports `version`, compiled once per test run and copied to `path`.
    @discardableResult
    public static func install(version: String, at path: String) throws -> String {
        let built = try compiled(version: version)
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: built, toPath: path)
        chmod(path, 0o755)
        return path
    }

    public static func compiled(version: String) throws -> String {
        let dir = NSTemporaryDirectory() + "upgrade-tui-fake-rke2/\(getpid())/\(version.replacingOccurrences(of: "+", with: "_"))"
        let output = dir + "/rke2"
        if FileManager.default.isExecutableFile(atPath: output) { return output }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let result = try Shell.run(try compiler(), ["-O1", "-DFAKE_VERSION=\"\(version)\"", "-o", output + ".tmp", sourcePath])
        guard result.status == 0 else { throw UpgradeError.failed("compiling the fake rke2 failed: \(result.stderr)") }
        rename(output + ".tmp", output)
        return output
    }

    /// A running fake rke2; stop it with `stop()` (SIGTERM, then reaped).
    public final class Running: @unchecked Sendable {
        public let pid: Int32
        private var stopped = false

        init(pid: Int32) { self.pid = pid }
        deinit { stop() }

        public func stop() {
            guard !stopped else { return }
            stopped = true
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }

        public var isAlive: Bool { !stopped && kill(pid, 0) == 0 }
    }

    /// A restart loop standing in for systemd (`Restart=always`): starts `binary role --data-dir dataDir`
    /// again whenever it exits, as the restart and rollback tests need.
    public final class Supervisor: @unchecked Sendable {
        /// The loop's pid (a shell).
        public let pid: Int32
        public let dataDir: String
        private var stopped = false

        public init(binary: String, dataDir: String, role: String = "server") throws {
            self.dataDir = dataDir
            let script = "while true; do '\(binary)' \(role) --data-dir '\(dataDir)'; sleep 0.3; done"
            pid = try Shell.spawn("/bin/sh", ["-c", script], environment: ProcessInfo.processInfo.environment)
        }

        deinit { stop() }

        /// The rke2 the loop runs now, with its containerd and kubelet, within `timeout` seconds.
        public func waitForRKE2(timeout: TimeInterval = 20) throws -> RKE2Process {
            let deadline = Date().addingTimeInterval(timeout)
            repeat {
                if let process = try? TestProcesses.scanner(dataDir: dataDir).find(), process.children.count == 2 { return process }
                usleep(50_000)
            } while Date() < deadline
            throw UpgradeError.failed("the supervised fake rke2 did not start within \(Int(timeout)) s")
        }

        /// Stops the loop and what it runs, leaving nothing behind: the loop is frozen first (it cannot start
        /// another rke2), its children are killed while they still descend from it (once the loop is gone
        /// they belong to init, out of every scan the tests make), then the loop.
        public func stop() {
            guard !stopped else { return }
            stopped = true
            kill(pid, SIGSTOP)
            for child in TestProcesses.children(of: pid) { kill(child, SIGKILL) }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Starts `binary role --data-dir dataDir extra...` and waits until it is running.
    public static func start(binary: String, role: String = "server", dataDir: String, extra: [String] = [],
                             environment: [String: String] = [:]) throws -> Running {
        let ready = NSTemporaryDirectory() + "fake-rke2-ready-\(UUID().uuidString)"
        var env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        env["FAKE_RKE2_READY_FILE"] = ready
        let pid = try Shell.spawn(binary, [role, "--data-dir", dataDir] + extra, environment: env)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready) {
            guard Date() < deadline else { throw UpgradeError.failed("fake rke2 did not start") }
            usleep(10_000)
        }
        try? FileManager.default.removeItem(atPath: ready)
        // The children are forked just before the ready file: give /proc a moment to show them renamed.
        usleep(50_000)
        return Running(pid: pid)
    }
}

public enum RepoPaths {
    /// The repository root, found from this file's location.
    public static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }

    /// The built `upgrade-tui` executable next to the test bundle.
    public static var cliBinary: String {
        let exe = POSIX.readLink("/proc/self/exe") ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("upgrade-tui").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return root + "/.build/debug/upgrade-tui"
    }
}
