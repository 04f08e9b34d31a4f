import Foundation
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// Command-line hardening: numeric options, the log file, insecure connections shown, snapshot order.
final class HardeningCLITests: XCTestCase {
    func testNumericOptionsAreValidated() throws {
        for value in ["0", "-1", "nan", "inf", "-inf", "1e300", "0.1"] {
            let refresh = try Shell.cli(["dashboard", "--watch", "--refresh=\(value)"])
            XCTAssertEqual(refresh.status, 2, "--refresh \(value)")
            XCTAssertTrue(refresh.stderr.contains("--refresh must be a number of seconds between 0.2 and 3600"), "--refresh \(value): \(refresh.stderr)")
        }
        for value in ["0", "-5", "nan", "inf", "1e300", "90000"] {
            let timeout = try Shell.cli(["restart", "--timeout=\(value)"])
            XCTAssertEqual(timeout.status, 2, "--timeout \(value)")
            XCTAssertTrue(timeout.stderr.contains("--timeout must be a number of seconds"), "--timeout \(value): \(timeout.stderr)")
        }
    }

    func testTheLogFileIsPrivateAndNeverFollowsOrBorrowsAFile() throws {
        let box = try Sandbox("log-file")
        let path = box.root + "/state/upgrade-tui/dashboard.log"
        let (_, fd) = try FileLogHandler.open(path: path)
        close(fd)
        XCTAssertEqual(try XCTUnwrap(POSIX.linkInfo(path)).st_mode & 0o777, 0o600)
        XCTAssertEqual(try XCTUnwrap(POSIX.linkInfo(box.root + "/state/upgrade-tui")).st_mode & 0o777, 0o700)

        let target = box.root + "/target"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        let link = box.root + "/link.log"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        XCTAssertThrowsError(try FileLogHandler.open(path: link)) { XCTAssertTrue("\($0)".contains("symlink"), "\($0)") }

        let fifo = box.root + "/fifo.log"
        mkfifo(fifo, 0o600)
        XCTAssertThrowsError(try FileLogHandler.open(path: fifo)) { XCTAssertTrue("\($0)".contains("FIFO"), "\($0)") }

        let foreign = box.root + "/foreign.log"
        try Data().write(to: URL(fileURLWithPath: foreign))
        if geteuid() == 0 {
            chown(foreign, 65534, 65534)
            XCTAssertThrowsError(try FileLogHandler.open(path: foreign)) { XCTAssertTrue("\($0)".contains("owned by uid 65534"), "\($0)") }
        }
        // The command line refuses before it draws anything, naming the file.
        let cli = try Shell.cli(["--demo", "--log-file", link])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.stderr.contains(link) && cli.stderr.contains("symlink"), cli.stderr)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "precious\n")
    }

    func testDefaultLogPathsAreNeverASharedTmpName() {
        XCTAssertEqual(FileLogHandler.defaultPath(environment: ["HOME": "/root"], euid: 0), "/var/log/upgrade-tui/dashboard.log")
        XCTAssertEqual(FileLogHandler.defaultPath(environment: ["XDG_STATE_HOME": "/home/a/.state", "HOME": "/home/a"], euid: 1000),
                       "/home/a/.state/upgrade-tui/dashboard.log")
        XCTAssertEqual(FileLogHandler.defaultPath(environment: ["HOME": "/home/a"], euid: 1000), "/home/a/.local/state/upgrade-tui/dashboard.log")
        XCTAssertNil(FileLogHandler.defaultPath(environment: [:], euid: 1000))
    }

    func testInsecureConnectionsAreShownInStatusAndTheHeader() throws {
        let box = try Sandbox("insecure")
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
        let b64 = { (file: String) in try Data(contentsOf: URL(fileURLWithPath: file)).base64EncodedString() }
        let skipVerify = try emulator.writeKubeconfig(
            name: "insecure.yaml", server: emulator.httpsURL, cluster: "    insecure-skip-tls-verify: true",
            user: "    client-certificate-data: \(try b64(emulator.certs + "/client.pem"))\n    client-key-data: \(try b64(emulator.certs + "/client.key"))")
        for (kubeconfig, expected) in [(try emulator.writeHTTPKubeconfig(), "plain-http"), (skipVerify, "tls-verify-disabled"),
                                       (try emulator.writeMTLSKubeconfig(), nil)] {
            let json = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig] + box.cliOptions)
            XCTAssertEqual(json.status, 0, json.stderr)
            let doc = try JSONValue.parse(json.stdout)
            XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "ok")
            XCTAssertEqual(doc["cluster"]?["insecure"]?.stringValue, expected, kubeconfig)
            XCTAssertEqual(doc["cluster"]?["insecure"]?.isNull, expected == nil)
            let text = try Shell.cli(["status", "--kubeconfig", kubeconfig] + box.cliOptions)
            XCTAssertEqual(text.stdout.contains("INSECURE"), expected != nil, text.stdout)
        }
        var snapshot = SnapshotFixtures.midUpgrade()
        snapshot.cluster.insecure = .tlsVerifyDisabled
        XCTAssertTrue(HostileOutputTests.render(snapshot, width: 120, height: 40).text.contains("INSECURE: TLS not verified"))
        snapshot.cluster.insecure = nil
        XCTAssertFalse(HostileOutputTests.render(snapshot, width: 120, height: 40).text.contains("INSECURE"))
    }

    func testAPlainHTTPKubeconfigWithATokenToAnotherHostIsRefused() throws {
        let box = try Sandbox("token-http")
        let kubeconfig = box.root + "/remote.yaml"
        try box.write(kubeconfig, """
            apiVersion: v1
            clusters:
            - cluster: {server: "http://192.0.2.10:6443"}
              name: c
            contexts:
            - context: {cluster: c, user: u}
              name: c
            current-context: c
            users:
            - name: u
              user: {token: s3cret}

            """)
        let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", kubeconfig] + box.cliOptions)
        XCTAssertEqual(result.status, 0, result.stderr)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "not-configured")
        let error = doc["cluster"]?["error"]?.stringValue ?? ""
        XCTAssertTrue(error.contains("http://192.0.2.10:6443") && error.contains("plain HTTP"), error)
    }

    func testTheDashboardShowsSnapshotsInPublishedOrder() {
        var older = SnapshotFixtures.midUpgrade()
        older.sequence = 4
        var newer = older
        newer.sequence = 5
        newer.localError = "newer"
        var dashboard = Dashboard(state: ViewState(readOnly: false), theme: .unicodeColor, width: 80, height: 24)
        dashboard.handle(.snapshot(older))
        XCTAssertEqual(dashboard.snapshot?.sequence, 4, "the first snapshot is taken")
        dashboard.handle(.snapshot(newer))
        XCTAssertEqual(dashboard.snapshot?.sequence, 5)
        dashboard.handle(.snapshot(older))
        XCTAssertEqual(dashboard.snapshot?.sequence, 5, "an older one never replaces a newer")
        var same = newer
        same.localError = "same sequence"
        dashboard.handle(.snapshot(same))
        XCTAssertEqual(dashboard.snapshot?.localError, "newer", "nor one of the same sequence")
    }
}
