import Foundation
import Yams

/// How to reach and authenticate to the API server, read from a kubeconfig (RKE2 writes
/// `/etc/rancher/rke2/rke2.yaml`: HTTPS with a CA and a client certificate).
public struct KubeAccess: Sendable, Equatable {
    /// The kubeconfig file this came from.
    public let source: String
    public let context: String
    public let server: String
    public let caPEM: [UInt8]?
    public let insecureSkipTLSVerify: Bool
    public let clientCertificatePEM: [UInt8]?
    public let clientKeyPEM: [UInt8]?
    public let token: String?
    /// Re-read on every request, as client-go does, so a rotated token is picked up.
    public let tokenFile: String?
    /// The context's namespace, if any (upgrade-tui uses `--namespace` for Plans, not this).
    public let namespace: String?

    /// Which CA verifies the server, for error messages.
    public var caDescription: String {
        caPEM == nil ? "the system's CAs (the kubeconfig \(source) names no certificate-authority)" : "the certificate-authority of context \(context) in \(source)"
    }

    public init(source: String, context: String, server: String, caPEM: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
                clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil, token: String? = nil,
                tokenFile: String? = nil, namespace: String? = nil) {
        self.source = source
        self.context = context
        self.server = server
        self.caPEM = caPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.token = token
        self.tokenFile = tokenFile
        self.namespace = namespace
    }
}

extension KubeAccess {
    /// Why the connection is not protected by verified TLS (`cluster.insecure` in `status` JSON).
    public enum Insecurity: String, Sendable {
        /// `insecure-skip-tls-verify: true`: any server can pose as this one.
        case tlsVerifyDisabled = "tls-verify-disabled"
        /// An `http://` server: nothing is encrypted or authenticated.
        case plainHTTP = "plain-http"

        public var explanation: String {
            switch self {
            case .tlsVerifyDisabled: return "insecure-skip-tls-verify: the server's certificate is not checked"
            case .plainHTTP: return "plain HTTP: nothing is encrypted or authenticated"
            }
        }
    }

    public var insecurity: Insecurity? {
        if server.lowercased().hasPrefix("http://") { return .plainHTTP }
        return insecureSkipTLSVerify ? .tlsVerifyDisabled : nil
    }

