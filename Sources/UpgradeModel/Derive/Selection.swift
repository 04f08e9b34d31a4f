/// Label selectors and SUC's node eligibility (docs/rke2-rules.md#suc-node-selection), as pure functions.
public enum Selection {
    public static let hostnameLabel = "kubernetes.io/hostname"
    public static let rolePrefix = "node-role.kubernetes.io/"

    public static func planLabel(_ plan: String) -> String { "plan.upgrade.cattle.io/\(plan)" }

    /// metav1.LabelSelector semantics: matchLabels AND every matchExpression (In, NotIn, Exists,
    /// DoesNotExist). An empty selector matches everything; an unknown operator matches nothing.
    public static func matches(_ selector: KLabelSelector?, labels: StringMap) -> Bool {
        guard let selector else { return true }
        for (key, value) in selector.matchLabels ?? [:] where labels[key] != value {
            return false
        }
        for requirement in selector.matchExpressions ?? [] {
            let value = labels[requirement.key]
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In": if value == nil || !values.contains(value!) { return false }
            case "NotIn": if let value, values.contains(value) { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }

    /// What a Plan's `nodeSelector` means to SUC. `NodeSelector()` in system-upgrade-controller
    /// `pkg/upgrade/plan/plan.go` runs `metav1.LabelSelectorAsSelector`: a nil selector becomes
    /// `labels.Nothing()` (adding the hostname requirement keeps it nothing), an empty one selects every
    /// node, and a requirement `NewRequirement` rejects (In/NotIn without values, Exists/DoesNotExist
    /// with values, an unknown operator) is an error the controller reports as `SelectNodesFailed`.
    public enum PlanSelector: Sendable, Equatable {
        case nothing
        case invalid(String)
        case selector(KLabelSelector)
    }

    public static func planSelector(_ plan: KPlan) -> PlanSelector {
        guard let selector = plan.spec?.nodeSelector else { return .nothing }
        for requirement in selector.matchExpressions ?? [] {
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    return .invalid("\(requirement.key) \(requirement.operator) has no values (for 'in', 'notin' operators, values set can't be empty)")
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    return .invalid("\(requirement.key) \(requirement.operator) has values (values set must be empty for exists and does not exist)")
                }
            default:
                return .invalid("\"\(requirement.operator)\" is not a valid label selector operator (\(requirement.key))")
            }
        }
        return .selector(selector)
    }

    /// Whether a plan selects a node at all: its nodeSelector as SUC reads it (see `planSelector`), and
    /// SUC's own rule that the node carries `kubernetes.io/hostname`.
    public static func selects(_ plan: KPlan, _ node: KNode) -> Bool {
        guard case let .selector(selector) = planSelector(plan) else { return false }
        let labels = node.metadata.labels ?? [:]
        return labels[hostnameLabel] != nil && matches(selector, labels: labels)
    }

    /// Whether SUC would still schedule an upgrade Job: selected AND the plan label is neither
    /// `disabled` nor the plan's latestHash.
    public static func eligible(_ plan: KPlan, _ node: KNode) -> Bool {
        guard selects(plan, node) else { return false }
        let value = node.metadata.label(planLabel(plan.metadata.name))
        return value != "disabled" && (value == nil || value != plan.status?.latestHash)
    }

    /// Roles from `node-role.kubernetes.io/<role>` labels (any value; RKE2 sets "true"), sorted.
    /// RKE2 ≥ v1.34.1 no longer sets `master`; an etcd-only server has only `etcd`.
    public static func roles(_ labels: StringMap) -> [String] {
        labels.entries.lazy.map(\.key).filter { $0.hasPrefix(rolePrefix) }.map { String($0.dropFirst(rolePrefix.count)) }
            .filter { !$0.isEmpty }.sorted()
    }
}
