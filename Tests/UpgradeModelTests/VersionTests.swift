import XCTest
@testable import UpgradeModel

final class VersionTests: XCTestCase {
    func testParsesReleaseMungedAndCandidateForms() throws {
        let cases: [(String, Int, Int, Int, String?, Int?, Character)] = [
            ("v1.31.6+rke2r1", 1, 31, 6, nil, 1, "+"),
            ("v1.31.6-rke2r1", 1, 31, 6, nil, 1, "-"),
            ("v1.31.6-rc1+rke2r1", 1, 31, 6, "rc1", 1, "+"),
            ("v1.31.6-rc2-rke2r2", 1, 31, 6, "rc2", 2, "-"),
            ("1.30.5+rke2r3", 1, 30, 5, nil, 3, "+"),
            ("v1.31.6", 1, 31, 6, nil, nil, "+"),
            ("v1.34.10+rke2r12", 1, 34, 10, nil, 12, "+"),
        ]
        for (text, major, minor, patch, pre, revision, sep) in cases {
            let version = try XCTUnwrap(RKE2Version(text), text)
            XCTAssertEqual(version.major, major, text)
            XCTAssertEqual(version.minor, minor, text)
            XCTAssertEqual(version.patch, patch, text)
            XCTAssertEqual(version.preRelease?.text, pre, text)
            XCTAssertEqual(version.revision, revision, text)
            XCTAssertEqual(version.separator, sep, text)
        }
    }

    func testRejectsWhatIsNotAVersion() {
        for text in ["", "v1.31", "1.31.x+rke2r1", "v1.31.6+rke2", "v1.31.6+rc1", "v1.31.6+rke2r1+rke2r2", "latest", "v1.31.6 +rke2r1", "v1.31.6-rc1-beta2-rke2r1"] {
            XCTAssertNil(RKE2Version(text), text)
        }
    }

    func testForms() throws {
        let rc = try XCTUnwrap(RKE2Version("v1.31.6-rc1+rke2r1"))
        XCTAssertEqual(rc.description, "v1.31.6-rc1+rke2r1")
        XCTAssertEqual(rc.munged, "v1.31.6-rc1-rke2r1")
        XCTAssertEqual(rc.k8sForm, "v1.31.6+rke2r1")
        XCTAssertEqual(rc.kubernetes, "v1.31.6")
        // semver-parse.sh keeps the separator it was given.
        XCTAssertEqual(RKE2Version("v1.31.6-rc1-rke2r1")?.k8sForm, "v1.31.6-rke2r1")
        XCTAssertEqual(RKE2Version("v1.33.4-rke2r1")?.description, "v1.33.4+rke2r1")
        XCTAssertEqual(RKE2Version("v1.33.4+rke2r1")?.minorLine, "v1.33")
    }

    func testOrdering() throws {
        let ordered = ["v1.30.9+rke2r1", "v1.31.0-rc1+rke2r1", "v1.31.0-rc2+rke2r1", "v1.31.0+rke2r1", "v1.31.0+rke2r2",
                       "v1.31.6-alpha1+rke2r1", "v1.31.6-beta1+rke2r1", "v1.31.6-rc1+rke2r1", "v1.31.6+rke2r1", "v1.31.10+rke2r1", "v1.32.0+rke2r1"]
        let versions = try ordered.map { try XCTUnwrap(RKE2Version($0)) }
        XCTAssertEqual(versions.shuffled().sorted(), versions)
        XCTAssertEqual(RKE2Version("v1.31.6-rke2r1"), RKE2Version("v1.31.6+rke2r1"), "munged equals release")
        XCTAssertEqual(Set([RKE2Version("v1.31.6-rke2r1")!, RKE2Version("v1.31.6+rke2r1")!]).count, 1)
    }

    func testMinorDistance() throws {
        let v130 = try XCTUnwrap(RKE2Version("v1.30.5+rke2r1"))
        XCTAssertEqual(v130.minorDistance(to: RKE2Version("v1.31.1+rke2r1")!), 1)
        XCTAssertEqual(v130.minorDistance(to: RKE2Version("v1.32.0+rke2r1")!), 2)
        XCTAssertEqual(v130.minorDistance(to: RKE2Version("v1.29.0+rke2r1")!), -1)
        XCTAssertEqual(v130.minorDistance(to: RKE2Version("v1.30.9+rke2r1")!), 0)
        XCTAssertGreaterThan(v130.minorDistance(to: RKE2Version("v2.0.0+rke2r1")!), 1)
    }