    /// The server's host is this machine: `localhost`, 127.0.0.0/8 or ::1.
    public var serverIsLoopback: Bool {
        guard var host = URLComponents(string: server)?.host?.lowercased() else { return false }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            return bytes == [UInt8](repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// A bearer token goes only where TLS protects it, or to this machine.
    public func checkCredentialsTransport() throws {
        guard insecurity == .plainHTTP, token != nil || tokenFile != nil, !serverIsLoopback else { return }
        throw UpgradeError.input("kubeconfig \(source): refusing to send a bearer token over plain HTTP to \(server) (anyone on the path could read it); use an https:// server")
    }
}

public enum Kubeconfig {
    public static let rke2Path = "/etc/rancher/rke2/rke2.yaml"

    /// The order (docs/rke2-rules.md#rke2-paths-and-defaults): `--kubeconfig`, then `$KUBECONFIG` (the first file of the list that exists),
    /// then `/etc/rancher/rke2/rke2.yaml` if readable, then `~/.kube/config`. Nil when none exists.
    public static func resolve(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            for path in list.split(separator: ":").map(String.init) where POSIX.fileInfo(path) != nil {
                return path
            }
        }
        if access(rke2Path, R_OK) == 0 { return rke2Path }
        if let home = environment["HOME"], access(home + "/.kube/config", R_OK) == 0 { return home + "/.kube/config" }
        return nil
    }

    /// Reads the current context of a kubeconfig. Errors name the file and the field at fault.
    public static func load(path: String) throws -> KubeAccess {
        guard let data = try POSIX.readFileIfPresent(path, limit: 16 << 20) else {
            throw UpgradeError.input("kubeconfig \(path) does not exist")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UpgradeError.input("kubeconfig \(path) is not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw UpgradeError.input("kubeconfig \(path) is empty") }
            root = node
        } catch let error as YamlError {
            throw UpgradeError.input("kubeconfig \(path): \(RKE2Config.describe(error))")
        }
        let base = (path as NSString).deletingLastPathComponent
        func fail(_ message: String) -> UpgradeError { .input("kubeconfig \(path): \(message)") }
        func named(_ list: String, _ name: String) throws -> Node {
            guard let items = root[list]?.sequence else { throw fail("no \(list) list") }
            guard let item = items.first(where: { $0["name"]?.string == name }) else {
                throw fail("\(list): no entry named \"\(name)\"")
            }
            return item
        }
        guard let contextName = root["current-context"]?.string, !contextName.isEmpty else {
            throw fail("current-context is not set")
        }
        let context = try named("contexts", contextName)["context"]
        guard let clusterName = context?["cluster"]?.string else { throw fail("context \"\(contextName)\" names no cluster") }
        guard let cluster = try named("clusters", clusterName)["cluster"] else { throw fail("cluster \"\(clusterName)\" is empty") }
        guard let server = cluster["server"]?.string, server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw fail("clusters[\(clusterName)].cluster.server must be an http(s) URL")
        }
        func bytes(_ node: Node?, dataKey: String, fileKey: String, owner: String) throws -> [UInt8]? {
            if let inline = node?[dataKey]?.string {
                guard let decoded = Data(base64Encoded: inline.filter { !$0.isWhitespace }) else {
                    throw fail("\(owner).\(dataKey) is not valid base64")
                }
                return Array(decoded)
            }
            if let file = node?[fileKey]?.string {
                let full = file.hasPrefix("/") ? file : base + "/" + file
                let data: Data?
                do {
                    data = try POSIX.readFileIfPresent(full, limit: 1 << 20)
                } catch let error as UpgradeError {
                    throw fail("\(owner).\(fileKey): \(error.message)")
                }
                guard let data else { throw fail("\(owner).\(fileKey): \(full) does not exist") }
                return Array(data)
            }
            return nil
        }
        let ca = try bytes(cluster, dataKey: "certificate-authority-data", fileKey: "certificate-authority", owner: "clusters[\(clusterName)].cluster")
        let insecure = cluster["insecure-skip-tls-verify"]?.bool ?? false

        var cert: [UInt8]?
        var key: [UInt8]?
        var token: String?
        var tokenFile: String?
        if let userName = context?["user"]?.string, !userName.isEmpty {
            let user = try named("users", userName)["user"]
            let owner = "users[\(userName)].user"
            if user?["exec"] != nil {
                throw fail("\(owner) uses an exec credential plugin, which upgrade-tui does not support; use the RKE2 admin kubeconfig (/etc/rancher/rke2/rke2.yaml) or a client-certificate or token user")
            }
            if user?["auth-provider"] != nil {
                throw fail("\(owner) uses an auth-provider, which upgrade-tui does not support; use a client-certificate or token user")
            }
            cert = try bytes(user, dataKey: "client-certificate-data", fileKey: "client-certificate", owner: owner)
            key = try bytes(user, dataKey: "client-key-data", fileKey: "client-key", owner: owner)
            if (cert == nil) != (key == nil) { throw fail("\(owner) needs both a client certificate and a client key") }
            token = user?["token"]?.string
            if let file = user?["tokenFile"]?.string {
                tokenFile = file.hasPrefix("/") ? file : base + "/" + file
            }
        }
        return KubeAccess(source: path, context: contextName, server: server.hasSuffix("/") ? String(server.dropLast()) : server,
                          caPEM: ca, insecureSkipTLSVerify: insecure, clientCertificatePEM: cert, clientKeyPEM: key,
                          token: token, tokenFile: tokenFile, namespace: context?["namespace"]?.string)
    }
}
