import TestSupport
import XCTest
@testable import UpgradeModel

/// The native client against the emulator: kubeconfig variants, TLS, list+watch semantics, faults.
final class KubeClientTests: XCTestCase {
    func nodeNames(_ client: KubeClient) async throws -> [String] {
        let data = try await client.send(.GET, KubeResource.nodes.collectionPath)
        let list = try JSONDecoder().decode(KList<KNode>.self, from: data)
        return (list.items ?? []).map(\.metadata.name).sorted()
    }

    func seeded() throws -> Emulator {
        try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()))
    }

    func testMTLSWithInlineAndFileCertificates() async throws {
        let emulator = try seeded()
        for inline in [true, false] {
            let access = try Kubeconfig.load(path: try emulator.writeMTLSKubeconfig(inline: inline))
            XCTAssertNotNil(access.clientCertificatePEM)
            let client = try KubeClient(access: access)
            let names = try await nodeNames(client)
            await client.shutdown()
            XCTAssertEqual(names, ["agent-1", "agent-2", "server-1", "server-2", "server-3"], "inline: \(inline)")
        }
    }

    func testBearerTokenAndTokenFile() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any(ClusterScenario.midUpgrade()), token: "s3cret")
        let good = try KubeClient(access: Kubeconfig.load(path: emulator.writeHTTPKubeconfig(token: "s3cret")))
        let count = try await nodeNames(good).count
        XCTAssertEqual(count, 5)
        await good.shutdown()
        let tokenFile = emulator.dir + "/token"
        try Data("s3cret\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let path = try emulator.writeKubeconfig(name: "tf.yaml", server: emulator.httpURL, cluster: "", user: "    tokenFile: \(tokenFile)")
        let viaFile = try KubeClient(access: Kubeconfig.load(path: path))
        let viaFileCount = try await nodeNames(viaFile).count
        XCTAssertEqual(viaFileCount, 5)
        await viaFile.shutdown()
        let bad = try KubeClient(access: Kubeconfig.load(path: emulator.writeHTTPKubeconfig(token: "wrong")))
        do {
            _ = try await nodeNames(bad)
            XCTFail("a wrong token must be refused")
        } catch let error as KubeError {
            guard case .unauthorized(401, _) = error else { return XCTFail("\(error)") }
        }
        await bad.shutdown()
    }

    func testInsecureSkipsVerification() async throws {
        let emulator = try seeded()
        let b64 = { (file: String) in try Data(contentsOf: URL(fileURLWithPath: file)).base64EncodedString() }
        let path = try emulator.writeKubeconfig(
            name: "insecure.yaml", server: emulator.httpsURL, cluster: "    insecure-skip-tls-verify: true",
            user: "    client-certificate-data: \(try b64(emulator.certs + "/client.pem"))\n    client-key-data: \(try b64(emulator.certs + "/client.key"))")
        let client = try KubeClient(access: Kubeconfig.load(path: path))
        let count = try await nodeNames(client).count
        XCTAssertEqual(count, 5)
        await client.shutdown()
    }

    func testWrongCAIsAClearTLSError() async throws {
        let emulator = try seeded()
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig(caFile: emulator.certs + "/other-ca.pem")))
        do {
            _ = try await nodeNames(client)
            XCTFail("a wrong CA must fail")
        } catch let error as KubeError {
            XCTAssertTrue(error.description.hasPrefix("TLS: the certificate of https://"), error.description)
            XCTAssertTrue(error.description.contains("is not signed by the certificate-authority of context"), error.description)
            for fragment in [".build", "BoringSSL", "handshake.cc", "OPENSSL_internal", "\n"] {
                XCTAssertFalse(error.description.contains(fragment), "one line, no library internals: \(error.description)")
            }
        }
        await client.shutdown()
    }

    func testExecAndAuthProviderUsersAreNotSupported() throws {
        let emulator = try seeded()
        let exec = try emulator.writeKubeconfig(name: "exec.yaml", server: emulator.httpsURL, cluster: "",
                                                user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws")
        XCTAssertThrowsError(try Kubeconfig.load(path: exec)) { error in
            XCTAssertTrue("\(error)".contains("exec credential plugin, which upgrade-tui does not support"), "\(error)")
            XCTAssertTrue("\(error)".contains(exec), "names the file: \(error)")
        }
        let provider = try emulator.writeKubeconfig(name: "ap.yaml", server: emulator.httpsURL, cluster: "",
                                                    user: "    auth-provider:\n      name: oidc")
        XCTAssertThrowsError(try Kubeconfig.load(path: provider)) { error in
            XCTAssertTrue("\(error)".contains("auth-provider"), "\(error)")
        }
    }

    func testKubeconfigErrorsNameTheField() throws {
        let dir = NSTemporaryDirectory() + "kc-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            ("apiVersion: v1\nclusters: []\n", "current-context is not set"),
            ("current-context: x\ncontexts: []\n", "contexts: no entry named \"x\""),
            ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: ftp://x}}]\n", "server must be an http(s) URL"),
            ("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://x', certificate-authority-data: '!!!'}}]\n", "certificate-authority-data is not valid base64"),
            ("current-context: [\n", "line "),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let path = dir + "/\(index).yaml"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Kubeconfig.load(path: path), "case \(index)") { error in
                XCTAssertTrue("\(error)".contains(expected), "case \(index): \(error)")
                XCTAssertTrue("\(error)".contains(path), "case \(index): \(error)")
            }
        }
    }

    func testResolutionOrder() throws {
        let dir = NSTemporaryDirectory() + "kc-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir + "/.kube", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/.kube/config"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/b"))
        XCTAssertEqual(Kubeconfig.resolve(explicit: "/given", environment: ["KUBECONFIG": dir + "/b"]), "/given")
        XCTAssertEqual(Kubeconfig.resolve(explicit: nil, environment: ["KUBECONFIG": "\(dir)/a:\(dir)/b"]), dir + "/b")
        if access(Kubeconfig.rke2Path, R_OK) != 0 {
            XCTAssertEqual(Kubeconfig.resolve(explicit: nil, environment: ["HOME": dir]), dir + "/.kube/config")
            XCTAssertNil(Kubeconfig.resolve(explicit: nil, environment: ["HOME": dir + "/nowhere"]))
        }
    }

    // MARK: list + watch

    /// Collects reflector updates for nodes.
    func wait(timeout: TimeInterval = 10, _ condition: @escaping () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("condition not met within \(timeout) s")
    }

    func label(_ emulator: Emulator, _ node: String, _ step: Int) throws {
        try emulator.patch("/api/v1/nodes/\(node)", ["metadata": ["labels": ["step": "\(step)"]]])
    }

    func testWatchResumesAcrossADroppedStreamWithoutLossOrDuplicates() async throws {
        let emulator = try seeded()
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait { await recorder.names.count == 5 }
        try await wait { await (try? emulator.call("GET", "/_emulator/watches") as? [String: Any])?["watches"] as? Int == 1 }
        try label(emulator, "server-1", 1)
        try await wait { await recorder.upserts().count == 1 }
        try emulator.cutWatches()
        // Changes while no stream is open must arrive once the watch resumes from its resourceVersion.
        try label(emulator, "server-1", 2)
        try label(emulator, "server-2", 3)
        try await wait { await recorder.upserts().count >= 3 }
        try await Task.sleep(nanoseconds: 300_000_000)
        let upserts = await recorder.upserts()
        XCTAssertEqual(upserts, ["upsert:server-1:1", "upsert:server-1:2", "upsert:server-2:3"])
        let replaces = await recorder.replaces
        XCTAssertEqual(replaces, 1, "a dropped stream resumes; it does not relist")
        let requests = try emulator.requests()
        XCTAssertTrue(requests.allSatisfy { $0.method == "GET" })
        XCTAssertGreaterThanOrEqual(requests.filter(\.watch).count, 2)
        task.cancel()
        await client.shutdown()
    }

    func testGoneRelists() async throws {
        let emulator = try seeded()
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait { await recorder.names.count == 5 }
        try await wait { await (try? emulator.call("GET", "/_emulator/watches") as? [String: Any])?["watches"] as? Int == 1 }
        // The stream drops and stays down while changes happen and history is compacted past it.
        try emulator.outage(seconds: 1)
        try label(emulator, "server-1", 1)
        try label(emulator, "server-1", 2)
        try emulator.compact()
        try await wait { await recorder.replaces == 2 }
        let names = await recorder.names
        XCTAssertEqual(names.count, 5)
        try emulator.call("DELETE", "/api/v1/nodes/agent-2")
        try await wait { await recorder.names.count == 4 }
        task.cancel()
        await client.shutdown()
    }

    func testHTTP410OnTheWatchRequestRelists() async throws {
        let emulator = try seeded()
        try emulator.fault("status=410&count=1&watch=true")
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait { await recorder.replaces == 2 }
        task.cancel()
        await client.shutdown()
    }

    func testServerErrorsBackOffAndRecover() async throws {
        let emulator = try seeded()
        try emulator.fault("status=500&count=3&watch=false")
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait { await recorder.names.count == 5 }
        // The list is delivered before its health report: wait for the report rather than race it.
        try await wait { await recorder.health.last == .ok }
        let health = await recorder.health
        XCTAssertEqual(health.filter { if case .unreachable = $0 { return true } else { return false } }.count, 3)
        task.cancel()
        await client.shutdown()
    }

    func testAPIDownThenUpReconnects() async throws {
        let emulator = try seeded()
        let (recorder, task, client) = try NodeRecorder.start(emulator)
        defer { task.cancel() }
        try await wait { await recorder.names.count == 5 }
        try await wait { await (try? emulator.call("GET", "/_emulator/watches") as? [String: Any])?["watches"] as? Int == 1 }
        try emulator.outage(seconds: 1.5)
        try await wait { await recorder.health.contains { if case .unreachable = $0 { return true } else { return false } } }
        try label(emulator, "server-3", 7)
        try await wait { await recorder.upserts().contains("upsert:server-3:7") }
        try await wait { await recorder.health.last == .ok }
        let replaces = await recorder.replaces
        XCTAssertEqual(replaces, 1, "resumed from the resourceVersion, not relisted")
        task.cancel()
        await client.shutdown()
    }

    func testMissingCRDIsAState() async throws {
        let emulator = try Emulator(seed: ClusterScenario.any([ObjectFactory.json(ObjectFactory.node("s", version: "v1.31.6+rke2r1"))]))
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: "system-upgrade"))
        await client.shutdown()
        XCTAssertEqual(cache.health(.nodes), .ok)
        XCTAssertEqual(cache.health(.plans), .missing)
        let status = ClusterDerivation.derive(cache, namespace: "system-upgrade")
        XCTAssertEqual(status.api, .ok)
        XCTAssertEqual(status.upgradeController, .missing)
    }

    func testRequestTimeout() async throws {
        let emulator = try seeded()
        try emulator.fault("delayMs=3000&count=1")
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()), requestTimeout: .milliseconds(500))
        let started = Date()
        do {
            _ = try await nodeNames(client)
            XCTFail("expected a timeout")
        } catch let error as KubeError {
            XCTAssertTrue(error.description.contains("timed out"), error.description)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        await client.shutdown()
    }
}
