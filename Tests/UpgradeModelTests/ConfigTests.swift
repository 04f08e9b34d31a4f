import TestSupport
import XCTest
@testable import UpgradeModel

final class ConfigTests: XCTestCase {
    func testMissingConfigIsEmptyWithDefaultCNIDisables() throws {
        let box = try Sandbox("config")
        let config = try RKE2Config.load(configFile: box.configFile)
        XCTAssertEqual(config.files, [])
        XCTAssertEqual(config.explicitlyDisabled, [])
        XCTAssertEqual(config.cni, ["canal"])
        let implicit = Set(config.disabled.filter(\.implicit).map(\.name))
        XCTAssertTrue(implicit.isSuperset(of: ["rke2-calico", "rke2-calico-crd", "rke2-cilium", "rke2-flannel", "rke2-multus"]))
        XCTAssertFalse(implicit.contains("rke2-canal"))
    }

    func testDropInsInLexicalOrderLastValueWinsAndPlusAppends() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "disable:\n  - rke2-ingress-nginx\nnode-name: one\n")
        try box.write(box.configFile + ".d/20-b.yaml", "disable+: rke2-metrics-server,rke2-snapshot-controller\n")
        try box.write(box.configFile + ".d/10-a.yaml", "node-name: two\n")
        try box.write(box.configFile + ".d/30-ignored.txt", "disable: everything\n")
        try box.write(box.configFile + ".d/.hidden.conf", "disable: everything\n")
        let config = try RKE2Config.load(configFile: box.configFile)
        XCTAssertEqual(config.files.map { ($0 as NSString).lastPathComponent }, ["config.yaml", "10-a.yaml", "20-b.yaml"])
        XCTAssertEqual(config.string("node-name"), "two")
        XCTAssertEqual(config.explicitlyDisabled.map(\.name), ["rke2-ingress-nginx", "rke2-metrics-server", "rke2-snapshot-controller"])
        XCTAssertEqual(config.explicitlyDisabled.map(\.source), ["config.yaml", "config.yaml.d/20-b.yaml", "config.yaml.d/20-b.yaml"])
    }

    func testPlainDisableInADropInReplacesEarlierValues() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "disable: [rke2-ingress-nginx, rke2-coredns]\n")
        try box.write(box.configFile + ".d/50-x.yaml", "disable: rke2-metrics-server\n")
        let config = try RKE2Config.load(configFile: box.configFile)
        XCTAssertEqual(config.explicitlyDisabled.map(\.name), ["rke2-metrics-server"])
    }

    func testProcessFlagsAreMergedIn() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "disable: rke2-ingress-nginx\ncni: calico\n")
        let config = try RKE2Config.load(configFile: box.configFile,
                                         processArgs: ["--disable", "rke2-coredns", "--disable=rke2-metrics-server,rke2-snapshot-controller", "--node-name", "n1"])
        XCTAssertEqual(config.explicitlyDisabled.map(\.name), ["rke2-ingress-nginx", "rke2-coredns", "rke2-metrics-server", "rke2-snapshot-controller"])
        XCTAssertEqual(config.explicitlyDisabled.last?.source, "--disable flag")
        XCTAssertEqual(config.string("node-name"), "n1")
        XCTAssertEqual(config.cni, ["calico"])
        let implicit = Set(config.disabled.filter(\.implicit).map(\.name))
        XCTAssertTrue(implicit.contains("rke2-canal"))
        XCTAssertFalse(implicit.contains("rke2-calico"))
    }

    func testMultusFirstKeepsMultus() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "cni: multus,cilium\n")
        let config = try RKE2Config.load(configFile: box.configFile)
        let implicit = Set(config.disabled.filter(\.implicit).map(\.name))
        XCTAssertFalse(implicit.contains("rke2-multus"))
        XCTAssertFalse(implicit.contains("rke2-cilium"))
        XCTAssertTrue(implicit.contains("rke2-canal"))
    }

    func testIngressImplicitDisableDependsOnVersion() throws {
        let box = try Sandbox("config")
        let v133 = try RKE2Config.load(configFile: box.configFile, version: RKE2Version("v1.33.4+rke2r1"))
        XCTAssertNotNil(v133.disabledComponent(named: "rke2-traefik"))
        XCTAssertNil(v133.disabledComponent(named: "rke2-ingress-nginx"))
        let v136 = try RKE2Config.load(configFile: box.configFile, version: RKE2Version("v1.36.1+rke2r1"))
        XCTAssertNil(v136.disabledComponent(named: "rke2-traefik"))
    }

    func testMalformedYAMLNamesFileAndLine() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "node-name: ok\n")
        let bad = try box.write(box.configFile + ".d/50-bad.yaml", "disable:\n  - a\n - b\n: : :\n")
        XCTAssertThrowsError(try RKE2Config.load(configFile: box.configFile)) { error in
            let error = error as? UpgradeError
            XCTAssertEqual(error?.kind, .input)
            XCTAssertTrue(error?.message.hasPrefix(bad + ": line 3") == true, error?.message ?? "")
        }
    }

    func testWrongTypeForDisableNamesTheKey() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "disable:\n  a: b\n")
        XCTAssertThrowsError(try RKE2Config.load(configFile: box.configFile)) { error in
            XCTAssertTrue("\(error)".contains("config.yaml:2: disable: expected a list"), "\(error)")
        }
    }

    func testNonMappingConfigIsAnError() throws {
        let box = try Sandbox("config")
        try box.write(box.configFile, "- just\n- a list\n")
        XCTAssertThrowsError(try RKE2Config.load(configFile: box.configFile)) { error in
            XCTAssertTrue("\(error)".contains("must be a mapping"), "\(error)")
        }
    }
}
