import TestSupport
import UpgradeModel
import XCTest

/// The command line as an operator runs it: the built binary, real files, real processes.
final class CLITests: XCTestCase {
    func testStatusJSONReportsBinaryProcessRoleDisabledAndEveryManifestState() throws {
        let box = try Sandbox("cli")
        try box.write(box.configFile, "disable: rke2-ingress-nginx\n")
        try box.write(box.configFile + ".d/50-more.yaml", "disable+: [rke2-metrics-server]\n")
        try box.manifest("rke2-canal.yaml")
        try box.manifest("rke2-canal.yaml.skip", "")
        try box.manifest("rke2-coredns.yaml")
        try box.manifest("rke2-metrics-server.yaml")
        try box.manifest("rke2-traefik.yaml.skip", "")    // v1.31–v1.35 disable the unselected ingress: disable wins
        try box.manifest("my-app.yaml.skip", "")          // an orphan marker
        try box.manifest("README.md", "notes")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir, extra: ["--disable=rke2-snapshot-controller"])
        defer { fake.stop() }

        let result = try Shell.cli(["status", "--output", "json"] + box.cliOptions)
        XCTAssertEqual(result.status, 0, result.stderr)
        let doc = try JSONValue.parse(result.stdout)
        XCTAssertEqual(doc["schemaVersion"]?.numberValue, 1)
        let local = try XCTUnwrap(doc["local"])
        XCTAssertEqual(local["role"]?.stringValue, "server")
        XCTAssertEqual(local["dataDir"]?.stringValue, box.dataDir)
        XCTAssertEqual(local["binary"]?["path"]?.stringValue, box.binaryPath)
        XCTAssertEqual(local["binary"]?["version"]?.stringValue, "v1.31.6+rke2r1")
        XCTAssertEqual(local["binary"]?["sha256"]?.stringValue?.count, 64)
        XCTAssertEqual(local["process"]?["pid"]?.numberValue, Double(fake.pid))
        XCTAssertEqual(local["process"]?["exe"]?.stringValue, box.binaryPath)
        XCTAssertEqual(local["process"]?["restartPending"]?.boolValue, false)
        XCTAssertEqual(local["process"]?["runningSha256"]?.stringValue, local["binary"]?["sha256"]?.stringValue)
        XCTAssertEqual(local["disabled"]?.arrayValue?.compactMap(\.stringValue),
                       ["rke2-ingress-nginx", "rke2-metrics-server", "rke2-snapshot-controller"])
        let states = Dictionary(uniqueKeysWithValues: (doc["manifests"]?.arrayValue ?? []).map {
            ($0["file"]?.stringValue ?? "", $0["state"]?.stringValue ?? "")
        })
        XCTAssertEqual(states, [
            "README.md": "ignored",
            "rke2-canal.yaml": "skipped",
            "rke2-coredns.yaml": "active",
            "rke2-ingress-nginx.yaml": "disabled",
            "rke2-metrics-server.yaml": "disabled",
            "rke2-snapshot-controller.yaml": "disabled",
            "rke2-traefik.yaml": "disabled",
            "my-app.yaml": "skipped",
        ])
        let canal = doc["manifests"]?.arrayValue?.first { $0["file"]?.stringValue == "rke2-canal.yaml" }
        XCTAssertEqual(canal?["skipMarker"]?.stringValue, "rke2-canal.yaml.skip")
        XCTAssertEqual(canal?["addon"]?.stringValue, "rke2-canal")
        XCTAssertEqual(canal?["addonChecksum"]?.isNull, true, "no cluster: absent facts are null")
        XCTAssertEqual(doc["cluster"]?["api"]?.stringValue, "not-configured")
    }

    func testStatusJSONWhenRestartIsPending() throws {
        let box = try Sandbox("cli")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let fake = try FakeRKE2.start(binary: box.binaryPath, dataDir: box.dataDir)
        defer { fake.stop() }
        try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.binaryPath + ".new")
        rename(box.binaryPath + ".new", box.binaryPath)
        let doc = try JSONValue.parse(try Shell.cli(["status", "-o", "json"] + box.cliOptions).stdout)
        XCTAssertEqual(doc["local"]?["process"]?["restartPending"]?.boolValue, true)
        XCTAssertEqual(doc["local"]?["binary"]?["version"]?.stringValue, "v1.32.2+rke2r1")
        XCTAssertEqual(doc["local"]?["process"]?["runningVersion"]?.stringValue, "v1.31.6+rke2r1")
        let text = try Shell.cli(["status"] + box.cliOptions).stdout
        XCTAssertTrue(text.contains("RESTART PENDING: running v1.31.6+rke2r1"), text)
    }

    func testStatusWithoutProcessOrBinaryIsNullNotGuessed() throws {
        let box = try Sandbox("cli")
        let doc = try JSONValue.parse(try Shell.cli(["status", "--output", "json", "--rke2-binary", box.root + "/none"] + box.cliOptions).stdout)
        XCTAssertEqual(doc["local"]?["role"]?.stringValue, "unknown")
        XCTAssertEqual(doc["local"]?["process"]?.isNull, true)
        XCTAssertEqual(doc["local"]?["binary"]?["version"]?.isNull, true)
    }

    func testStatusTextIsAnAlignedSummary() throws {
        let box = try Sandbox("cli")
        try box.write(box.configFile, "disable: rke2-ingress-nginx\n")
        try box.manifest("rke2-canal.yaml")
        try box.manifest("rke2-canal.yaml.skip", "")
        let result = try Shell.cli(["status"] + box.cliOptions)
        XCTAssertEqual(result.status, 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Disabled  rke2-ingress-nginx (config.yaml)") }, result.stdout)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("MANIFEST") })
        let canal = try XCTUnwrap(lines.first { $0.hasPrefix("rke2-canal.yaml ") })
        XCTAssertEqual(header.range(of: "STATE")?.lowerBound.utf16Offset(in: header),
                       canal.range(of: "skipped")?.lowerBound.utf16Offset(in: canal), "columns line up")
    }

    func testMalformedConfigExitsTwoNamingFileAndLineAndWritesNothing() throws {
        let box = try Sandbox("cli")
        try box.manifest("rke2-canal.yaml")
        let bad = try box.write(box.configFile, "disable: [a, b\nnode-name: x\n")
        for args in [["status"], ["skip", "rke2-canal"]] {
            let result = try Shell.cli(args + box.cliOptions)
            XCTAssertEqual(result.status, 2, args.description)
            XCTAssertTrue(result.stderr.contains("\(bad): line "), result.stderr)
        }
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
    }

    func testBadUsageExitsTwo() throws {
        XCTAssertEqual(try Shell.cli(["status", "--output", "xml"]).status, 2)
        XCTAssertEqual(try Shell.cli(["frobnicate"]).status, 2)
        XCTAssertEqual(try Shell.cli(["skip"]).status, 2)
        let help = try Shell.cli(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("skip"))
    }

    func testSkipAndUnskipFromTheCommandLine() throws {
        let box = try Sandbox("cli")
        try box.manifest("rke2-canal.yaml")
        try box.manifest("rke2-coredns.yaml")
        let dry = try Shell.cli(["skip", "--dry-run", "rke2-canal"] + box.cliOptions)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would create"), dry.stdout)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))

        let skip = try Shell.cli(["skip", "rke2-canal", "rke2-coredns.yaml"] + box.cliOptions)
        XCTAssertEqual(skip.status, 0, skip.stderr)
        XCTAssertTrue(skip.stdout.contains("every control-plane node"), skip.stdout)
        XCTAssertTrue(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
        XCTAssertTrue(box.exists(box.manifestsDir + "/rke2-coredns.yaml.skip"))
        XCTAssertEqual(try Shell.cli(["skip", "rke2-canal"] + box.cliOptions).status, 0, "idempotent")

        let unskip = try Shell.cli(["unskip", "rke2-canal"] + box.cliOptions)
        XCTAssertEqual(unskip.status, 0, unskip.stderr)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))

        let audit = try box.read(box.auditLog).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        XCTAssertEqual(audit.map { $0["phase"]?.stringValue }, ["intent", "result", "intent", "result", "intent", "result"],
                       "an intent before each operation acts, a result after")
        for (intent, result) in zip(audit.filter { $0["phase"]?.stringValue == "intent" }, audit.filter { $0["phase"]?.stringValue == "result" }) {
            XCTAssertEqual(intent["id"], result["id"])
            XCTAssertEqual(intent["result"]?.stringValue, "started")
        }
        for record in audit {
            XCTAssertNotNil(record["time"]?.stringValue)
            XCTAssertNotNil(record["node"]?.stringValue)
        }
    }

    func testUnknownNameExitsTwo() throws {
        let box = try Sandbox("cli")
        try box.manifest("rke2-canal.yaml")
        let result = try Shell.cli(["skip", "rke2-nope"] + box.cliOptions)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no manifest named 'rke2-nope'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("rke2-canal.yaml"), "lists what exists: \(result.stderr)")
    }

    // MARK: privileges

    /// Runs the CLI as `nobody` (as root only; otherwise the test already is unprivileged).
    func runUnprivileged(_ args: [String]) throws -> Shell.Result {
        if geteuid() != 0 { return try Shell.cli(args) }
        guard let setpriv = try Shell.which("setpriv") else { throw XCTSkip("setpriv is not installed") }
        return try Shell.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", "--", RepoPaths.cliBinary] + args,
                             environment: ["PATH": "/usr/bin:/bin", "KUBECONFIG": "/nonexistent", "USER": "nobody"].merging(TestProcesses.environment) { _, ours in ours })
    }

    func chownTree(_ path: String, uid: uid_t) {
        guard geteuid() == 0 else { return }
        chown(path, uid, uid)
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let item as String in enumerator { lchown(path + "/" + item, uid, uid) }
        }
    }

    func testMutatingWithoutRootOrWritableDataDirIsRefused() throws {
        let box = try Sandbox("cli")
        try box.manifest("rke2-canal.yaml")
        chmod(box.root, 0o755)
        let result = try runUnprivileged(["skip", "rke2-canal"] + box.cliOptions)
        if geteuid() != 0 && access(box.dataDir, W_OK) == 0 { throw XCTSkip("the data dir is writable by this user") }
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("needs root"), result.stderr)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
        // Reading is fine as any user.
        XCTAssertEqual(try runUnprivileged(["status"] + box.cliOptions).status, 0)
    }

    func testPlanAsAnotherUserRefusesBeforeThePreview() throws {
        let box = try Sandbox("cli")
        chmod(box.root, 0o755)
        if geteuid() != 0 && access(box.dataDir, W_OK) == 0 { throw XCTSkip("the data dir is writable by this user") }
        let result = try runUnprivileged(["plan", "--version", "v1.32.2+rke2r1"] + box.cliOptions)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("plan changes the cluster"), result.stderr)
        XCTAssertFalse(result.stdout.contains("kind: Plan"), "refused before the preview")
    }

    func testReadOnlyManifestsDirectoryIsAClearError() throws {
        let box = try Sandbox("cli")
        try box.manifest("rke2-canal.yaml")
        chownTree(box.root, uid: 65534)
        chmod(box.manifestsDir, 0o555)
        defer { chmod(box.manifestsDir, 0o755) }
        let result = try runUnprivileged(["skip", "rke2-canal"] + box.cliOptions)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("cannot create \(box.manifestsDir)/rke2-canal.yaml.skip: Permission denied"), result.stderr)
        XCTAssertFalse(box.exists(box.manifestsDir + "/rke2-canal.yaml.skip"))
        let audit = try box.read(box.auditLog)
        XCTAssertTrue(audit.contains("\"result\":\"failed\""), audit)
    }
}

