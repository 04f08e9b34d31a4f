import Foundation
import TestSupport
import UpgradeModel
import XCTest
@testable import UpgradeTUI

/// upgrade-tui's own version: defined once (VERSION or the tag, stamped by the BuildInfo plugin),
/// printed by --version and carried by the status JSON.
final class BuildVersionTests: XCTestCase {
    func testVersionIsTheVersionFileWithCommitAndDirtyMetadata() throws {
        let base = try String(contentsOfFile: RepoPaths.root + "/VERSION", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let version = BuildInfo.version
        let pattern = #"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+([0-9a-f]{7,40}(\.dirty)?|dirty))?$"#
        XCTAssertNotNil(version.range(of: pattern, options: .regularExpression), version)
        let tagged = !version.contains("+") || version.hasSuffix("+dirty")
        if !tagged {
            XCTAssertTrue(version.hasPrefix(base + "+"), "\(version) is VERSION (\(base)) plus build metadata")
        }
    }

    func testVersionFlagPrintsIt() throws {
        let result = try Shell.cli(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), BuildInfo.version)
    }

    func testStatusJSONCarriesIt() throws {
        let box = try Sandbox("version")
        let result = try Shell.cli(["status", "--output", "json", "--kubeconfig", "/dev/null"] + box.cliOptions)
        XCTAssertEqual(result.status, 0, result.stderr)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["upgradeTuiVersion"]?.stringValue, BuildInfo.version)
    }

    func testPlanVersionIsStillTheTargetNotUpgradeTUIsVersion() throws {
        let result = try Shell.cli(["plan", "--help"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("--version"), result.stdout)
        XCTAssertFalse(result.stdout.contains(BuildInfo.version), result.stdout)
    }
}
