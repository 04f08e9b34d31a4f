import Foundation
import XCTest
@testable import UpgradeModel

/// The monitor only says when to rescan; these check that it fires for what the scan depends on and
/// stays quiet otherwise. No timing: every check is a direct call.
final class HostChangeMonitorTests: XCTestCase {
    func testFiresForFileChangesInWatchedDirectoriesOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-\(UUID().uuidString)").path
        let manifests = root + "/server/manifests"
        let other = root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let monitor = try XCTUnwrap(HostChangeMonitor(procRoot: "/proc"))
        monitor.reset()
        monitor.arm(directories: [manifests, root + "/etc/config.yaml.d"], processes: [])
        XCTAssertFalse(monitor.changed(), "nothing happened")

        try Data("x".utf8).write(to: URL(fileURLWithPath: other + "/a.yaml"))
        XCTAssertFalse(monitor.changed(), "a directory that is not watched")

        try Data("x".utf8).write(to: URL(fileURLWithPath: manifests + "/rke2-canal.yaml.skip"))
        XCTAssertTrue(monitor.changed(), "a marker in the manifests directory")
        XCTAssertFalse(monitor.changed(), "events are consumed")

        // A drop-in directory that does not exist yet is watched through its nearest parent.
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        XCTAssertTrue(monitor.changed(), "the parent of a missing directory is watched")
    }

    func testAPinnedProcessThatIsGoneFires() throws {
        let monitor = try XCTUnwrap(HostChangeMonitor(procRoot: "/proc"))
        let me = ProcessIdentity(pid: getpid(), startTicks: try XCTUnwrap(ProcessScanner.startTicks(of: getpid())))
        monitor.reset()
        monitor.arm(directories: [], processes: [me])
        XCTAssertFalse(monitor.changed(), "this process is alive")
        monitor.arm(directories: [], processes: [ProcessIdentity(pid: me.pid, startTicks: me.startTicks + 1)])
        XCTAssertTrue(monitor.changed(), "the same pid with another start time is another process")
    }
}
