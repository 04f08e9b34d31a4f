import TestSupport
import XCTest
@testable import UpgradeModel

/// Issue #12, the deploy controller and rke2's start: files, the running process and API objects in,
/// the manifest states k3s `pkg/deploy/controller.go` and rke2 imply out (docs/rke2-rules.md#deploy-controller-the-walk, #rke2-disables-are-fixed-at-start).
final class TruthfulManifestTests: XCTestCase {
    typealias F = ObjectFactory

    func local(_ box: Sandbox, config: RKE2Config, hostname: String = "server-1", running: RunningRKE2? = nil) -> LocalNode {
        LocalNode(role: .server, hostname: hostname, paths: box.paths, binary: nil, running: running, config: config, problems: [])
    }

    func scan(_ box: Sandbox, _ config: RKE2Config) throws -> ManifestScan {
        var scanner = ManifestScanner(directory: box.manifestsDir, disabled: config.disabled)
        scanner.disabledAtRestart = config.disabledAtRestart
        return try scanner.scan()
    }

    func cache(addons: [KAddon] = [], charts: [KHelmChart] = [], events: [KEvent] = []) -> ClusterCache {
        SnapshotFixtures.cache(nodes: [F.node("server-1", version: "v1.31.6+rke2r1"), F.node("server-2", version: "v1.31.6+rke2r1")],
                               addons: addons, charts: charts, events: events)
    }

    func build(_ box: Sandbox, config: RKE2Config, cache: ClusterCache?, running: RunningRKE2? = nil) throws -> DashboardSnapshot {
        SnapshotBuilder.build(local: local(box, config: config, running: running), files: try scan(box, config).files, cache: cache,
                              namespace: "system-upgrade", server: nil, connectionError: nil)
    }

    func state(_ snapshot: DashboardSnapshot, _ file: String) -> ManifestState? {
        snapshot.manifests.first { $0.file.file == file }?.state
    }

    // 6 and 7. Disables are those rke2 started with; RKE2_CNI from its environment selects the CNI.
    func testDisablesAddedAfterTheStartTakeEffectAtRestartAndTheEnvironmentSelectsTheCNI() throws {
        let box = try Sandbox("truth-start")
        try box.write(box.configFile, "disable: rke2-coredns\n")
        for name in ["rke2-metrics-server", "rke2-canal", "rke2-cilium"] { try box.manifest("\(name).yaml", Sandbox.helmChart(name)) }
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir, extra: ["--config", box.configFile],
                                      environment: ["RKE2_CNI": "cilium"])
        defer { fake.stop() }
        Thread.sleep(forTimeInterval: 1.6)
        try box.write(box.configFile + ".d/50-trim.yaml", "disable+: rke2-metrics-server\n")

        let node = try box.inspector.inspect()
        XCTAssertNotNil(node.running?.process.startTime)
        XCTAssertEqual(node.config.explicitlyDisabled.map(\.name), ["rke2-coredns"], "the drop-in was written after rke2 started")
        XCTAssertEqual(node.config.disabledAtRestart.map(\.name), ["rke2-metrics-server"])
        XCTAssertEqual(node.config.disabledAtRestart.first?.source, "config.yaml.d/50-trim.yaml")
        XCTAssertEqual(node.config.disabledComponent(named: "rke2-canal")?.source, "cni: cilium (RKE2_CNI)")
        XCTAssertNil(node.config.disabledComponent(named: "rke2-cilium"))

