import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// SECURITY.md's adversarial tests for the host: impostor processes, untrusted paths, swap candidates
/// that must never run, review-to-confirmation binding, pinned signals, interrupted operations,
/// the one data-dir resolution. Tests that need a second user run only as root (CI runs as root).
final class TrustTests: XCTestCase {
    /// A directory anyone may write (not sticky), as a hostile local user would prepare.
    func worldWritableDir() throws -> String {
        var template = Array((NSTemporaryDirectory() + "upgrade-tui-hostile.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw UpgradeError.failed("mkdtemp") }
        let dir = String(cString: made)
        chmod(dir, 0o777)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// A script that records who ran it (uid) in `marker`, and prints an rke2 version.
    func recordingScript(at path: String, marker: String, version: String = "v1.32.2+rke2r1") throws {
        let script = "#!/bin/sh\nid -u >> '\(marker)'\necho 'rke2 version \(version) (0123456789abcdef)'\necho 'go version go1.24.11'\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
    }

    func asNobody(_ command: String) throws -> Int32 {
        try Shell.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/bash", "-c", command],
                        environment: ["PATH": "/usr/bin:/bin"])
    }

    func stop(_ pid: Int32) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    func waitForProcess(_ predicate: @escaping () -> Bool) {
        let deadline = Date().addingTimeInterval(5)
        while !predicate() && Date() < deadline { usleep(20_000) }
    }

    // MARK: whom to trust

    func testAnImpostorNamedByArgv0IsIgnoredReportedAndNeverRun() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to start a process as nobody")
        let hostile = try worldWritableDir()
        let marker = hostile + "/ran"
        try recordingScript(at: hostile + "/rke2", marker: marker)
        chown(hostile + "/rke2", 65534, 65534)
        // The report's reproduction: argv is [/tmp/x/rke2, -f, server], exe is tail.
        FileManager.default.createFile(atPath: hostile + "/server", contents: Data())
        let pid = try asNobody("cd \(hostile) && exec -a \(hostile)/rke2 tail -f server")
        defer { stop(pid) }
        waitForProcess { (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.hasPrefix(hostile) == true }

        let box = try Sandbox("trust")
        let node = try LocalInspector(paths: box.paths).inspect()
        XCTAssertNil(node.running, "a process owned by nobody is not rke2")
        XCTAssertTrue(node.problems.contains("ignored rke2-like process \(pid) owned by uid 65534"), "\(node.problems)")
        XCTAssertNotEqual(node.binary?.path, hostile + "/rke2")
        // The CLI as root, the way the report reproduced it.
        let status = try Shell.cli(["status"] + box.cliOptions)
        XCTAssertTrue(status.stdout.contains("ignored rke2-like process \(pid) owned by uid 65534"), status.stdout + status.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "root ran the impostor's file")
    }

    func testAnImpostorExecutableOwnedByNobodyIsIgnored() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to start a process as nobody")
        let hostile = try worldWritableDir()
        let box = try Sandbox("trust")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: hostile + "/rke2")
        chown(hostile + "/rke2", 65534, 65534)
        let pid = try asNobody("exec \(hostile)/rke2 server --data-dir \(box.dataDir)")
        defer { stop(pid) }
        waitForProcess { POSIX.readLink("/proc/\(pid)/exe") == hostile + "/rke2" }
        let node = try box.inspector.inspect()
        XCTAssertNil(node.running)
        XCTAssertTrue(node.problems.contains("ignored rke2-like process \(pid) owned by uid 65534"), "\(node.problems)")
    }

