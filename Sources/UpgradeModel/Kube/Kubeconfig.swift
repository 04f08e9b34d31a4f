import Foundation
import Yams

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

    /// The contexts a kubeconfig names, in file order, and its current context.
    public static func contexts(path: String) throws -> (names: [String], current: String?) {
        let root = try parse(path: path)
        let names = (root["contexts"]?.sequence ?? []).compactMap { $0["name"]?.string }
        return (names, root["current-context"]?.string.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Reads a context of a kubeconfig (`context`, else its current context). Errors name the file and
    /// the field at fault; a context that does not exist lists the ones that do.
    public static func load(path: String, context wanted: String? = nil) throws -> KubeAccess {
        let root = try parse(path: path)
        let base = (path as NSString).deletingLastPathComponent
        func fail(_ message: String) -> UpgradeError { .input("kubeconfig \(path): \(message)") }
        func named(_ list: String, _ name: String) throws -> Node {
            guard let items = root[list]?.sequence else { throw fail("no \(list) list") }
            guard let item = items.first(where: { $0["name"]?.string == name }) else {
                throw fail("\(list): no entry named \"\(name)\"")
            }
            return item
        }
        let contextName: String
        if let wanted {
            let known = (root["contexts"]?.sequence ?? []).compactMap { $0["name"]?.string }
            guard known.contains(wanted) else {
                throw fail("no context named \"\(wanted)\" (it has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            contextName = wanted
        } else {
            guard let current = root["current-context"]?.string, !current.isEmpty else {
                throw fail("current-context is not set")
            }
            contextName = current
        }
        return try contextAccess(root: root, path: path, base: base, contextName: contextName, fail: fail, named: named)
    }

    private static func parse(path: String) throws -> Node {
        guard let data = try POSIX.readFileIfPresent(path, limit: 16 << 20) else {
            throw UpgradeError.input("kubeconfig \(path) does not exist")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UpgradeError.input("kubeconfig \(path) is not UTF-8 text")
        }
        do {
            guard let node = try YAMLText.compose(text) else { throw UpgradeError.input("kubeconfig \(path) is empty") }
            return node
        } catch let error as YamlError {
            throw UpgradeError.input("kubeconfig \(path): \(RKE2Config.describe(error))")
        }
    }

    private static func contextAccess(root: Node, path: String, base: String, contextName: String, fail: (String) -> UpgradeError,
                               named: (String, String) throws -> Node) throws -> KubeAccess {
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
        let insecure = YAMLText.bool(cluster["insecure-skip-tls-verify"]) ?? false

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
