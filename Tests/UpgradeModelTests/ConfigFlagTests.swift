import UpgradeModel
import XCTest

/// rke2 reads boolean flags from its config with Go's `strconv.ParseBool` (docs/rke2-rules.md).
final class ConfigFlagTests: XCTestCase {
    func testDisableAPIServerIsReadAsGoParsesBooleans() {
        for (value, runs) in [("true", false), ("1", false), ("t", false), ("T", false), ("TRUE", false), ("True", false),
                              ("false", true), ("0", true), ("yes", true), ("tRuE", true), ("", true)] {
            let config = RKE2Config(files: ["/etc/rancher/rke2/config.yaml"], values: ["disable-apiserver": [value]],
                                    sources: [:], disabled: [])
            XCTAssertEqual(config.runsDeployController, runs, "disable-apiserver: \(value)")
        }
        XCTAssertTrue(RKE2Config(files: [], values: [:], sources: [:], disabled: []).runsDeployController)
    }
}
