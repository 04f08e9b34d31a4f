import Foundation

/// Opens the cluster connection the options describe, or says why there is none.
public enum ClusterConnection {
    public enum Outcome: Sendable {
        case connected(KubeClient)
        /// No kubeconfig anywhere: the dashboard works on local facts alone.
        case notConfigured(String?)
    }

    /// An explicitly given kubeconfig that does not exist, or a `--context` it does not have, is bad input
    /// (exit 2); any other problem leaves the cluster `not-configured` with the reason, so that the local
    /// part still works.
    public static func open(explicit: String?, environment: [String: String], context: String? = nil) throws -> Outcome {
        guard let path = Kubeconfig.resolve(explicit: explicit, environment: environment) else {
            return .notConfigured(nil)
        }
        if explicit != nil, POSIX.fileInfo(path) == nil {
            throw UpgradeError.input("kubeconfig \(path) does not exist")
        }
        if let context {
            let names = try Kubeconfig.contexts(path: path).names
            if !names.contains(context) {
                throw UpgradeError.input("--context \(context): kubeconfig \(path) has no such context (it has: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
        }
        do {
            let access = try Kubeconfig.load(path: path, context: context)
            return .connected(try KubeClient(access: access))
        } catch let error as UpgradeError {
            return .notConfigured(error.message)
        }
    }
}