    func testARootProcessRunningAFileOthersCanReplaceIsIgnoredAndItsPidIsNotAmbiguity() throws {
        try XCTSkipUnless(geteuid() == 0, "the trust rule for root's processes")
        let box = try Sandbox("trust")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let real = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { real.stop() }
        let hostile = try worldWritableDir()
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: hostile + "/rke2")
        let planted = try FakeRKE2.start(binary: hostile + "/rke2", dataDir: box.dataDir)
        defer { planted.stop() }
        let node = try box.inspector.inspect()
        XCTAssertEqual(node.running?.process.pid, real.pid, "the trusted one is found, not 'multiple rke2 processes'")
        XCTAssertTrue(node.problems.contains { $0.contains("ignored rke2-like process \(planted.pid)") && $0.contains("is writable by others") },
                      "\(node.problems)")
    }

    func testAContainersProcessNamedRke2ServerIsNotThisNodesRke2() throws {
        try XCTSkipUnless(geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root and unshare")
        let box = try Sandbox("trust")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let ready = box.root + "/ready"
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_RKE2_READY_FILE"] = ready
        // root in its own mount and pid namespaces, as a privileged pod's process would be.
        let unshare = try Shell.spawn("/usr/bin/unshare", ["--mount", "--pid", "--fork", "--kill-child", box.binaryPath, "server", "--data-dir", box.dataDir],
                                      environment: environment)
        defer { stop(unshare) }
        waitForProcess { FileManager.default.fileExists(atPath: ready) }
        let node = try box.inspector.inspect()
        XCTAssertNil(node.running, "\(node.problems)")
        XCTAssertTrue(node.problems.contains { $0.hasPrefix("ignored rke2-like process") && $0.contains("another mnt namespace") }, "\(node.problems)")
    }

    func testAnUntrustedRke2BinaryIsNeverExecuted() throws {
        try XCTSkipUnless(geteuid() == 0, "the trust rule for root")
        let hostile = try worldWritableDir()
        let marker = hostile + "/ran"
        try recordingScript(at: hostile + "/rke2", marker: marker)
        let box = try Sandbox("trust")
        var paths = box.paths
        paths.rke2Binary = hostile + "/rke2"
        let node = try LocalInspector(paths: paths).inspect()
        XCTAssertNil(node.binary?.version)
        XCTAssertTrue(node.problems.contains { $0.contains("was not run") && $0.contains("writable by others") }, "\(node.problems)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
        // Owned by another user in a safe directory: the same.
        let owned = box.root + "/usr/local/bin/rke2"
        try recordingScript(at: owned, marker: marker)
        chown(owned, 65534, 65534)
        paths.rke2Binary = owned
        XCTAssertTrue(try LocalInspector(paths: paths).inspect().problems.contains { $0.contains("owned by uid 65534") })
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testTrustedPathRules() throws {
        try XCTSkipUnless(geteuid() == 0, "ownership rules are root's")
        let box = try Sandbox("trust")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        XCTAssertNil(TrustedPath.problem(executable: box.binaryPath), "root's file in root's 0755 directories")
        chmod(box.binaryPath, 0o775)
        XCTAssertEqual(TrustedPath.problem(executable: box.binaryPath), "file \(box.binaryPath) is writable by its group (mode 775)")
        chmod(box.binaryPath, 0o755)
        let parent = (box.binaryPath as NSString).deletingLastPathComponent
        chown(parent, 65534, 0)
        XCTAssertEqual(TrustedPath.problem(executable: box.binaryPath), "directory \(parent) is owned by uid 65534, not root")
        chown(parent, 0, 0)
        // A symlink to a file in an unsafe place is judged by where it leads.
        let hostile = try worldWritableDir()
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: hostile + "/rke2")
        symlink(hostile + "/rke2", box.root + "/usr/local/bin/linked")
        XCTAssertTrue(TrustedPath.problem(executable: box.root + "/usr/local/bin/linked")?.contains("is writable by others") == true)
        // No exception for a sticky directory: anyone may hardlink a root-owned file into /tmp.
        let sticky = NSTemporaryDirectory() + "upgrade-tui-root-file-\(getpid())"
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: sticky)
        defer { unlink(sticky) }
        XCTAssertTrue(TrustedPath.problem(executable: sticky)?.contains("is writable by others") == true, "\(TrustedPath.problem(executable: sticky) ?? "trusted")")
        // A symlink as the last component must be root's too, wherever it leads.
        let link = box.root + "/usr/local/bin/user-link"
        symlink(box.binaryPath, link)
        lchown(link, 65534, 65534)
        XCTAssertEqual(TrustedPath.problem(executable: link), "\(link) is a symlink owned by uid 65534, not root")
    }

    // MARK: pinned signals

    func testASignalNeverReachesAProcessThatIsNotTheOneInspected() throws {
        let box = try Sandbox("trust")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        let process = try XCTUnwrap(try box.inspector.inspect().running?.process)
        XCTAssertGreaterThan(process.startTicks, 0)
        let reused = ProcessIdentity(pid: process.pid, startTicks: process.startTicks + 1)
        XCTAssertThrowsError(try reused.send(SIGTERM)) { error in
            XCTAssertTrue("\(error)".contains("no longer the process upgrade-tui inspected"), "\(error)")
        }
        usleep(100_000)
        XCTAssertTrue(fake.isAlive, "a pid with another start time was not signalled")
        XCTAssertNoThrow(try process.identity.send(0))
    }

    // MARK: data dir

    func testTheDataDirFromTheConfigIsUsedByEveryOperation() throws {
        let box = try Sandbox("trust")
        let custom = box.root + "/srv/rke2"
        try box.write(box.configFile, "data-dir: \(custom)\n")
        try box.write(custom + "/server/manifests/rke2-canal.yaml", Sandbox.helmChart("rke2-canal"))
        var environment = ProcessInfo.processInfo.environment
        environment["RKE2_DATA_DIR"] = nil
        let skip = try Shell.cli(["skip", "rke2-canal", "--config", box.configFile, "--audit-log", box.auditLog], environment: environment)
        XCTAssertEqual(skip.status, 0, skip.stderr)
        XCTAssertTrue(box.exists(custom + "/server/manifests/rke2-canal.yaml.skip"))
        XCTAssertTrue(box.exists(custom + "/upgrade-tui/lock"), "the lock lives in the resolved data dir")
        let status = try Shell.cli(["status", "--output", "json", "--config", box.configFile], environment: environment)
        XCTAssertEqual(try JSONValue.parse(status.stdout)["local"]?["dataDir"]?.stringValue, custom)
    }

    // MARK: audit

    func testTheAuditLogIsNeverWrittenThroughASymlink() throws {
        let box = try Sandbox("trust")
        try box.manifest("rke2-canal.yaml")
        let victim = try box.write("etc/shadow-standin", "precious\n")
        symlink(victim, box.auditLog)
        let result = try Shell.cli(["skip", "rke2-canal"] + box.cliOptions)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("it is a symlink"), result.stderr)
        XCTAssertEqual(try box.read(victim), "precious\n")
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"), "refused before acting")
    }
}
