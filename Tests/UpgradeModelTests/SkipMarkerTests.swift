import TestSupport
import XCTest
@testable import UpgradeModel

final class SkipMarkerTests: XCTestCase {
    func operation(_ box: Sandbox, _ mode: SkipOperation.Mode, _ names: [String], dryRun: Bool = false) -> SkipOperation {
        SkipOperation(mode: mode, names: names, dryRun: dryRun, inspector: box.inspector)
    }

    func auditLines(_ box: Sandbox) throws -> [JSONValue] {
        guard box.exists(box.auditLog) else { return [] }
        return try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }.filter { $0["phase"]?.stringValue == "result" }
    }

    func testSkipCreatesOnlyTheMarkerAndIsIdempotent() throws {
        let box = try Sandbox("skip")
        let manifest = try box.manifest("rke2-canal.yaml")
        let before = try box.read(manifest)
        let outcomes = try operation(box, .skip, ["rke2-canal"]).run()
        XCTAssertEqual(outcomes.map(\.action), [.created])
        XCTAssertTrue(box.exists(manifest + ".skip"))
        XCTAssertEqual(try box.read(manifest), before, "the manifest is never touched")
        let again = try operation(box, .skip, ["rke2-canal.yaml"]).run()
        XCTAssertEqual(again.map(\.action), [.alreadySkipped])
        let audit = try auditLines(box)
        XCTAssertEqual(audit.count, 2)
        XCTAssertEqual(audit[0]["command"]?.stringValue, "skip")
        XCTAssertEqual(audit[0]["result"]?.stringValue, "ok")
        XCTAssertEqual(audit[1]["result"]?.stringValue, "no-op")
        XCTAssertNotNil(audit[0]["user"]?.stringValue)
        XCTAssertNotNil(audit[0]["uid"]?.numberValue)
    }

    func testUnskipRemovesTheMarkerAndIsIdempotent() throws {
        let box = try Sandbox("skip")
        let manifest = try box.manifest("rke2-canal.yaml")
        try box.manifest("rke2-canal.yaml.skip", "")
        XCTAssertEqual(try operation(box, .unskip, ["rke2-canal"]).run().map(\.action), [.removed])
        XCTAssertFalse(box.exists(manifest + ".skip"))
        XCTAssertTrue(box.exists(manifest))
        XCTAssertEqual(try operation(box, .unskip, ["rke2-canal"]).run().map(\.action), [.notSkipped])
    }

    func testDryRunChangesNothing() throws {
        let box = try Sandbox("skip")
        let manifest = try box.manifest("rke2-canal.yaml")
        let outcomes = try operation(box, .skip, ["rke2-canal"], dryRun: true).run()
        XCTAssertEqual(outcomes.first?.detail, "would create \(box.manifestsDir)/rke2-canal.yaml.skip")
        XCTAssertFalse(box.exists(manifest + ".skip"))
        XCTAssertEqual(try auditLines(box).count, 0)
    }

    func testSymlinkNamedLikeTheMarkerIsRefusedAndNothingIsCreatedOutside() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml")
        let outside = box.root + "/outside-target"
        symlink(outside, box.manifestsDir + "/rke2-canal.yaml.skip.tmp")
        // The scan sees a dangling symlink marker as absent; the exclusive create must still refuse it.
        symlink(outside, box.manifestsDir + "/rke2-canal.yaml.skip")
        XCTAssertThrowsError(try operation(box, .skip, ["rke2-canal"]).run()) { error in
            XCTAssertTrue("\(error)".contains("is a symlink to \(outside)"), "\(error)")
        }
        XCTAssertFalse(box.exists(outside), "nothing was created through the symlink")
    }

    func testSymlinkedSubdirectoryIsRefused() throws {
        let box = try Sandbox("skip")
        try box.write("elsewhere/app.yaml", Sandbox.helmChart("app"))
        symlink(box.root + "/elsewhere", box.manifestsDir + "/linked")
        XCTAssertThrowsError(try operation(box, .skip, ["app.yaml"]).run()) { error in
            XCTAssertTrue("\(error)".contains("symlink"), "\(error)")
        }
        XCTAssertFalse(box.exists(box.root + "/elsewhere/app.yaml.skip"))
    }

    func testMarkerThatIsADirectoryIsRefusedOnUnskip() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml")
        mkdir(box.manifestsDir + "/rke2-canal.yaml.skip", 0o755)
        XCTAssertThrowsError(try operation(box, .unskip, ["rke2-canal"]).run()) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
        XCTAssertTrue(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
    }

    func testPathEscapesAreRefused() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml")
        for name in ["../rke2-canal.yaml", "sub/rke2-canal.yaml", "..", ".", "", "..rke2", ".hidden.yaml", "rke2-canal.yaml.skip"] {
            XCTAssertThrowsError(try operation(box, .skip, [name]).run(), name) { error in
                XCTAssertEqual((error as? UpgradeError)?.kind, .input, name)
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: box.manifestsDir), ["rke2-canal.yaml"])
    }

    func testOneBadNameChangesNothing() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml")
        XCTAssertThrowsError(try operation(box, .skip, ["rke2-canal", "no-such-addon"]).run()) { error in
            XCTAssertTrue("\(error)".contains("no manifest named 'no-such-addon'"), "\(error)")
        }
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
    }

    func testAFileNotYetWrittenCanBeSkippedByItsFullName() throws {
        let box = try Sandbox("skip")
        XCTAssertEqual(try operation(box, .skip, ["rke2-traefik.yaml"]).run().map(\.action), [.created])
        XCTAssertTrue(box.exists(box.manifestsDir + "/rke2-traefik.yaml.skip"))
    }

    func testDisabledManifestIsRefusedWithTheReason() throws {
        let box = try Sandbox("skip")
        try box.write(box.configFile, "disable: rke2-coredns\n")
        try box.manifest("rke2-coredns.yaml")
        XCTAssertThrowsError(try operation(box, .skip, ["rke2-coredns"]).run()) { error in
            XCTAssertEqual((error as? UpgradeError)?.kind, .refused)
            XCTAssertTrue("\(error)".contains("disabled by config.yaml"), "\(error)")
        }
    }

    func testRenamedManifestMarkerIsRestoredWhenTheFileIsAbsent() throws {
        let box = try Sandbox("skip")
        let content = Sandbox.helmChart("rke2-canal")
        try box.manifest("rke2-canal.yaml.skip", content)
        let outcomes = try operation(box, .unskip, ["rke2-canal.yaml"]).run()
        XCTAssertEqual(outcomes.map(\.action), [.restored])
        XCTAssertEqual(try box.read(box.manifestsDir + "/rke2-canal.yaml"), content)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
    }

    func testRenamedManifestMarkerIsKeptAsBackupWhenTheFileExists() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml", Sandbox.helmChart("rke2-canal", chartVersion: "2.0.0"))
        let old = Sandbox.helmChart("rke2-canal", chartVersion: "1.0.0")
        try box.manifest("rke2-canal.yaml.skip", old)
        let outcome = try XCTUnwrap(try operation(box, .unskip, ["rke2-canal"]).run().first)
        XCTAssertEqual(outcome.action, .keptAsBackup)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: box.manifestsDir).filter { $0.hasPrefix(".rke2-canal.yaml.skip.") }
        XCTAssertEqual(backups.count, 1)
        XCTAssertEqual(try box.read(box.manifestsDir + "/" + backups[0]), old, "nothing is lost")
        XCTAssertTrue(try box.read(box.manifestsDir + "/rke2-canal.yaml").contains("2.0.0"))
    }

    func testLockHeldByAnotherOperationIsRefusedNamingTheHolder() throws {
        let box = try Sandbox("skip")
        try box.manifest("rke2-canal.yaml")
        // flock locks belong to the open file description: a second open in this process conflicts too.
        let held = try OperationLock.acquire(path: box.paths.lockFile, command: "swap --binary /tmp/rke2")
        XCTAssertThrowsError(try operation(box, .skip, ["rke2-canal"]).run()) { error in
            XCTAssertEqual((error as? UpgradeError)?.kind, .refused)
            XCTAssertTrue("\(error)".contains("swap --binary /tmp/rke2"), "\(error)")
        }
        held.release()
        XCTAssertEqual(try operation(box, .skip, ["rke2-canal"]).run().map(\.action), [.created])
        let audit = try auditLines(box)
        XCTAssertEqual(audit.map { $0["result"]?.stringValue }, ["refused", "ok"])
    }

    func testMultipleMarkersForOneBaseNameAreAllRemoved() throws {
        let box = try Sandbox("skip")
        try box.manifest("a/app.yaml")
        try box.manifest("a/app.yaml.skip", "")
        try box.manifest("b/app.yaml.skip", "")
        let outcome = try XCTUnwrap(try operation(box, .unskip, ["app"]).run().first)
        XCTAssertEqual(outcome.markers.sorted(), ["a/app.yaml.skip", "b/app.yaml.skip"])
        XCTAssertFalse(box.exists(box.manifestsDir + "/a/app.yaml.skip"))
        XCTAssertFalse(box.exists(box.manifestsDir + "/b/app.yaml.skip"))
    }
}