/// `--dry-run` gates a pipeline, and `--force` is never silent.
final class DryRunAndForceTests: XCTestCase {
    func testDryRunExitsOneWhenACheckFailsAndForceNeedsAReason() throws {
        let box = try Sandbox("cli")
        try FakeRKE2.install(version: "v1.31.6+rke2r1", at: box.binaryPath)
        let skip = try FakeRKE2.install(version: "v1.33.0+rke2r1", at: box.root + "/download/rke2")
        let good = try FakeRKE2.install(version: "v1.32.2+rke2r1", at: box.root + "/download2/rke2")
        let options = ["--rke2-binary", box.binaryPath] + box.cliOptions
        let failing = try Shell.cli(["swap", "--binary", skip, "--dry-run"] + options)
        XCTAssertEqual(failing.status, 1, failing.stdout + failing.stderr)
        XCTAssertTrue(failing.stdout.contains("FAIL  no minor skip"), failing.stdout)
        let passing = try Shell.cli(["swap", "--binary", good, "--dry-run"] + options)
        XCTAssertEqual(passing.status, 0, passing.stdout + passing.stderr)
        for reason in ["", "   "] {
            let forced = try Shell.cli(["swap", "--binary", skip, "--yes", "--force", reason] + options)
            XCTAssertEqual(forced.status, 2, "a blank reason is bad usage: \(forced.stderr)")
            XCTAssertTrue(forced.stderr.contains("--force needs a reason"), forced.stderr)
        }
        XCTAssertFalse(box.exists(box.auditLog), "nothing was attempted")
        let help = try Shell.cli(["swap", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(help.contains("Exits 1 when a check fails"), help)
    }
}

/// Names and words: the CLI answers a typo with the closest name, and agrees with the dashboard.
final class NamesAndWordsTests: XCTestCase {
    func testSkipSuggestsTheClosestManifestAndAcceptsWhatStatusPrints() throws {
        let box = try Sandbox("names")
        try box.manifest("rke2-coredns.yaml", Sandbox.helmChart("rke2-coredns"))
        try box.manifest("custom/team-app.yaml", Sandbox.helmChart("team-app"))
        try box.manifest("README.txt", "not a manifest")
        let typo = try Shell.cli(["skip", "rke2-cordns"] + box.cliOptions)
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("did you mean rke2-coredns?"), typo.stderr)
        XCTAssertFalse(typo.stderr.contains("full file name"), "no advice to create a marker for a name RKE2 does not package")
        let custom = try Shell.cli(["skip", "custom/team-app.yaml"] + box.cliOptions)
        XCTAssertEqual(custom.status, 0, custom.stderr)
        XCTAssertTrue(box.exists(box.manifestsDir + "/custom/team-app.yaml.skip"))
        let readme = try Shell.cli(["skip", "README.txt"] + box.cliOptions)
        XCTAssertEqual(readme.status, 1, "never deployed: refused, as the dashboard refuses it")
        XCTAssertTrue(readme.stderr.contains("never deployed"), readme.stderr)
        XCTAssertFalse(box.exists(box.manifestsDir + "/README.txt.skip"))
        // Ahead of time: only RKE2's packaged names, and not what the config disables.
        XCTAssertEqual(try Shell.cli(["skip", "rke2-metrics-server.yaml"] + box.cliOptions).status, 0)
        XCTAssertEqual(try Shell.cli(["skip", "team-other.yaml"] + box.cliOptions).status, 2)
        try box.write(box.configFile, "disable: rke2-ingress-nginx\n")
        let disabled = try Shell.cli(["skip", "rke2-ingress-nginx.yaml"] + box.cliOptions)
        XCTAssertEqual(disabled.status, 1)
        XCTAssertTrue(disabled.stderr.contains("disabled by"), disabled.stderr)
    }

    func testAMistypedCommandGetsTheRootUsageAndASuggestion() throws {
        let result = try Shell.cli(["stauts"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("unknown command 'stauts'; did you mean status?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("SUBCOMMANDS"), "the root usage, not the dashboard's")
        let help = try Shell.cli(["plan", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(help.contains("One of --version or --channel is required"), help)
    }
}

/// `status` says what is wrong with its inputs, in words an operator can act on.
final class StatusInputsTests: XCTestCase {
    func testAMissingDataDirAndUnusableKubeconfigsAreNamed() throws {
        let box = try Sandbox("inputs")
        let missing = try Shell.cli(["status", "--data-dir", box.root + "/nope", "--config", box.configFile])
        XCTAssertEqual(missing.status, 2, "a data dir the operator named that does not exist is bad input")
        XCTAssertTrue(missing.stderr.contains("data dir \(box.root)/nope does not exist (--data-dir)"), missing.stderr)
        let malformed = try box.write("kube/bad.yaml", "apiVersion: v1\nclusters: [\n")
        let bad = try Shell.cli(["status", "--kubeconfig", malformed] + box.cliOptions)
        XCTAssertEqual(bad.status, 0, "the local part is still reported")
        XCTAssertTrue(bad.stdout.contains("not configured: kubeconfig \(malformed): line"), bad.stdout)
        XCTAssertFalse(bad.stdout.contains("no kubeconfig found"), "it was found: it is malformed")
        let exec = try box.write("kube/exec.yaml", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x

            """)
        let execResult = try Shell.cli(["status", "--kubeconfig", exec] + box.cliOptions)
        XCTAssertTrue(execResult.stdout.contains("exec credential plugin"), execResult.stdout)
        XCTAssertFalse(execResult.stdout.contains("no kubeconfig found"), execResult.stdout)
    }
}
