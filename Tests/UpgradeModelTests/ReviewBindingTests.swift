import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// What was reviewed is what is performed: swap candidates that must never run, candidates replaced
/// after the review, Plans edited during the review, and operations interrupted by a signal.
final class ReviewBindingTests: XCTestCase {
    func node() throws -> (Sandbox, LocalInspector) {
        let box = try Sandbox("review")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        var paths = box.paths
        paths.rke2Binary = box.binaryPath
        return (box, LocalInspector(paths: paths))
    }

    /// A directory a `nobody` process can write its marker into.
    func markerDir() throws -> String {
        var template = Array((NSTemporaryDirectory() + "upgrade-tui-marker.XXXXXX").utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        chmod(dir, 0o777)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func recordingCandidate(_ box: Sandbox, marker: String, version: String = "v1.32.2+rke2r1", name: String = "rke2.linux-amd64") throws -> String {
        let path = box.root + "/download/" + name
        try FileManager.default.createDirectory(atPath: box.root + "/download", withIntermediateDirectories: true)
        let script = "#!/bin/sh\nid -u >> '\(marker)'\necho 'rke2 version \(version) (0123456789abcdef)'\necho 'go version go1.24.11'\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    func results(_ box: Sandbox) throws -> [JSONValue] {
        try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    func testACandidateWhoseChecksumFailsIsNeverRun() throws {
        let (box, inspector) = try node()
        let marker = try markerDir() + "/ran"
        let candidate = try recordingCandidate(box, marker: marker)
        let sums = try box.write("download/sha256sum-\(HostArch.current).txt", "\(String(repeating: "0", count: 64))  rke2.linux-\(HostArch.current)\n")
        let prepared = try SwapOperation(binary: candidate, checksums: sums, inspector: inspector, cluster: nil).prepare()
        XCTAssertEqual(prepared.checks.first { $0.name == "checksum" }?.status, .fail)
        XCTAssertEqual(prepared.checks.first { $0.name == "version" }?.reason, "not run: the checksum check failed")
        SwapOperation.discard(prepared)
        // Found beside the binary without --checksums, through the CLI's --dry-run and a refused swap: the same.
        let dry = try Shell.cli(["swap", "--binary", candidate, "--dry-run", "--rke2-binary", box.binaryPath] + box.cliOptions)
        XCTAssertTrue(dry.stdout.contains("FAIL  checksum"), dry.stdout)
        let refused = try Shell.cli(["swap", "--binary", candidate, "--yes", "--rke2-binary", box.binaryPath] + box.cliOptions)
        XCTAssertEqual(refused.status, 1, refused.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the candidate ran")
        let staging = try POSIX.listDirectory(box.root + "/usr/local/bin").filter { $0.hasPrefix(".upgrade-tui-staging") }
        XCTAssertEqual(staging, [], "staged copies are removed")
    }

    func testTheCandidateRunsOnlyInTheSandbox() throws {
        try XCTSkipUnless(geteuid() == 0, "the sandbox needs root")
        let (box, inspector) = try node()
        let dir = try markerDir()
        let candidate = box.root + "/download/rke2.linux-amd64"
        try FileManager.default.createDirectory(atPath: box.root + "/download", withIntermediateDirectories: true)
        // A hostile candidate: who am I, can I see the operator's processes, can I reach their terminal?
        let script = """
        #!/bin/sh
        id -u > '\(dir)/uid'
        ls /proc | grep -c '^[0-9]' > '\(dir)/processes'
        (echo y > /dev/tty) 2> '\(dir)/tty' && echo reached >> '\(dir)/tty'
        echo 'rke2 version v1.32.2+rke2r1 (0123456789abcdef)'
        """
        try Data(script.utf8).write(to: URL(fileURLWithPath: candidate))
        chmod(candidate, 0o755)
        let prepared = try SwapOperation(binary: candidate, checksums: nil, inspector: inspector, cluster: nil).prepare()
        defer { SwapOperation.discard(prepared) }
        XCTAssertEqual(prepared.newVersion?.description, "v1.32.2+rke2r1", "\(prepared.checks)")
        XCTAssertEqual(prepared.checks.first { $0.name == "checksum" }?.status, .warn)
        XCTAssertTrue(prepared.checks.first { $0.name == "version" }?.reason.contains("run in a sandbox") == true)
        let uid = UInt32(try String(contentsOfFile: dir + "/uid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThanOrEqual(uid, 2_147_400_000, "a fresh uid, not root and not nobody")
        XCTAssertLessThanOrEqual(Int(try String(contentsOfFile: dir + "/processes", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99, 4,
                                 "it sees only its own processes")
        XCTAssertFalse(try String(contentsOfFile: dir + "/tty", encoding: .utf8).contains("reached"), "no controlling terminal")
        // The staged copy is not readable by other users.
        let st = try XCTUnwrap(POSIX.fileInfo(prepared.staged))
        XCTAssertEqual(st.st_mode & 0o007, 0)
        // A matching checksum does not make it run as root either.
        let sums = try box.write("download/sha256sum-\(HostArch.current).txt", "\(prepared.newSha!)  rke2.linux-\(HostArch.current)\n")
        let verified = try SwapOperation(binary: candidate, checksums: sums, inspector: inspector, cluster: nil).prepare()
        defer { SwapOperation.discard(verified) }
        XCTAssertEqual(verified.checks.first { $0.name == "checksum" }?.status, .pass)
        XCTAssertNotEqual(try String(contentsOfFile: dir + "/uid", encoding: .utf8), "0\n")
    }

    func testTheReviewedBytesAreInstalledEvenIfTheCandidateIsReplacedAfterTheReview() throws {
        let (box, inspector) = try node()
        let candidate = box.root + "/download/rke2.linux-amd64"
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: candidate)
        let operation = SwapOperation(binary: candidate, checksums: nil, inspector: inspector, cluster: nil)
        let prepared = try operation.prepare()
        XCTAssertEqual(prepared.newVersion?.description, "v1.32.2+rke2r1")
        // Between the review and the confirmation, someone puts other bytes at the path.
        try FakeRKE2.install(version: "v1.32.9+rke2r1", at: candidate)
        let outcome = try operation.perform(prepared, force: nil)
        XCTAssertEqual(try ManifestScanner.sha256(ofFile: box.binaryPath), prepared.newSha, "exactly the reviewed bytes")
        XCTAssertTrue(outcome.details.contains { $0.contains("changed after the review") }, "\(outcome.details)")
        let last = try XCTUnwrap(try results(box).last)
        XCTAssertEqual(last["after"]?["sha256"]?.stringValue, prepared.newSha)
        XCTAssertTrue(last["arguments"]?.arrayValue?.contains(.string(prepared.newSha!)) == true, "the reviewed sha256 is recorded")
    }

    func testAnInstalledBinaryChangedSinceTheReviewRefusesAndLeftoversAreCleaned() throws {
        let (box, inspector) = try node()
        let candidate = box.root + "/download/rke2.linux-amd64"
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: candidate)
        let dir = box.root + "/usr/local/bin"
        try FileManager.default.createDirectory(atPath: dir + "/.upgrade-tui-staging.999999999.abcdef", withIntermediateDirectories: true)
        try box.write(box.paths.backupsDir + "/rke2-20200101T000000.000Z-v1.30.0+rke2r1.partial", "half")
        let operation = SwapOperation(binary: candidate, checksums: nil, inspector: inspector, cluster: nil)
        let prepared = try operation.prepare()
        XCTAssertFalse(box.exists(dir + "/.upgrade-tui-staging.999999999.abcdef"), "a dead run's staging is removed")
        try FakeRKE2.install(version: "v1.31.7+rke2r1", at: box.binaryPath)
        XCTAssertThrowsError(try operation.perform(prepared, force: nil)) { error in
            XCTAssertTrue("\(error)".contains("changed since the review"), "\(error)")
        }
        XCTAssertEqual(try results(box).last?["result"]?.stringValue, "refused")
        _ = try operation.run(force: nil)
        XCTAssertEqual(try POSIX.listDirectory(box.paths.backupsDir).filter { $0.hasSuffix(".partial") }, [], "a dead backup's leftover is removed")
    }

    func testRollbackPicksTheNewestBackupThatDiffersFromTheInstalledBinary() throws {
        let (box, inspector) = try node()
        // A swap that made its backup and died before installing: the newest backup is the installed binary.
        try BinaryInstaller.backup(box.binaryPath, version: RKE2Version("v1.31.6+rke2r1"), into: box.paths.backupsDir,
                                   now: Date(timeIntervalSince1970: 1_700_000_000))
        let older = box.root + "/older"
        try FakeRKE2.install(version: "v1.31.5+rke2r1", at: older)
        try BinaryInstaller.backup(older, version: RKE2Version("v1.31.5+rke2r1"), into: box.paths.backupsDir,
                                   now: Date(timeIntervalSince1970: 1_600_000_000))
        let prepared = try RollbackOperation(inspector: inspector).prepare()
        XCTAssertEqual(prepared.backup.version?.description, "v1.31.5+rke2r1")
        XCTAssertFalse(prepared.alreadyInstalled)
    }

    // MARK: interrupted

    func testSIGHUPDuringARestartIsAuditedAsInterrupted() throws {
        let (box, _) = try node()
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.binaryPath + ".new")
        rename(box.binaryPath + ".new", box.binaryPath)
        // No supervisor: after its SIGTERM the restart waits for a new process, and the ssh session drops.
        let output = box.root + "/restart.out"
        let pid = try Shell.spawn(RepoPaths.cliBinary, ["restart", "--yes", "--timeout", "60", "--rke2-binary", box.binaryPath] + box.cliOptions,
                                  environment: TestProcesses.cliEnvironment, output: output)
        let deadline = Date().addingTimeInterval(20)
        while !((try? box.read(output)) ?? "").contains("waiting for the new rke2 process") && Date() < deadline { usleep(50_000) }
        kill(pid, SIGHUP)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 1, (try? box.read(output)) ?? "")
        let records = try results(box)
        XCTAssertEqual(records.map { $0["phase"]?.stringValue }, ["intent", "result"])
        XCTAssertEqual(records.last?["result"]?.stringValue, "interrupted")
        XCTAssertTrue(records.last?["error"]?.stringValue?.contains("SIGHUP") == true, "\(records)")
        XCTAssertTrue(records.last?["error"]?.stringValue?.contains("rke2 was already signalled") == true, "\(records)")
    }

    func testAnInterruptionRequestedBeforeTheInstallChangesNothing() throws {
        let (box, inspector) = try node()
        let candidate = box.root + "/download/rke2.linux-amd64"
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: candidate)
        let before = try ManifestScanner.sha256(ofFile: box.binaryPath)
        let operation = SwapOperation(binary: candidate, checksums: nil, inspector: inspector, cluster: nil)
        let interruption = Interruption()
        interruption.request("SIGINT")
        XCTAssertThrowsError(try operation.perform(try operation.prepare(), force: nil, interruption: interruption)) { error in
            XCTAssertEqual((error as? UpgradeError)?.kind, .interrupted)
        }
        XCTAssertEqual(try ManifestScanner.sha256(ofFile: box.binaryPath), before)
        XCTAssertEqual(try results(box).last?["result"]?.stringValue, "interrupted")
    }
}
