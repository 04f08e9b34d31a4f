import TestSupport
import XCTest
@testable import UpgradeModel

final class ManifestScanTests: XCTestCase {
    func scan(_ box: Sandbox, disabled: [DisabledComponent] = []) throws -> ManifestScan {
        try ManifestScanner(directory: box.manifestsDir, disabled: disabled).scan()
    }

    func testStatesOrphansDotfilesSubdirectoriesAndOddNames() throws {
        let box = try Sandbox("scan")
        try box.manifest("rke2-canal.yaml")
        try box.manifest("rke2-canal.yaml.skip", "")
        try box.manifest("rke2-coredns.yaml")
        try box.manifest("rke2-ingress-nginx.yaml.skip", "")       // orphan marker
        try box.manifest(".hidden.yaml")
        try box.manifest("notes.txt", "hello")
        try box.manifest("custom/app one.yml")                       // sub-directory, space
        try box.manifest("custom/ünïcødé.json", "{}")
        try box.manifest("custom/deep/thing.yaml")
        try box.manifest("rke2-metrics-server.yaml")
        let disabled = [DisabledComponent(name: "rke2-metrics-server", source: "config.yaml")]
        let rows = try scan(box, disabled: disabled).files
        let states = Dictionary(uniqueKeysWithValues: rows.map { ($0.file, $0.localState) })
        XCTAssertEqual(states, [
            ".hidden.yaml": .ignored,
            "custom/app one.yml": .active,
            "custom/deep/thing.yaml": .active,
            "custom/ünïcødé.json": .active,
            "notes.txt": .ignored,
            "rke2-canal.yaml": .skipped,
            "rke2-coredns.yaml": .active,
            "rke2-ingress-nginx.yaml": .skipped,
            "rke2-metrics-server.yaml": .disabled,
        ])
        let canal = try XCTUnwrap(rows.first { $0.file == "rke2-canal.yaml" })
        XCTAssertEqual(canal.skipMarker, "rke2-canal.yaml.skip")
        XCTAssertEqual(canal.addon, "rke2-canal")
        XCTAssertEqual(canal.sha256, try ManifestScanner.sha256(ofFile: box.manifestsDir + "/rke2-canal.yaml"))
        XCTAssertEqual(canal.sha256?.count, 64)
        let orphan = try XCTUnwrap(rows.first { $0.file == "rke2-ingress-nginx.yaml" })
        XCTAssertFalse(orphan.present)
        XCTAssertNil(orphan.sha256)
        XCTAssertEqual(rows.first { $0.file == "custom/app one.yml" }?.addon, "app one")
        XCTAssertEqual(rows.first { $0.file == "rke2-metrics-server.yaml" }?.disabledBy?.source, "config.yaml")
    }

    func testKnownSha256() throws {
        let box = try Sandbox("scan")
        try box.manifest("a.yaml", "abc")
        XCTAssertEqual(try scan(box).files.first?.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testSkipMarkerAnywhereInTheTreeSkipsByBaseName() throws {
        let box = try Sandbox("scan")
        try box.manifest("sub/app.yaml")
        try box.manifest("other/app.yaml.skip", "")
        let rows = try scan(box).files
        XCTAssertEqual(rows.first { $0.file == "sub/app.yaml" }?.localState, .skipped)
        XCTAssertEqual(rows.count, 1, "a marker whose base name exists elsewhere is not an orphan")
    }

    func testDisabledWinsOverSkipAndParentDirectoriesDisable() throws {
        let box = try Sandbox("scan")
        try box.manifest("rke2-coredns.yaml")
        try box.manifest("rke2-coredns.yaml.skip", "")
        try box.manifest("team-a/app.yaml")
        let disabled = [DisabledComponent(name: "rke2-coredns", source: "--disable flag"),
                        DisabledComponent(name: "team-a", source: "config.yaml")]
        let rows = try scan(box, disabled: disabled).files
        XCTAssertEqual(rows.first { $0.file == "rke2-coredns.yaml" }?.localState, .disabled)
        XCTAssertEqual(rows.first { $0.file == "team-a/app.yaml" }?.disabledBy?.name, "team-a")
    }

    func testExplicitDisablesAreListedEvenWithoutAFile() throws {
        let box = try Sandbox("scan")
        let disabled = [DisabledComponent(name: "rke2-ingress-nginx", source: "config.yaml"),
                        DisabledComponent(name: "rke2-calico", source: "cni: canal", implicit: true)]
        let rows = try scan(box, disabled: disabled).files
        XCTAssertEqual(rows.map(\.file), ["rke2-ingress-nginx.yaml"])
        XCTAssertEqual(rows.first?.localState, .disabled)
        XCTAssertEqual(rows.first?.present, false)
    }

    func testSymlinkedDirectoryIsScannedAndMarkedAndLoopsEnd() throws {
        let box = try Sandbox("scan")
        let outside = try box.write("elsewhere/linked.yaml", Sandbox.helmChart("linked"))
        symlink((outside as NSString).deletingLastPathComponent, box.manifestsDir + "/link")
        symlink(box.manifestsDir, box.manifestsDir + "/loop")
        let rows = try scan(box).files
        let linked = try XCTUnwrap(rows.first { $0.file == "link/linked.yaml" })
        XCTAssertTrue(linked.viaSymlink)
        XCTAssertEqual(rows.filter { $0.file.hasSuffix("linked.yaml") }.count, 1)
    }

    func testMissingDirectoryIsEmpty() throws {
        let scan = try ManifestScanner(directory: "/nonexistent/manifests", disabled: []).scan()
        XCTAssertEqual(scan.files, [])
    }
}
