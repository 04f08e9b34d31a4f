import Foundation
import UpgradeModel

/// The processes this test run started, and only those: every scan the tests make, in process and
/// through the CLI or the dashboard, looks at the test process' own tree, so that a developer's rke2,
/// or another checkout's test run on the same host, is never found, reported or signalled.
public enum TestProcesses {
    /// The test process: the fake rke2 processes, their supervisors and the emulators descend from it.
    public static let root = getpid()

    public static var scope: ProcessScope { .descendants(of: root) }

    /// What the CLI and the dashboard read (`ProcessScope.from(environment:)`).
    public static let environmentKey = "UPGRADE_TUI_PROCESS_TREE"

    public static var environment: [String: String] { [environmentKey: String(root)] }

    /// This process' environment plus `environment`: for the CLI started directly (not through `Shell.cli`).
    public static var cliEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(environment) { _, ours in ours }
    }

    /// `scripts/test` names its run (`UPGRADE_TUI_TEST_RUN`); every program the tests start carries the
    /// name in its environment (`Shell` adds it), so that the script can tell, after the lane, whether
    /// anything the tests started is still running, even what outlived a crashed test process.
    public static let runKey = "UPGRADE_TUI_TEST_RUN"

    public static var run: String? { ProcessInfo.processInfo.environment[runKey].flatMap { $0.isEmpty ? nil : $0 } }

    /// `environment` with the run's name added (unchanged outside `scripts/test`).
    public static func marked(_ environment: [String: String]) -> [String: String] {
        guard let run else { return environment }
        return environment.merging([runKey: run]) { _, ours in ours }
    }

    /// The pids whose parent is `pid` (from `/proc/PID/stat`).
    public static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> Int32? in
            guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // After the comm: state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    /// `ProcessScanner(dataDir:)` limited to this run's processes.
    public static func scanner(dataDir: String?) -> ProcessScanner {
        ProcessScanner(dataDir: dataDir, scope: scope)
    }
}
