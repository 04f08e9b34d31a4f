import Foundation
import UpgradeModel

/// Runs `Tests/Support/emulator/kube_emulator.py` on 127.0.0.1: plain HTTP and HTTPS that requires a
/// client certificate (certificates made with openssl when first needed).
public final class Emulator: @unchecked Sendable {
    public let httpPort: Int
    public let httpsPort: Int
    public let certs: String
    public let dir: String
    private let pid: Int32

    public static var script: String { RepoPaths.root + "/Tests/Support/emulator/kube_emulator.py" }

    /// Certificates are made once per test process.
    static let certificates: Result<String, Error> = Result {
        let dir = NSTemporaryDirectory() + "upgrade-tui-certs-\(getpid())"
        if !FileManager.default.fileExists(atPath: dir + "/client.key") {
            let result = try Shell.run("/bin/sh", [RepoPaths.root + "/Tests/Support/emulator/make-certs.sh", dir])
            guard result.status == 0 else { throw UpgradeError.failed("make-certs.sh failed: \(result.stderr)") }
        }
        return dir
    }

    public init(seed: [[String: Any]] = [], token: String? = nil, bookmarkInterval: Double = 1, extra: [String] = []) throws {
        certs = try Self.certificates.get()
        dir = NSTemporaryDirectory() + "upgrade-tui-emulator-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ready = dir + "/ports.json"
        var args = [Self.script, "--http-port", "0", "--https-port", "0", "--cert", certs + "/server.pem",
                    "--key", certs + "/server.key", "--client-ca", certs + "/ca.pem", "--ready-file", ready,
                    "--bookmark-interval", String(bookmarkInterval)] + extra
        if let token { args += ["--token", token] }
        if !seed.isEmpty {
            let seedFile = dir + "/seed.json"
            try JSONSerialization.data(withJSONObject: seed).write(to: URL(fileURLWithPath: seedFile))
            args += ["--seed", seedFile]
        }
        let python = try Shell.which("python3") ?? "/usr/bin/python3"
        pid = try Shell.spawn(python, args + ["--parent-pid", String(getpid())], environment: ProcessInfo.processInfo.environment,
                              output: dir + "/emulator.log")
        let deadline = Date().addingTimeInterval(15)
        while !FileManager.default.fileExists(atPath: ready) {
            if Date() > deadline || kill(pid, 0) != 0 { throw UpgradeError.failed("the emulator did not start") }
            usleep(20_000)
        }
        let ports = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ready))) as? [String: Int] ?? [:]
        httpPort = ports["http"] ?? 0
        httpsPort = ports["https"] ?? 0
    }

    deinit { stop() }

    public func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        if ProcessInfo.processInfo.environment["KEEP_EMULATOR_LOGS"] == nil {
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    public var httpURL: String { "http://127.0.0.1:\(httpPort)" }
    public var httpsURL: String { "https://127.0.0.1:\(httpsPort)" }

    /// An rke2.yaml-style kubeconfig: HTTPS, CA data, client certificate and key data.
    public func writeMTLSKubeconfig(caFile: String? = nil, inline: Bool = true) throws -> String {
        func b64(_ file: String) throws -> String { try Data(contentsOf: URL(fileURLWithPath: file)).base64EncodedString() }
        let ca = caFile ?? certs + "/ca.pem"
        let user = inline
            ? "    client-certificate-data: \(try b64(certs + "/client.pem"))\n    client-key-data: \(try b64(certs + "/client.key"))"
            : "    client-certificate: \(certs)/client.pem\n    client-key: \(certs)/client.key"
        let cluster = inline ? "    certificate-authority-data: \(try b64(ca))" : "    certificate-authority: \(ca)"
        return try writeKubeconfig(name: "rke2-\(UUID().uuidString.prefix(6)).yaml", server: httpsURL, cluster: cluster, user: user)
    }

    public func writeHTTPKubeconfig(token: String? = nil) throws -> String {
        try writeKubeconfig(name: "http-\(UUID().uuidString.prefix(6)).yaml", server: httpURL, cluster: "",
                            user: token.map { "    token: \($0)" } ?? "    {}")
    }

    public func writeKubeconfig(name: String, server: String, cluster: String, user: String) throws -> String {
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            server: \(server)
        \(cluster)
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        preferences: {}
        users:
        - name: default
          user:
        \(user)

        """
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: admin and direct access (plain HTTP)

    @discardableResult
    public func call(_ method: String, _ path: String, json: Any? = nil, contentType: String = "application/json") throws -> Any? {
        var args = ["-sS", "-X", method, httpURL + path, "-H", "Content-Type: \(contentType)"]
        if let json {
            args += ["--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)]
        }
        let result = try Shell.run(try Shell.which("curl") ?? "/usr/bin/curl", args)
        guard result.status == 0 else { throw UpgradeError.failed("curl \(method) \(path): \(result.stderr)") }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    public func seed(_ objects: [[String: Any]]) throws { try call("POST", "/_emulator/seed", json: objects) }
    public func fault(_ query: String) throws { try call("POST", "/_emulator/fault?" + query) }
    public func cutWatches() throws { try call("POST", "/_emulator/cut-watches") }
    public func compact() throws { try call("POST", "/_emulator/compact") }
    /// Connections to `listener` ("https", "http", or nil for both) are dropped for `seconds`.
    public func outage(seconds: Double, listener: String? = "https") throws {
        try call("POST", "/_emulator/outage?seconds=\(seconds)" + (listener.map { "&listener=\($0)" } ?? ""))
    }
    /// Saves the objects and resourceVersion, as `rke2 etcd-snapshot save` would.
    public func etcdSnapshot() throws { try call("POST", "/_emulator/etcd-snapshot") }
    /// Restores the last `etcdSnapshot()`: resourceVersions go backwards and open watches are cut.
    public func etcdRestore() throws { try call("POST", "/_emulator/etcd-restore") }
    public func clearRequests() throws { try call("DELETE", "/_emulator/requests") }
    /// What `GET /metrics` answers from now on (Prometheus text).
    public func setMetrics(_ text: String) throws { try call("POST", "/_emulator/metrics", json: ["text": text]) }
    /// `GET /metrics` answers 403 Forbidden (as for a user without `get` on the non-resource URL).
    public func forbidMetrics() throws { try fault("status=403&path=/metrics&count=1000") }

    /// Requests upgrade-tui sent to the API (admin calls and the tests' own curl excluded).
    public func requests() throws -> [(method: String, path: String, watch: Bool)] {
        let body = try call("GET", "/_emulator/requests") as? [String: Any]
        return (body?["requests"] as? [[String: Any]] ?? []).filter { ($0["userAgent"] as? String ?? "").hasPrefix("upgrade-tui") }.map {
            ($0["method"] as? String ?? "", $0["path"] as? String ?? "", $0["watch"] as? Bool ?? false)
        }
    }

    public func patchStatus(_ path: String, _ status: [String: Any]) throws {
        try call("PATCH", path + "/status", json: ["status": status], contentType: "application/merge-patch+json")
    }

    public func patch(_ path: String, _ body: [String: Any]) throws {
        try call("PATCH", path, json: body, contentType: "application/merge-patch+json")
    }

    public func get(_ path: String) throws -> [String: Any]? { try call("GET", path) as? [String: Any] }
}