    func testVersionOutput() throws {
        let output = "rke2 version v1.34.3+rke2r3 (7598946e0086a9131564ccbb3c142b3fa54516ad)\ngo version go1.24.11 X:boringcrypto\n"
        let parsed = try XCTUnwrap(RKE2Version.parseVersionOutput(output))
        XCTAssertEqual(parsed.version.description, "v1.34.3+rke2r3")
        XCTAssertEqual(parsed.commit, "7598946e0086a9131564ccbb3c142b3fa54516ad")
        XCTAssertEqual(parsed.goVersion, "go1.24.11 X:boringcrypto")
        XCTAssertNil(RKE2Version.parseVersionOutput("bash: rke2: command not found"))
        XCTAssertEqual(RKE2Version.parseVersionOutput("exe version v1.31.6+rke2r1 (abc)")?.version.description, "v1.31.6+rke2r1")
    }

    func testSkewRules() throws {
        func v(_ s: String) -> RKE2Version { RKE2Version(s)! }
        // upgrade(from:to:)
        let upgrades: [(String, String, String?)] = [
            ("v1.30.5+rke2r1", "v1.31.6+rke2r1", nil),
            ("v1.30.5+rke2r1", "v1.30.9+rke2r1", nil),
            ("v1.30.5+rke2r1", "v1.30.5+rke2r1", nil),
            ("v1.30.5+rke2r1", "v1.30.5+rke2r2", nil),
            ("v1.30.5+rke2r1", "v1.32.0+rke2r1", "skips v1.31"),
            ("v1.29.5+rke2r1", "v1.32.0+rke2r1", "skips v1.30, v1.31"),
            ("v1.31.6+rke2r1", "v1.31.5+rke2r1", "older"),
            ("v1.31.6+rke2r2", "v1.31.6+rke2r1", "older"),
            ("v1.31.6+rke2r1", "v1.31.6-rc1+rke2r1", "older"),
            ("v1.31.6+rke2r1", "v1.30.9+rke2r1", "older"),
        ]
        for (from, to, problem) in upgrades {
            let problems = SkewRules.upgrade(from: v(from), to: v(to))
            if let problem {
                XCTAssertEqual(problems.count, 1, "\(from) → \(to)")
                XCTAssertTrue(problems.first?.description.contains(problem) == true, "\(from) → \(to): \(problems)")
            } else {
                XCTAssertEqual(problems, [], "\(from) → \(to)")
            }
        }
        // kubelet not newer than the API servers
        XCTAssertEqual(SkewRules.kubelet(v("v1.31.6+rke2r1"), apiServers: [v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")]), [])
        XCTAssertEqual(SkewRules.kubelet(v("v1.30.1+rke2r1"), apiServers: [v("v1.31.6+rke2r1")]), [])
        XCTAssertEqual(SkewRules.kubelet(v("v1.32.1+rke2r1"), apiServers: [v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")]),
                       [.kubeletNewerThanAPIServer(kubelet: v("v1.32.1+rke2r1"), apiServer: v("v1.31.6+rke2r1"))])
        // servers before agents
        XCTAssertEqual(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: [v("v1.32.1+rke2r1"), v("v1.32.1-rke2r1")]), [])
        XCTAssertEqual(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: [v("v1.32.1+rke2r1"), v("v1.31.6+rke2r1")]),
                       [.agentBeforeServers(target: v("v1.32.1+rke2r1"), oldestServer: v("v1.31.6+rke2r1"))])
        XCTAssertEqual(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: []), [])
        // HA API servers within one minor
        XCTAssertEqual(SkewRules.apiServers([v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")]), [])
        XCTAssertEqual(SkewRules.apiServers([v("v1.30.6+rke2r1"), v("v1.32.1+rke2r1")]).count, 1)
    }

    func testCodableRoundTrip() throws {
        let version = try XCTUnwrap(RKE2Version("v1.31.6-rc1+rke2r1"))
        let data = try JSONEncoder().encode([version])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[\"v1.31.6-rc1+rke2r1\"]")
        XCTAssertEqual(try JSONDecoder().decode([RKE2Version].self, from: data), [version])
        XCTAssertThrowsError(try JSONDecoder().decode([RKE2Version].self, from: Data("[\"nope\"]".utf8)))
    }
}
