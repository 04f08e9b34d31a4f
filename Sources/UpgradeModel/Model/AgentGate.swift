import Foundation

/// Whether agent plans may proceed (docs/rke2-rules.md#rke2-upgrade-image-prepare-gate): the server plan is not applying AND the
/// distinct control-plane kubelet versions (with `+` as `-`) equal the `k8s` form of the target.
public struct AgentGate: Sendable, Equatable {
    public let open: Bool
    public let reason: String
    public let agentPlan: String
    public let serverPlan: String
    /// The k8s form of the agent plan's target, as the prepare step compares it.
    public let target: String?
    /// `sort -u` of the kubelet versions of the nodes the prepare step selects, `+` replaced by `-`.
    public let controlPlaneVersions: [String]
    /// The label the prepare step selects control-plane nodes by: `node-role.kubernetes.io/master` in
    /// rke2-upgrade images built before the v1.34 label change, `node-role.kubernetes.io/control-plane` after.
    public var selectorLabel: String = "node-role.kubernetes.io/control-plane"
    /// The prepare image (with the tag SUC gives it) that decides `selectorLabel`.
    public var prepareImage: String? = nil
    /// Set whenever the gate depends on the master label and some control-plane node lacks it.
    public var masterLabelWarning: String? = nil
}