        let snapshot = try build(box, config: node.config, cache: cache(), running: node.running)
        XCTAssertEqual(state(snapshot, "rke2-metrics-server.yaml"), .pending, "not disabled now")
        XCTAssertEqual(snapshot.manifests.first { $0.file.file == "rke2-metrics-server.yaml" }?.file.disabledAtRestart?.name, "rke2-metrics-server")
        XCTAssertEqual(state(snapshot, "rke2-canal.yaml"), .disabled)
        XCTAssertEqual(state(snapshot, "rke2-cilium.yaml"), .pending)
        let json = StatusJSON.document(snapshot)
        XCTAssertEqual(json["local"]?["disabledAtRestart"]?["rke2-metrics-server"]?.stringValue, "config.yaml.d/50-trim.yaml")
        XCTAssertEqual(json["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-metrics-server.yaml" }?["disabledAtRestart"]?.stringValue,
                       "config.yaml.d/50-trim.yaml")
    }

    func testTheEnvironmentLosesToTheConfigAndSelectsTheIngress() throws {
        let box = try Sandbox("truth-env")
        try box.write(box.configFile, "cni: calico\n")
        let config = try RKE2Config.load(configFile: box.configFile, version: RKE2Version("v1.33.10+rke2r1"),
                                         environment: ["RKE2_CNI": "cilium", "RKE2_INGRESS_CONTROLLER": "traefik"])
        XCTAssertNil(config.disabledComponent(named: "rke2-calico"), "urfave/cli reads RKE2_CNI only when nothing sets --cni")
        XCTAssertNotNil(config.disabledComponent(named: "rke2-cilium"))
        XCTAssertEqual(config.disabledComponent(named: "rke2-ingress-nginx")?.source, "ingress-controller: traefik (RKE2_INGRESS_CONTROLLER)")
        XCTAssertNotNil(config.disabledComponent(named: "rke2-ingress-nginx-crd"))
        XCTAssertNil(config.disabledComponent(named: "rke2-traefik"))
    }

    // 8. rke2's own version windows.
    func testImplicitDisablesFollowRKE2sVersionWindows() throws {
        let box = try Sandbox("truth-versions")
        func disabled(_ version: String, _ yaml: String = "") throws -> Set<String> {
            try box.write(box.configFile, yaml)
            return Set(try RKE2Config.load(configFile: box.configFile, version: RKE2Version(version)).disabled.map(\.name))
        }
        XCTAssertTrue(try disabled("v1.30.3+rke2r1").isSuperset(of: ["rke2-traefik", "rke2-traefik-crd"]))
        XCTAssertFalse(try disabled("v1.30.2+rke2r1").contains("rke2-traefik"), "no ingress selection before v1.30.3")
        XCTAssertTrue(try disabled("v1.29.7+rke2r1", "ingress-controller: none\n").isSuperset(of: ["rke2-ingress-nginx", "rke2-ingress-nginx-crd"]))
        XCTAssertFalse(try disabled("v1.29.6+rke2r1", "ingress-controller: none\n").contains("rke2-ingress-nginx"))
        XCTAssertTrue(try disabled("v1.28.12+rke2r1", "ingress-controller: none\n").contains("rke2-ingress-nginx-crd"))
        XCTAssertFalse(try disabled("v1.28.12+rke2r1").contains("rke2-traefik"), "v1.28 knows ingress-nginx only")
        XCTAssertFalse(try disabled("v1.36.1+rke2r1").contains("rke2-traefik"))
        let vsphere = try disabled("v1.31.6+rke2r1", "cloud-provider-name: rancher-vsphere\n")
        XCTAssertTrue(vsphere.isSuperset(of: ["harvester-cloud-provider", "harvester-csi-driver"]))
        XCTAssertFalse(vsphere.contains("rancher-vsphere-cpi"))
        XCTAssertTrue(try disabled("v1.31.6+rke2r1").isSuperset(of: ["rancher-vsphere-cpi", "rancher-vsphere-csi"]))
    }

    // 9. Disable by name only for YAML/JSON; subdirectories by path prefix.
    func testDisablingByNameAndByPathPrefixAsShouldDisableFile() throws {
        let box = try Sandbox("truth-disable")
        try box.manifest("rke2-coredns.txt", "x")
        try box.manifest("team/b/app.yaml")
        try box.manifest("team/b/readme.md", "x")
        try box.manifest("other/b/app2.yaml")
        let byName = try ManifestScanner(directory: box.manifestsDir, disabled: [DisabledComponent(name: "rke2-coredns", source: "config.yaml"),
                                                                               DisabledComponent(name: "b", source: "config.yaml")]).scan()
        let states = Dictionary(uniqueKeysWithValues: byName.files.filter(\.present).map { ($0.file, $0.localState) })
        XCTAssertEqual(states["rke2-coredns.txt"], .ignored, "a .txt file is never disabled by its name")
        XCTAssertEqual(states["team/b/app.yaml"], .active, "`b` is not the path prefix `team/b`")
        XCTAssertEqual(states["other/b/app2.yaml"], .active)
        let byPrefix = try ManifestScanner(directory: box.manifestsDir, disabled: [DisabledComponent(name: "team/b", source: "config.yaml")]).scan()
        let prefixed = Dictionary(uniqueKeysWithValues: byPrefix.files.filter(\.present).map { ($0.file, $0.localState) })
        XCTAssertEqual(prefixed["team/b/app.yaml"], .disabled)
        XCTAssertEqual(prefixed["team/b/readme.md"], .disabled, "a disabled directory takes every file below it")
        XCTAssertEqual(prefixed["other/b/app2.yaml"], .active)
    }

    // 10. A broken symlink blocks the whole pass.
    func testABrokenSymlinkBlocksEveryManifest() throws {
        let box = try Sandbox("truth-blocked")
        try box.manifest("rke2-coredns.yaml", Sandbox.helmChart("rke2-coredns"))
        try box.manifest("rke2-metrics-server.yaml", Sandbox.helmChart("rke2-metrics-server"))
        try box.manifest("sub/keep.yaml")
        symlink(box.root + "/nowhere.yaml", box.manifestsDir + "/sub/dangling.yaml")
        let config = RKE2Config(files: [], values: [:], sources: [:], disabled: [DisabledComponent(name: "rke2-metrics-server", source: "config.yaml")])
        let snapshot = try build(box, config: config, cache: cache())
        let blocked = try XCTUnwrap(snapshot.manifests.first { $0.file.file == "rke2-coredns.yaml" })
        XCTAssertEqual(blocked.state, .blocked, "not pending")
        XCTAssertTrue(blocked.file.blockedBy?.contains("sub/dangling.yaml") == true, blocked.file.blockedBy ?? "")
        XCTAssertEqual(state(snapshot, "rke2-metrics-server.yaml"), .blocked, "not \"disabled (being removed)\"")
        XCTAssertEqual(StatusJSON.document(snapshot)["manifests"]?.arrayValue?.first?["state"]?.stringValue, "blocked")

        // Inside a followed symlinked directory the inner walk does not stat links: no block.
        let other = try Sandbox("truth-unblocked")
        try other.manifest("a.yaml")
        let linked = try other.write("elsewhere/x.yaml", Sandbox.helmChart("x"))
        symlink(other.root + "/nowhere.yaml", (linked as NSString).deletingLastPathComponent + "/dangling.yaml")
        symlink((linked as NSString).deletingLastPathComponent, other.manifestsDir + "/link")
        XCTAssertNil(try ManifestScanner(directory: other.manifestsDir, disabled: []).scan().blocked)
    }

    // 11. An etcd-only server applies nothing.
    func testAnEtcdOnlyServerSaysItsFilesAreNotAppliedFromHere() throws {
        let box = try Sandbox("truth-etcd")
        try box.write(box.configFile, "disable-apiserver: true\n")
        try box.manifest("rke2-coredns.yaml", Sandbox.helmChart("rke2-coredns"))
        let config = try RKE2Config.load(configFile: box.configFile)
        let snapshot = try build(box, config: config, cache: cache())
        let coredns = try XCTUnwrap(snapshot.manifests.first)
        XCTAssertNotEqual(coredns.state, .pending)
        XCTAssertTrue(coredns.notDeployedHere)
        XCTAssertEqual(StatusJSON.document(snapshot)["manifests"]?.arrayValue?.first?["deployedHere"]?.boolValue, false)
        XCTAssertEqual(StatusJSON.document(snapshot)["local"]?["deployController"]?.boolValue, false)
    }

    // 12. An Addon with an empty checksum failed.
    func testAnAddonWithAnEmptyChecksumIsFailedWithTheReasonFromItsEvents() throws {
        let box = try Sandbox("truth-failed")
        try box.manifest("team-app.yaml", "kind: [broken\n")
        let event = F.addonEvent("team-app", reason: "ParseManifestFailed", host: "server-1", at: Date().addingTimeInterval(-30),
                                 message: "yaml: line 1: did not find expected ',' or ']'")
        let snapshot = try build(box, config: .emptyForErrors, cache: cache(addons: [F.addon("team-app", checksum: "")], events: [event]))
        let app = try XCTUnwrap(snapshot.manifests.first)
        XCTAssertEqual(app.state, .failed)
        XCTAssertTrue(app.failure?.hasPrefix("ParseManifestFailed: Parse manifest at") == true, app.failure ?? "")
        XCTAssertTrue(app.failure?.contains("did not find expected") == true)
    }

    // 13. Drop-ins: .yaml/.yml in any case, directories skipped, sorted by name.
    func testDropInsAsConfigfilearg() throws {
        let box = try Sandbox("truth-dropins")
        try box.write(box.configFile, "disable: a\n")
        try box.write(box.configFile + ".d/50-one.YAML", "disable+: b\n")
        try box.write(box.configFile + ".d/60-two.Yml", "disable+: c\n")
        try box.write(box.configFile + ".d/70-dir.yaml/inner.yaml", "disable+: d\n")
        try box.write(box.configFile + ".d/80-text.txt", "disable+: e\n")
        let config = try RKE2Config.load(configFile: box.configFile)
        XCTAssertEqual(config.explicitlyDisabled.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(config.files.map { ($0 as NSString).lastPathComponent }, ["config.yaml", "50-one.YAML", "60-two.Yml"])
    }

    // 13, second half: walkFiles follows a symlinked directory met anywhere in the real tree, not one inside it.
    func testSymlinkedDirectoriesAreFollowedWhereWalkFilesFollowsThem() throws {
        let box = try Sandbox("truth-walk")
        let target = try box.write("elsewhere/team/app.yaml", Sandbox.helmChart("app"))
        let dir = (target as NSString).deletingLastPathComponent
        try box.write("deeper/inner.yaml", Sandbox.helmChart("inner"))
        symlink(box.root + "/deeper", dir + "/nested")
        try FileManager.default.createDirectory(atPath: box.manifestsDir + "/sub", withIntermediateDirectories: true)
        symlink(dir, box.manifestsDir + "/sub/team")
        let files = try ManifestScanner(directory: box.manifestsDir, disabled: []).scan().files.map(\.file)
        XCTAssertTrue(files.contains("sub/team/app.yaml"), "a symlinked directory below a real one is followed: \(files)")
        XCTAssertFalse(files.contains { $0.hasPrefix("sub/team/nested/") }, "a symlinked directory inside a followed one is not")
    }

    // Chart versions: from the file, from the cluster, both when they differ.
    func testChartVersionFromDiskWithoutTheAPIAndBothWhenTheyDiffer() throws {
        let box = try Sandbox("truth-chart")
        try box.manifest("rke2-coredns.yaml", Sandbox.helmChart("rke2-coredns", chartVersion: "1.40.000"))
        try box.manifest("custom.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            ---
            apiVersion: helm.cattle.io/v1
            kind: HelmChart
            metadata: {name: custom, namespace: kube-system}
            spec: {chart: custom, repo: https://example.com, version: 2.3.4}

            """)
        let offline = try build(box, config: .emptyForErrors, cache: nil)
        XCTAssertEqual(offline.manifests.first { $0.file.file == "rke2-coredns.yaml" }?.chartVersion, "1.40.000")
        XCTAssertEqual(offline.manifests.first { $0.file.file == "custom.yaml" }?.chartVersion, "2.3.4")
        let online = try build(box, config: .emptyForErrors, cache: cache(charts: [F.helmChart("rke2-coredns", chartVersion: "1.39.101")]))
        let coredns = try XCTUnwrap(online.manifests.first { $0.file.file == "rke2-coredns.yaml" })
        XCTAssertEqual(coredns.chartVersionText, "1.39.101 → 1.40.000 on disk")
        let json = StatusJSON.document(online)["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-coredns.yaml" }
        XCTAssertEqual(json?["chartVersion"]?.stringValue, "1.39.101")
        XCTAssertEqual(json?["chartVersionOnDisk"]?.stringValue, "1.40.000")
    }

    // Cross-server drift: another server still applies what this node skips.
    func testAnotherServerThatStillAppliesASkippedManifestIsNamed() throws {
        let box = try Sandbox("truth-drift")
        let path = try box.manifest("rke2-coredns.yaml", Sandbox.helmChart("rke2-coredns"))
        try box.manifest("rke2-coredns.yaml.skip", "")
        let sha = try ManifestScanner.sha256(ofFile: path)
        let now = Date()
        let events = [
            F.addonEvent("rke2-coredns", reason: "AppliedManifest", host: "server-2", at: now.addingTimeInterval(-185)),
            F.addonEvent("rke2-coredns", reason: "AppliedManifest", host: "server-1", at: now.addingTimeInterval(-3600)),
            F.addonEvent("rke2-coredns", reason: "AppliedManifest", host: nil, at: now.addingTimeInterval(-7200)),
        ]
        let snapshot = try build(box, config: .emptyForErrors, cache: cache(addons: [F.addon("rke2-coredns", checksum: sha)], events: events))
        let coredns = try XCTUnwrap(snapshot.manifests.first { $0.file.file == "rke2-coredns.yaml" })
        XCTAssertEqual(coredns.state, .skipped)
        XCTAssertEqual(coredns.appliedBy.map { $0.node ?? "?" }, ["server-2", "server-1", "?"])
        XCTAssertEqual(coredns.appliedElsewhere.map(\.node), ["server-2"], "this node's own and an unnamed one from before the marker are not drift")
        XCTAssertEqual(coredns.elsewhereWarnings(now: now), ["server-2 applied rke2-coredns 3 min ago: it has no .skip there"])
        let json = StatusJSON.document(snapshot)["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-coredns.yaml" }
        let applied = json?["appliedBy"]?.arrayValue ?? []
        XCTAssertEqual(applied.first?["node"]?.stringValue, "server-2")
        XCTAssertEqual(applied.first?["reason"]?.stringValue, "AppliedManifest")
        XCTAssertNotNil(applied.first?["at"]?.stringValue)
        XCTAssertEqual(applied.last?["node"]?.isNull, true, "an unknown source host is unknown, never guessed")

        // An unnamed server applying after this node's marker can only be another server.
        let late = F.addonEvent("rke2-coredns", reason: "AppliedManifest", host: nil, at: now.addingTimeInterval(60))
        let later = try build(box, config: .emptyForErrors, cache: cache(addons: [F.addon("rke2-coredns", checksum: sha)], events: [late]))
        XCTAssertEqual(later.manifests.first { $0.file.file == "rke2-coredns.yaml" }?.appliedElsewhere.count, 1)
    }

    // The emulator serves Addon events with field selectors, listed and watched.
    func testEventsAreListedAndWatchedByInvolvedKind() async throws {
        let now = Date()
        var podEvent = F.addonEvent("x", reason: "Pulled", host: "server-1", at: now)
        podEvent.metadata.name = "pod-event"
        podEvent.involvedObject = .init(kind: "Pod", name: "x", namespace: "kube-system")
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade() + [
            F.json(F.addonEvent("rke2-coredns", reason: "AppliedManifest", host: "server-2", at: now)), F.json(podEvent)]))
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        XCTAssertEqual(cache.health(.events), .ok)
        XCTAssertEqual(cache.events.values.map { $0.involvedObject?.kind }, ["Addon"])
        XCTAssertEqual(cache.events.values.first?.source?.host, "server-2")

        let watcher = ClusterWatcher(client: client, sources: ClusterSources(namespace: "system-upgrade"), onChange: { _ in })
        await watcher.start()
        defer { Task { await watcher.stop() } }
        let deadline = Date().addingTimeInterval(10)
        while await watcher.cache.events.count < 1, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        try emulator.seed(ClusterScenario.any([F.json(F.addonEvent("rke2-coredns", reason: "ApplyManifestFailed", host: "server-3",
                                                                  at: now.addingTimeInterval(5), message: "boom"))]))
        while await watcher.cache.events.count < 2, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        let reasons = await watcher.cache.events.values.compactMap(\.reason).sorted()
        XCTAssertEqual(reasons, ["AppliedManifest", "ApplyManifestFailed"])
        await watcher.stop()
        await client.shutdown()
    }
}
