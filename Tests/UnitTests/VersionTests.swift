import Foundation
import Testing
@testable import UpgradeModel

/// `RKE2Version` parsing, forms and ordering, and `SkewRules` (moved from the XCTest target; the same assertions).
@Suite struct VersionTests {
    struct Parsed: Sendable, CustomTestStringConvertible {
        let text: String, major: Int, minor: Int, patch: Int, pre: String?, revision: Int?, separator: Character
        var testDescription: String { text }
    }

    @Test(arguments: [
        Parsed(text: "v1.31.6+rke2r1", major: 1, minor: 31, patch: 6, pre: nil, revision: 1, separator: "+"),
        Parsed(text: "v1.31.6-rke2r1", major: 1, minor: 31, patch: 6, pre: nil, revision: 1, separator: "-"),
        Parsed(text: "v1.31.6-rc1+rke2r1", major: 1, minor: 31, patch: 6, pre: "rc1", revision: 1, separator: "+"),
        Parsed(text: "v1.31.6-rc2-rke2r2", major: 1, minor: 31, patch: 6, pre: "rc2", revision: 2, separator: "-"),
        Parsed(text: "1.30.5+rke2r3", major: 1, minor: 30, patch: 5, pre: nil, revision: 3, separator: "+"),
        Parsed(text: "v1.31.6", major: 1, minor: 31, patch: 6, pre: nil, revision: nil, separator: "+"),
        Parsed(text: "v1.34.10+rke2r12", major: 1, minor: 34, patch: 10, pre: nil, revision: 12, separator: "+"),
    ])
    func parsesReleaseMungedAndCandidateForms(_ expected: Parsed) throws {
        let version = try #require(RKE2Version(expected.text))
        #expect(version.major == expected.major)
        #expect(version.minor == expected.minor)
        #expect(version.patch == expected.patch)
        #expect(version.preRelease?.text == expected.pre)
        #expect(version.revision == expected.revision)
        #expect(version.separator == expected.separator)
    }

    @Test(arguments: ["", "v1.31", "1.31.x+rke2r1", "v1.31.6+rke2", "v1.31.6+rc1", "v1.31.6+rke2r1+rke2r2", "latest", "v1.31.6 +rke2r1",
                      "v1.31.6-rc1-beta2-rke2r1"])
    func rejectsWhatIsNotAVersion(_ text: String) {
        #expect(RKE2Version(text) == nil)
    }

    @Test func forms() throws {
        let rc = try #require(RKE2Version("v1.31.6-rc1+rke2r1"))
        #expect(rc.description == "v1.31.6-rc1+rke2r1")
        #expect(rc.munged == "v1.31.6-rc1-rke2r1")
        #expect(rc.k8sForm == "v1.31.6+rke2r1")
        #expect(rc.kubernetes == "v1.31.6")
        // semver-parse.sh keeps the separator it was given.
        #expect(RKE2Version("v1.31.6-rc1-rke2r1")?.k8sForm == "v1.31.6-rke2r1")
        #expect(RKE2Version("v1.33.4-rke2r1")?.description == "v1.33.4+rke2r1")
        #expect(RKE2Version("v1.33.4+rke2r1")?.minorLine == "v1.33")
    }

