import Foundation

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
