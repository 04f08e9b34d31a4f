import Foundation

/// Signs that something other than the Plans in our namespace already upgrades this cluster
/// (RKE2-FACTS §7.6): Rancher's own Plans (an imported cluster's live in `cattle-system`), a Rancher
/// agent, or Cluster API machines (a Rancher-provisioned cluster, upgraded by Rancher, not by SUC).
/// Two plan sets for the same nodes fight; each signal names the objects that show it.
public struct UpgradeOwnership: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// rke2 upgrade Plans in another namespace than the one upgrade-tui manages.
        case foreignPlans = "foreign-plans"
        /// A `cattle-cluster-agent` Deployment: the cluster is imported into or provisioned by Rancher.
        case rancherAgent = "rancher-agent"
        /// Nodes with Cluster API machine annotations: provisioned (and upgraded) by Rancher.
        case clusterAPI = "cluster-api"
    }

    public struct Signal: Sendable, Equatable {
        public let kind: Kind
        /// The objects that show it: `cattle-system/rke2-master-plan`, `node/server-1`.
        public let objects: [String]
        public let message: String

        public init(kind: Kind, objects: [String], message: String) {
            self.kind = kind
            self.objects = objects
            self.message = message
        }
    }

    public var signals: [Signal]
    /// What could not be looked at (a 403 on Plans across namespaces), so that "none" is not claimed.
    public var notChecked: [String]

    public init(signals: [Signal] = [], notChecked: [String] = []) {
        self.signals = signals
        self.notChecked = notChecked
    }

    /// Someone else appears to own upgrades.
    public var managedElsewhere: Bool { !signals.isEmpty }

    /// One line per signal, for the header, `status` and the preflight.
    public var warnings: [String] { signals.map(\.message) }

    /// The preflight check: a warning when someone else owns upgrades, never a failure (upgrade-tui
    /// cannot tell whether Rancher's version management is disabled).
    public var check: PreflightCheck {
        if managedElsewhere {
            return PreflightCheck("upgrade owner", .warn, warnings.joined(separator: "; "))
        }
        if !notChecked.isEmpty {
            return PreflightCheck("upgrade owner", .warn, "not fully checked: " + notChecked.joined(separator: "; "))
        }
        return PreflightCheck("upgrade owner", .pass, "no rke2 Plans in other namespaces, no Rancher agent, no Cluster API machines")
    }
}