    @Test func ordering() throws {
        let ordered = ["v1.30.9+rke2r1", "v1.31.0-rc1+rke2r1", "v1.31.0-rc2+rke2r1", "v1.31.0+rke2r1", "v1.31.0+rke2r2",
                       "v1.31.6-alpha1+rke2r1", "v1.31.6-beta1+rke2r1", "v1.31.6-rc1+rke2r1", "v1.31.6+rke2r1", "v1.31.10+rke2r1", "v1.32.0+rke2r1"]
        let versions = try ordered.map { try #require(RKE2Version($0)) }
        #expect(versions.shuffled().sorted() == versions)
        #expect(RKE2Version("v1.31.6-rke2r1") == RKE2Version("v1.31.6+rke2r1"), "munged equals release")
        #expect(Set([RKE2Version("v1.31.6-rke2r1")!, RKE2Version("v1.31.6+rke2r1")!]).count == 1)
    }

    @Test(arguments: [("v1.31.1+rke2r1", 1), ("v1.32.0+rke2r1", 2), ("v1.29.0+rke2r1", -1), ("v1.30.9+rke2r1", 0)])
    func minorDistance(_ other: String, _ distance: Int) throws {
        let v130 = try #require(RKE2Version("v1.30.5+rke2r1"))
        #expect(v130.minorDistance(to: RKE2Version(other)!) == distance)
    }

    @Test func minorDistanceToAnotherMajorIsAlwaysASkip() throws {
        let v130 = try #require(RKE2Version("v1.30.5+rke2r1"))
        #expect(v130.minorDistance(to: RKE2Version("v2.0.0+rke2r1")!) > 1)
    }

    @Test func versionOutput() throws {
        let output = "rke2 version v1.34.3+rke2r3 (7598946e0086a9131564ccbb3c142b3fa54516ad)\ngo version go1.24.11 X:boringcrypto\n"
        let parsed = try #require(RKE2Version.parseVersionOutput(output))
        #expect(parsed.version.description == "v1.34.3+rke2r3")
        #expect(parsed.commit == "7598946e0086a9131564ccbb3c142b3fa54516ad")
        #expect(parsed.goVersion == "go1.24.11 X:boringcrypto")
        #expect(RKE2Version.parseVersionOutput("bash: rke2: command not found") == nil)
        #expect(RKE2Version.parseVersionOutput("exe version v1.31.6+rke2r1 (abc)")?.version.description == "v1.31.6+rke2r1")
    }

    static func v(_ s: String) -> RKE2Version { RKE2Version(s)! }

    /// upgrade(from:to:): nil is allowed, else a word of the one problem.
    @Test(arguments: [
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
    ] as [(String, String, String?)])
    func upgradeSkew(_ from: String, _ to: String, _ problem: String?) {
        let problems = SkewRules.upgrade(from: Self.v(from), to: Self.v(to))
        if let problem {
            #expect(problems.count == 1, "\(from) → \(to)")
            #expect(problems.first?.description.contains(problem) == true, "\(from) → \(to): \(problems)")
        } else {
            #expect(problems == [], "\(from) → \(to)")
        }
    }

    @Test func kubeletNotNewerThanTheAPIServers() {
        let v = Self.v
        #expect(SkewRules.kubelet(v("v1.31.6+rke2r1"), apiServers: [v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")]) == [])
        #expect(SkewRules.kubelet(v("v1.30.1+rke2r1"), apiServers: [v("v1.31.6+rke2r1")]) == [])
        #expect(SkewRules.kubelet(v("v1.32.1+rke2r1"), apiServers: [v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")])
            == [.kubeletNewerThanAPIServer(kubelet: v("v1.32.1+rke2r1"), apiServer: v("v1.31.6+rke2r1"))])
    }

    @Test func serversBeforeAgentsAndHAServersWithinOneMinor() {
        let v = Self.v
        #expect(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: [v("v1.32.1+rke2r1"), v("v1.32.1-rke2r1")]) == [])
        #expect(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: [v("v1.32.1+rke2r1"), v("v1.31.6+rke2r1")])
            == [.agentBeforeServers(target: v("v1.32.1+rke2r1"), oldestServer: v("v1.31.6+rke2r1"))])
        #expect(SkewRules.agentUpgrade(to: v("v1.32.1+rke2r1"), controlPlane: []) == [])
        #expect(SkewRules.apiServers([v("v1.31.6+rke2r1"), v("v1.32.1+rke2r1")]) == [])
        #expect(SkewRules.apiServers([v("v1.30.6+rke2r1"), v("v1.32.1+rke2r1")]).count == 1)
    }

    @Test func codableRoundTrip() throws {
        let version = try #require(RKE2Version("v1.31.6-rc1+rke2r1"))
        let data = try JSONEncoder().encode([version])
        #expect(String(decoding: data, as: UTF8.self) == "[\"v1.31.6-rc1+rke2r1\"]")
        #expect(try JSONDecoder().decode([RKE2Version].self, from: data) == [version])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([RKE2Version].self, from: Data("[\"nope\"]".utf8)) }
    }
}

/// rke2's flags as `/proc/PID/cmdline` has them (moved from ConfigTests: the pure part).
@Suite struct FlagParsingTests {
    @Test(arguments: [("data-dir", ["/data"]), ("disable", ["a", "b"]), ("write-kubeconfig-mode", ["0644"])])
    func flagValues(_ name: String, _ values: [String]) {
        let flags = RKE2Config.flagValues(["-d", "/data", "--disable=a", "--disable", "b", "--debug", "--write-kubeconfig-mode", "0644"])
        #expect(flags.first { $0.0 == name }?.1 == values)
    }
}
