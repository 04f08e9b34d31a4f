import Foundation

/// Opens the cluster connection the options describe, or says why there is none.
public enum ClusterConnection {
    public enum Outcome: Sendable {
        case connected(KubeClient)
        /// No kubeconfig anywhere: the dashboard works on local facts alone.
        case notConfigured(String?)
    }

    /// An explicitly given kubeconfig that does not exist is bad input (exit 2); any other problem leaves
    /// the cluster `not-configured` with the reason, so that the local part still works.
    public static func open(explicit: String?, environment: [String: String]) throws -> Outcome {
        guard let path = Kubeconfig.resolve(explicit: explicit, environment: environment) else {
            return .notConfigured(nil)
        }
        if explicit != nil, POSIX.fileInfo(path) == nil {
            throw UpgradeError.input("kubeconfig \(path) does not exist")
        }
        do {
            let access = try Kubeconfig.load(path: path)
            return .connected(try KubeClient(access: access))
        } catch let error as UpgradeError {
            return .notConfigured(error.message)
        }
    }
}
