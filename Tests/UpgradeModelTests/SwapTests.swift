import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// Swap, restart and rollback with compiled fake binaries, a supervisor loop standing in for systemd,
/// and real signals.
final class SwapTests: XCTestCase {
    struct Node {
        let box: Sandbox
        var inspector: LocalInspector
        var binary: String { box.binaryPath }
    }

    func node(installed version: String = "v1.31.6+rke2r1") throws -> Node {
        let box = try Sandbox("swap")
        try FakeRKE2.install(version: version, at: box.binaryPath)
        var paths = box.paths
        paths.rke2Binary = box.binaryPath
        return Node(box: box, inspector: LocalInspector(paths: paths))
    }

    func newBinary(_ box: Sandbox, _ version: String, name: String = "rke2.linux-amd64") throws -> String {
        try FakeRKE2.install(version: version, at: box.root + "/download/" + name)
    }

    func version(of path: String) -> String? {
        (try? Subprocess.run(path, ["--version"], timeout: 5)).flatMap { RKE2Version.parseVersionOutput($0.output)?.version.description }
    }

    func auditRecords(_ box: Sandbox) throws -> [JSONValue] {
        try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }.filter { $0["phase"]?.stringValue == "result" }
    }

    func testSwapPreservesModeOwnerAndXattrsAndKeepsABackup() throws {
        let n = try node()
        chmod(n.binary, 0o751)
        if geteuid() == 0 { chown(n.binary, 0, 4321) }
        let xattrs = Xattr.set(n.binary, "user.upgrade-tui-test", "label-1")
        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        let outcome = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(version(of: n.binary), "v1.32.2+rke2r1")
        let st = POSIX.fileInfo(n.binary)!
        XCTAssertEqual(st.st_mode & 0o7777, 0o751)
        if geteuid() == 0 {
            XCTAssertEqual(st.st_uid, 0)
            XCTAssertEqual(st.st_gid, 4321)
        }
        if xattrs { XCTAssertEqual(Xattr.get(n.binary, "user.upgrade-tui-test"), "label-1") }
        let backups = BinaryInstaller.backups(in: n.box.paths.backupsDir)
        XCTAssertEqual(backups.map { $0.version?.description }, ["v1.31.6+rke2r1"])
        XCTAssertEqual(version(of: backups[0].path), "v1.31.6+rke2r1")
        let record = try XCTUnwrap(auditRecords(n.box).last)
        XCTAssertEqual(record["command"]?.stringValue, "swap")
        XCTAssertEqual(record["before"]?["version"]?.stringValue, "v1.31.6+rke2r1")
        XCTAssertEqual(record["after"]?["version"]?.stringValue, "v1.32.2+rke2r1")
        XCTAssertEqual(record["after"]?["sha256"]?.stringValue, try ManifestScanner.sha256(ofFile: n.binary))
        // Rerunning is idempotent, as upgrade.sh's "already replaced".
        let again = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
        XCTAssertFalse(again.changed)
        XCTAssertTrue(again.summary.contains("already replaced"))
    }

    func testOnlyTheLastThreeBackupsAreKept() throws {
        let n = try node(installed: "v1.31.1+rke2r1")
        for patch in 2...6 {
            let new = try newBinary(n.box, "v1.31.\(patch)+rke2r1", name: "rke2-\(patch)")
            _ = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
            usleep(2_000)
        }
        XCTAssertEqual(BinaryInstaller.backups(in: n.box.paths.backupsDir).compactMap { $0.version?.description },
                       ["v1.31.5+rke2r1", "v1.31.4+rke2r1", "v1.31.3+rke2r1"])
    }

    func testChecksumMismatchAndUnsafeVersionsAreRefused() throws {
        let n = try node()
        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        // Not beside the candidates: the other candidates here are judged without a checksum file.
        let sums = try n.box.write("sums/sha256sum-amd64.txt", "\(String(repeating: "0", count: 64))  rke2.linux-amd64\nabc  rke2.linux-amd64.tar.gz\n")
        let before = try ManifestScanner.sha256(ofFile: n.binary)
        XCTAssertThrowsError(try SwapOperation(binary: new, checksums: sums, inspector: n.inspector, cluster: nil).run(force: nil)) { error in
            XCTAssertEqual((error as? UpgradeError)?.kind, .refused)
            XCTAssertTrue("\(error)".contains("checksum: sha256"), "\(error)")
        }
        XCTAssertEqual(try ManifestScanner.sha256(ofFile: n.binary), before, "nothing was replaced")
        let good = try n.box.write("download/good.txt", "\(try ManifestScanner.sha256(ofFile: new))  rke2.linux-amd64\n")
        XCTAssertEqual(try SwapOperation(binary: new, checksums: good, inspector: n.inspector, cluster: nil).prepare().checks.first { $0.name == "checksum" }?.status, .pass)

        let skip = try newBinary(n.box, "v1.33.0+rke2r1", name: "skip")
        XCTAssertThrowsError(try SwapOperation(binary: skip, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)) { error in
            XCTAssertTrue("\(error)".contains("skips v1.32"), "\(error)")
        }
        let older = try newBinary(n.box, "v1.31.5+rke2r1", name: "older")
        XCTAssertThrowsError(try SwapOperation(binary: older, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)) { error in
            XCTAssertTrue("\(error)".contains("older than"), "\(error)")
        }
        let script = try n.box.write("download/not-rke2", "#!/bin/sh\necho hello\n")
        chmod(script, 0o755)
        XCTAssertThrowsError(try SwapOperation(binary: script, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)) { error in
            XCTAssertTrue("\(error)".contains("printed no rke2 version"), "\(error)")
        }
        let notExecutable = try n.box.write("download/plain", "data")
        XCTAssertEqual(try SwapOperation(binary: notExecutable, checksums: nil, inspector: n.inspector, cluster: nil).prepare().failures.first?.name, "executable")
        XCTAssertEqual(try ManifestScanner.sha256(ofFile: n.binary), before)
        // --force with a reason overrides, and the reason is audited.
        _ = try SwapOperation(binary: skip, checksums: nil, inspector: n.inspector, cluster: nil).run(force: "lab cluster, tested skip")
        XCTAssertEqual(version(of: n.binary), "v1.33.0+rke2r1")
        let forced = try XCTUnwrap(auditRecords(n.box).last)
        XCTAssertEqual(forced["details"]?["forceReason"]?.stringValue, "lab cluster, tested skip")
        XCTAssertEqual(forced["details"]?["forced"]?.stringValue, "no minor skip")
        XCTAssertTrue(try auditRecords(n.box).contains { $0["result"]?.stringValue == "refused" })
    }

    func testAgentsWaitForTheControlPlane() throws {
        let n = try node()
        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        var cache = ClusterCache()
        cache.apply(.replace([ObjectFactory.node("server-1", version: "v1.31.6+rke2r1")]), to: \.nodes, kind: .nodes)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        let cluster = ClusterDerivation.derive(cache, namespace: "system-upgrade")
        let fake = try FakeRKE2.start(binary: n.binary, role: "agent", dataDir: n.box.dataDir)
        defer { fake.stop() }
        let prepared = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: cluster).prepare()
        let check = try XCTUnwrap(prepared.checks.first { $0.name == "servers first" })
        XCTAssertEqual(check.status, .fail)
        XCTAssertTrue(check.reason.contains("control-plane nodes still run v1.31.6+rke2r1"), check.reason)
    }

    /// A `kill -9` at any instant leaves the old or the new binary at the path, never a partial one.
    func testKillNineDuringASwapNeverLeavesAPartialBinary() throws {
        let n = try node()
        // Pad both binaries (ELF files still run with data appended) so copying and hashing take time.
        let padding = Data(count: 24 << 20)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: n.binary))
        handle.seekToEndOfFile(); handle.write(padding); try handle.close()
        let old = n.box.root + "/old-rke2"
        try FileManager.default.copyItem(atPath: n.binary, toPath: old)
        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        let newHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: new))
        newHandle.seekToEndOfFile(); newHandle.write(padding + Data([1])); try newHandle.close()
        let oldSha = try ManifestScanner.sha256(ofFile: old)
        let newSha = try ManifestScanner.sha256(ofFile: new)
        var outcomes: [String: Int] = [:]
        for run in 0..<50 {
            let pid = try Shell.spawn(RepoPaths.cliBinary, ["swap", "--binary", new, "--yes", "--rke2-binary", n.binary, "--kubeconfig", "/dev/null"] + n.box.cliOptions,
                                      environment: TestProcesses.cliEnvironment)
            usleep(UInt32.random(in: 0...400_000))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let sha = try ManifestScanner.sha256(ofFile: n.binary)
            XCTAssertTrue(sha == oldSha || sha == newSha, "run \(run): a partial binary at the path")
            XCTAssertNotNil(version(of: n.binary), "run \(run): the binary at the path runs")
            outcomes[sha == newSha ? "new" : "old", default: 0] += 1
            if sha == newSha {
                // Put the old binary back (as a swap would) for the next run.
                try BinaryInstaller.install(source: old, over: n.binary) { _ in }
            }
        }
        print("kill -9 outcomes over 50 runs: \(outcomes)")
        // Leftover temporaries of killed runs are removed by the next swap.
        _ = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (n.binary as NSString).deletingLastPathComponent).filter { $0.contains(".upgrade-tui.") }
        XCTAssertEqual(leftovers, [])
    }

    func testTwoConcurrentSwapsOneIsRefused() throws {
        let n = try node()
        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        let lock = try OperationLock.acquire(path: n.box.paths.lockFile, command: "swap --binary /somewhere/else")
        let result = try Shell.cli(["swap", "--binary", new, "--yes", "--rke2-binary", n.binary] + n.box.cliOptions)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("another upgrade-tui operation holds") && result.stderr.contains("swap --binary /somewhere/else"), result.stderr)
        lock.release()
        // Two real processes at once: exactly one swaps, the other is refused or finds it done.
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: n.binary)
        let a = try Shell.spawn(RepoPaths.cliBinary, ["swap", "--binary", new, "--yes", "--rke2-binary", n.binary] + n.box.cliOptions, environment: TestProcesses.cliEnvironment)
        let b = try Shell.spawn(RepoPaths.cliBinary, ["swap", "--binary", new, "--yes", "--rke2-binary", n.binary] + n.box.cliOptions, environment: TestProcesses.cliEnvironment)
        var sa: Int32 = 0, sb: Int32 = 0
        waitpid(a, &sa, 0)
        waitpid(b, &sb, 0)
        let records = try auditRecords(n.box).suffix(2)
        XCTAssertEqual(Set(records.compactMap { $0["result"]?.stringValue }).contains("ok"), true)
        XCTAssertEqual(records.filter { $0["result"]?.stringValue == "ok" }.count, 1, "one swap, not two: \(records)")
    }

    // MARK: restart and rollback under a supervisor

    func testRestartIntoTheSwappedBinaryThenRollback() async throws {
        let n = try node()
        let supervisor = try FakeRKE2.Supervisor(binary: n.binary, dataDir: n.box.dataDir)
        defer { supervisor.stop() }
        let first = try supervisor.waitForRKE2()
        // Nothing swapped yet: nothing to restart.
        let noop = try await RestartOperation(inspector: n.inspector, timeout: 10).run()
        XCTAssertFalse(noop.changed)

        let new = try newBinary(n.box, "v1.32.2+rke2r1")
        _ = try SwapOperation(binary: new, checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
        XCTAssertEqual(try n.inspector.inspect().running?.restartPending, true)
        let restarted = try await RestartOperation(inspector: n.inspector, timeout: 15).run()
        XCTAssertTrue(restarted.changed)
        let second = try supervisor.waitForRKE2()
        XCTAssertNotEqual(second.pid, first.pid)
        XCTAssertEqual(kill(first.pid, 0), -1, "the old process is gone")
        XCTAssertTrue(first.children.allSatisfy { kill($0.pid, 0) == -1 }, "its containerd and kubelet children are gone")
        let after = try n.inspector.inspect()
        XCTAssertEqual(after.running?.restartPending, false)
        XCTAssertEqual(after.currentVersion?.description, "v1.32.2+rke2r1", "the new pid runs the new version")
        XCTAssertTrue(restarted.summary.contains("pid \(first.pid) (v1.31.6+rke2r1) → pid \(second.pid) (v1.32.2+rke2r1)"), restarted.summary)

        // Rollback: the newest backup goes back in place, then a restart runs it.
        let rollback = try RollbackOperation(inspector: n.inspector).run()
        XCTAssertTrue(rollback.changed)
        XCTAssertEqual(version(of: n.binary), "v1.31.6+rke2r1")
        _ = try await RestartOperation(inspector: n.inspector, timeout: 15).run()
        XCTAssertEqual(try n.inspector.inspect().currentVersion?.description, "v1.31.6+rke2r1")
        // Rerunning the rollback finds it done.
        let again = try RollbackOperation(inspector: n.inspector).run()
        XCTAssertFalse(again.changed)
        XCTAssertTrue(again.summary.contains("already rolled back"))
        // Every audit record is present and parseable.
        let commands = try auditRecords(n.box).compactMap { $0["command"]?.stringValue }
        XCTAssertEqual(commands, ["restart", "swap", "restart", "rollback", "restart", "rollback"])
    }

    func testRestartWithoutASupervisorTimesOutClearly() async throws {
        let n = try node()
        let fake = try FakeRKE2.start(binary: n.binary, dataDir: n.box.dataDir)
        defer { fake.stop() }
        _ = try SwapOperation(binary: try newBinary(n.box, "v1.32.2+rke2r1"), checksums: nil, inspector: n.inspector, cluster: nil).run(force: nil)
        do {
            _ = try await RestartOperation(inspector: n.inspector, timeout: 1.5).run()
            XCTFail("nothing restarts it")
        } catch let error as UpgradeError {
            XCTAssertEqual(error.kind, .failed)
            XCTAssertTrue(error.message.contains("no new rke2 process") && error.message.contains("systemctl status rke2-server"), error.message)
        }
        XCTAssertEqual(try auditRecords(n.box).last?["result"]?.stringValue, "failed")
    }

    func testRollbackWithoutBackupIsRefused() throws {
        let n = try node()
        XCTAssertThrowsError(try RollbackOperation(inspector: n.inspector).run()) { error in
            XCTAssertTrue("\(error)".contains("no backup"), "\(error)")
        }
    }
}
