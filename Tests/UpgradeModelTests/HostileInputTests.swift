import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// Files other users can write and programs upgrade-tui runs are hostile until checked: nothing they do
/// may hang a root dashboard (FIFOs, children that never exit), walk the whole filesystem, or make it
/// write where someone else chose.
final class HostileInputTests: XCTestCase {
    /// Runs `body` on a thread; fails (instead of hanging the suite) when it has not returned in time.
    func finishes<T: Sendable>(within seconds: TimeInterval, _ what: String, unblock: () -> Void = {},
                               _ body: @escaping @Sendable () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> Result<T, Error>? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, Error>?
        Thread {
            result = Result { try body() }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + seconds) == .timedOut {
            XCTFail("\(what) did not return within \(seconds) s", file: file, line: line)
            unblock()
            _ = done.wait(timeout: .now() + 60)
            return nil
        }
        return result
    }

    func makeFIFO(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard mkfifo(path, 0o644) == 0 else { throw POSIX.fail("mkfifo", path) }
    }

    /// A writer that opens and closes the FIFO releases a reader blocked in open(2).
    static func release(_ fifo: String) {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }

    func processState(_ pid: String) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return String(stat[stat.index(close, offsetBy: 2)])
    }

    // MARK: subprocess deadlines

    func testDeadlineCoversAChildThatClosedItsOutputAndHangs() throws {
        let started = Date()
        let result = try Subprocess.run("/bin/sh", ["-c", "exec >/dev/null 2>&1; sleep 30"], timeout: 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.status, 128 + SIGKILL)
    }

    func testAGrandchildHoldingThePipeNeitherHangsNorOutlivesTheCall() throws {
        let started = Date()
        let result = try Subprocess.run("/bin/sh", ["-c", "sleep 30 & echo $!"], timeout: 10)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the child exited at once; its grandchild holds the pipe")
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.status, 0)
        let grandchild = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(grandchild.isEmpty)
        usleep(200_000)
        XCTAssertTrue([nil, "Z"].contains(processState(grandchild)), "sleep \(grandchild) still runs")
    }

    func testTheWholeGroupIsKilledAtTheDeadline() throws {
        let result = try Subprocess.run("/bin/sh", ["-c", "sleep 30 & echo $!; sleep 30"], timeout: 1)
        XCTAssertTrue(result.timedOut)
        let grandchild = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        usleep(200_000)
        XCTAssertTrue([nil, "Z"].contains(processState(grandchild)), "sleep \(grandchild) still runs")
    }

    func testOutputAndStatusOfANormalRun() throws {
        let result = try Subprocess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: 5)
        XCTAssertEqual(result, Subprocess.Result(status: 3, output: "out\nerr\n", timedOut: false))
    }

    // MARK: FIFOs and other non-regular files

    func testAFIFOAsConfigIsAClearErrorNotAHang() throws {
        let box = try Sandbox("fifo-config")
        try makeFIFO(box.configFile)
        let configFile = box.configFile
        let outcome = finishes(within: 5, "RKE2Config.load on a FIFO", unblock: { Self.release(configFile) }) {
            try RKE2Config.load(configFile: configFile)
        }
        guard case let .failure(error as UpgradeError)? = outcome else { return XCTFail("expected an error, got \(String(describing: outcome))") }
        XCTAssertEqual(error.kind, .input)
        XCTAssertTrue(error.message.contains(configFile) && error.message.contains("FIFO"), error.message)
        // The command line: exit 2, naming the file.
        let status = try Shell.cli(["status"] + box.cliOptions)
        XCTAssertEqual(status.status, 2, status.stdout)
        XCTAssertTrue(status.stderr.contains(configFile) && status.stderr.contains("not a regular file"), status.stderr)
    }

    func testFIFOsElsewhereAreRefusedWithoutBlocking() throws {
        let box = try Sandbox("fifo-others")
        // A manifest that became a FIFO, hashed.
        let manifest = box.manifestsDir + "/rke2-canal.yaml"
        try makeFIFO(manifest)
        let hashed = finishes(within: 5, "hashing a FIFO", unblock: { Self.release(manifest) }) { try ManifestScanner.sha256(ofFile: manifest) }
        guard case .failure? = hashed else { return XCTFail("a FIFO must not be hashed") }
        // A kubeconfig that is a FIFO.
        let kubeconfig = box.root + "/kubeconfig"
        try makeFIFO(kubeconfig)
        let loaded = finishes(within: 5, "loading a FIFO kubeconfig", unblock: { Self.release(kubeconfig) }) { try Kubeconfig.load(path: kubeconfig) }
        guard case let .failure(error as UpgradeError)? = loaded else { return XCTFail("a FIFO kubeconfig must be refused") }
        XCTAssertTrue(error.message.contains(kubeconfig), error.message)
    }

    func testAFIFOTokenFileIsAnAuthenticationErrorNotAHang() async throws {
        let box = try Sandbox("fifo-token")
        let token = box.root + "/token"
        try makeFIFO(token)
        // Should the read block, a writer releases it after a while (and the assertions below fail).
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { Self.release(token) }
        let client = try KubeClient(access: KubeAccess(source: "test", context: "t", server: "http://127.0.0.1:1", tokenFile: token))
        defer { Task { await client.shutdown() } }
        do {
            _ = try await client.send(.GET, "/version")
            XCTFail("expected an error")
        } catch let error as KubeError {
            guard case let .unauthorized(_, message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(token), message)
        }
    }

    // MARK: the manifests walk

    func testSymlinkedDirectoriesAreFollowedOnlyWhereTheDeployControllerFollowsThem() throws {
        let box = try Sandbox("walk-symlinks")
        let outside = box.root + "/outside"
        try box.write(outside + "/team/app.yaml", "a: 1\n")
        try box.write(outside + "/team/nested/deep.yaml", "b: 1\n")
        try box.write(box.root + "/elsewhere/hidden.yaml", "c: 1\n")
        try box.write(box.root + "/file.yaml", "d: 1\n")
        try FileManager.default.createSymbolicLink(atPath: box.manifestsDir + "/linked", withDestinationPath: outside + "/team")
        // Inside the followed directory: a symlinked directory (not followed) and a symlinked file (read).
        try FileManager.default.createSymbolicLink(atPath: outside + "/team/more", withDestinationPath: box.root + "/elsewhere")
        try FileManager.default.createSymbolicLink(atPath: outside + "/team/file.yaml", withDestinationPath: box.root + "/file.yaml")
        try box.manifest("real/sub/x.yaml", "x: 1\n")
        let files = try ManifestScanner(directory: box.manifestsDir, disabled: []).scan().files.map(\.file)
        XCTAssertEqual(files, ["linked/app.yaml", "linked/file.yaml", "linked/nested/deep.yaml", "real/sub/x.yaml"])
    }

    func testASymlinkToALargeTreeCostsAProblemLineNotAWalkOfTheFilesystem() throws {
        let box = try Sandbox("walk-root")
        try box.manifest("rke2-canal.yaml")
        try FileManager.default.createSymbolicLink(atPath: box.manifestsDir + "/x", withDestinationPath: "/usr")
        let started = Date()
        let scan = try ManifestScanner(directory: box.manifestsDir, disabled: []).scan()
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(scan.problems.contains { $0.contains(box.manifestsDir + "/x") && $0.contains("stopped after") }, "\(scan.problems)")
        XCTAssertTrue(scan.files.contains { $0.file == "rke2-canal.yaml" })
        // status shows it.
        let status = try Shell.cli(["status", "--output", "json"] + box.cliOptions)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("stopped after"), status.stdout.prefix(2000).description)
    }

    func testWalkBoundsEntriesAndDepthAndNamesBrokenLinks() throws {
        let box = try Sandbox("walk-bounds")
        for index in 0..<30 { try box.manifest("many/m\(index).yaml", "a: 1\n") }
        try box.manifest(String(repeating: "d/", count: 20) + "deep.yaml", "a: 1\n")
        try FileManager.default.createSymbolicLink(atPath: box.manifestsDir + "/broken.yaml", withDestinationPath: box.root + "/nowhere")
        var scanner = ManifestScanner(directory: box.manifestsDir, disabled: [])
        scanner.maxEntries = 20
        let bounded = try scanner.scan()
        XCTAssertLessThanOrEqual(bounded.files.count, 20)
        XCTAssertTrue(bounded.problems.contains { $0.contains("stopped after 20 entries") && $0.contains(box.manifestsDir + "/many") }, "\(bounded.problems)")
        let full = try ManifestScanner(directory: box.manifestsDir, disabled: []).scan()
        XCTAssertFalse(full.files.contains { $0.file.hasSuffix("deep.yaml") })
        XCTAssertTrue(full.problems.contains { $0.contains("directories deep") }, "\(full.problems)")
        XCTAssertTrue(full.problems.contains { $0.contains(box.manifestsDir + "/broken.yaml") && $0.contains("broken symlink") }, "\(full.problems)")
    }

    func testAFileVanishingDuringTheScanIsSkipped() throws {
        let box = try Sandbox("walk-vanish")
        let dir = box.manifestsDir
        for index in 0..<40 { try box.manifest("f\(index).yaml", "a: \(index)\n") }
        let stop = ManagedAtomicFlag()
        let churn = Thread {
            var round = 0
            while !stop.isSet {
                round += 1
                for index in 0..<40 {
                    let path = dir + "/f\(index).yaml"
                    unlink(path)
                    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
                    if fd >= 0 { _ = write(fd, "a: \(round)\n", 8); close(fd) }
                }
            }
        }
        churn.start()
        defer { stop.set() }
        for _ in 0..<300 {
            XCTAssertNoThrow(try ManifestScanner(directory: dir, disabled: []).scan())
        }
    }

    // MARK: scratch directories

    func testTheDemoUsesAPrivateNewDirectoryNotAPredictableOne() throws {
        let parent = try Sandbox("demo-parent").root
        // Someone else prepared the name the demo used to take.
        let predictable = parent + "/upgrade-tui-demo-\(geteuid())"
        try FileManager.default.createDirectory(atPath: predictable, withIntermediateDirectories: true)
        try Data("theirs".utf8).write(to: URL(fileURLWithPath: predictable + "/planted"))
        chown(predictable, 65534, 65534)
        let node = try DemoNode.create(cluster: DemoCluster(), in: parent)
        defer { DemoNode.remove(root: node.root) }
        XCTAssertNotEqual(node.root, predictable)
        XCTAssertTrue(node.root.hasPrefix(parent + "/upgrade-tui-demo-"))
        let st = try XCTUnwrap(POSIX.linkInfo(node.root))
        XCTAssertEqual(st.st_mode & 0o777, 0o700)
        XCTAssertEqual(st.st_uid, geteuid())
        XCTAssertTrue(FileManager.default.fileExists(atPath: predictable + "/planted"), "someone else's directory is left alone")
        XCTAssertTrue(FileManager.default.fileExists(atPath: node.paths.manifestsDir + "/rke2-canal.yaml"))
        let second = try DemoNode.create(cluster: DemoCluster(), in: parent)
        defer { DemoNode.remove(root: second.root) }
        XCTAssertNotEqual(second.root, node.root)
    }
}

/// A flag two threads share.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
