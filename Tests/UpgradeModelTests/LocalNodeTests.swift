import TestSupport
import XCTest
@testable import UpgradeModel

/// Real processes: a compiled fake rke2 started by the test, found through /proc.
final class LocalNodeTests: XCTestCase {
    func testFindsTheRunningFakeWithPidRoleVersionAndChildren() throws {
        let box = try Sandbox("proc")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, role: "server", dataDir: box.dataDir, extra: ["--disable", "rke2-coredns"])
        defer { fake.stop() }
        let node = try box.inspector.inspect()
        XCTAssertEqual(node.role, .server)
        let running = try XCTUnwrap(node.running)
        XCTAssertEqual(running.process.pid, fake.pid)
        XCTAssertEqual(running.process.exe, box.binaryPath)
        XCTAssertEqual(Set(running.process.children.map(\.name)), ["containerd", "kubelet"])
        XCTAssertFalse(running.restartPending)
        XCTAssertEqual(node.binary?.path, box.binaryPath)
        XCTAssertEqual(node.binary?.version?.description, "v1.31.6+rke2r1")
        XCTAssertEqual(node.binary?.commit, "7598946e0086a9131564ccbb3c142b3fa54516ad")
        XCTAssertEqual(node.binary?.sha256, running.runningSha256)
        XCTAssertEqual(node.config.explicitlyDisabled.map(\.name), ["rke2-coredns"], "the process' --disable flag is merged in")
    }

    func testAgentRole() throws {
        let box = try Sandbox("proc")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, role: "agent", dataDir: box.dataDir)
        defer { fake.stop() }
        XCTAssertEqual(try box.inspector.inspect().role, .agent)
    }

    func testBinaryReplacedWhileRunningMeansRestartPending() throws {
        let box = try Sandbox("proc")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        // What a swap does: a new file renamed over the path; the process keeps the old inode.
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.binaryPath + ".new")
        XCTAssertEqual(rename(box.binaryPath + ".new", box.binaryPath), 0)
        let node = try box.inspector.inspect()
        let running = try XCTUnwrap(node.running)
        XCTAssertTrue(running.restartPending)
        XCTAssertTrue(running.process.exeDeleted)
        XCTAssertEqual(running.process.exe, box.binaryPath)
        XCTAssertEqual(node.binary?.version?.description, "v1.32.2+rke2r1")
        XCTAssertEqual(running.runningVersion?.description, "v1.31.6+rke2r1", "the running version comes from /proc/PID/exe")
        XCTAssertEqual(node.currentVersion?.description, "v1.31.6+rke2r1")
    }

    func testTwoProcessesForOneDataDirAreAnAmbiguityProblem() throws {
        let box = try Sandbox("proc")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let one = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        let two = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { one.stop(); two.stop() }
        XCTAssertThrowsError(try TestProcesses.scanner(dataDir: box.dataDir).find()) { error in
            XCTAssertTrue("\(error)".contains("multiple rke2 processes"), "\(error)")
            XCTAssertTrue("\(error)".contains("\(one.pid)") && "\(error)".contains("\(two.pid)"), "\(error)")
        }
        let node = try box.inspector.inspect()
        XCTAssertNil(node.running)
        XCTAssertTrue(node.problems.contains { $0.contains("multiple rke2 processes") })
    }

    func testAnotherDataDirIsNotOurs() throws {
        let box = try Sandbox("proc")
        let other = try Sandbox("proc-other")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: other.binaryPath)
        let fake = try FakeRKE2.start(binary: other.binaryPath, dataDir: other.dataDir)
        defer { fake.stop() }
        XCTAssertNil(try TestProcesses.scanner(dataDir: box.dataDir).find())
    }

    func testNoProcessFallsBackToTheGivenBinary() throws {
        let box = try Sandbox("proc")
        try FakeRKE2.install(version: "v1.30.5+rke2r2", at: box.binaryPath)
        var paths = box.paths
        paths.rke2Binary = box.binaryPath
        let node = try LocalInspector(paths: paths).inspect()
        XCTAssertEqual(node.role, .unknown)
        XCTAssertNil(node.running)
        XCTAssertEqual(node.binary?.version?.description, "v1.30.5+rke2r2")
    }

    func testABinaryThatIsNotRKE2IsAProblemNotACrash() throws {
        let box = try Sandbox("proc")
        var paths = box.paths
        paths.rke2Binary = "/bin/true"
        let node = try LocalInspector(paths: paths).inspect()
        XCTAssertNil(node.binary?.version)
        XCTAssertTrue(node.problems.contains { $0.contains("/bin/true --version printed no rke2 version") }, "\(node.problems)")
        paths.rke2Binary = box.root + "/missing"
        XCTAssertTrue(try LocalInspector(paths: paths).inspect().problems.contains { $0.contains("does not exist") })
    }

    func testVersionTimeout() throws {
        let box = try Sandbox("proc")
        let script = try box.write("usr/local/bin/slow", "#!/bin/sh\nsleep 30\n")
        chmod(script, 0o755)
        var inspector = LocalInspector(paths: box.paths)
        inspector.versionTimeout = 0.5
        let started = Date()
        let binary = inspector.inspectBinary(script)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertTrue(binary.problem?.contains("did not answer") == true, binary.problem ?? "")
    }

    func testStatParsingWithSpacesAndParentheses() {
        let fields = "S 45 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67"
        let parsed = ProcessScanner.parseStat(Data("123 (my (odd) proc) \(fields)".utf8))
        XCTAssertEqual(parsed?.comm, "my (odd) proc")
        XCTAssertEqual(parsed?.ppid, 45)
        XCTAssertEqual(parsed?.startTicks, 987654)
    }
}
