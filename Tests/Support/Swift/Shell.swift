import Foundation
import UpgradeModel

/// Runs programs for tests, with stdout and stderr kept apart.
public enum Shell {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = TestProcesses.marked(environment ?? ProcessInfo.processInfo.environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Like `run`, but output goes through files: for programs that leave a daemon holding their stdout
    /// (tmux's server), which would keep a pipe open forever.
    public static func runDetached(_ path: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        let base = NSTemporaryDirectory() + "shell-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let pid = try spawn(path, arguments, environment: environment, output: base + ".out")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        return Result(status: code, stdout: output, stderr: code == 0 ? "" : output)
    }

    /// The CLI under test.
    public static func cli(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        var env = environment ?? ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = env["KUBECONFIG"] ?? "/nonexistent/kubeconfig"
        env.merge(TestProcesses.environment) { _, ours in ours }
        return try run(RepoPaths.cliBinary, arguments, environment: env)
    }

    public static func which(_ name: String) throws -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts a process without waiting for it; its output goes to `output`.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String], output: String = "/dev/null") throws -> Int32 {
        try Subprocess.start(path, arguments, environment: TestProcesses.marked(environment), output: output)
    }
}
