/// One Plan, prepared once per derivation for the questions asked of every node: does it select the
/// node, and in which state is the node for it. Nothing here is computed per node that can be computed
/// per plan (the selector, the plan label's key, the failed Jobs' nodes).
struct PlanContext {
    let plan: KPlan
    let name: String
    /// The plan's current Jobs (`ClusterDerivation.planJobs`).
    let jobs: [JobStatus]
    let selector: Selection.PlanSelector
    /// Why a node's upgrade does not progress, by node: its first Job of this plan that runs, waits or failed.
    let upgradeDetails: [String: String]
    private let labelKey: String
    private let latestHash: String?
    private let failedNodes: Set<String>
    /// `Complete` is `JobFailed`: its message names the node ("… on Node <name>: …").
    private let jobFailedMessage: String?
    private let applying: Set<String>
    private let neverSchedules: Bool

    init(_ plan: KPlan, jobs: [JobStatus]) {
        self.plan = plan
        name = plan.metadata.name
        self.jobs = jobs
        selector = Selection.planSelector(plan)
        labelKey = Selection.planLabel(plan.metadata.name)
        latestHash = plan.status?.latestHash
        failedNodes = Set(jobs.filter { $0.state == .failed }.compactMap(\.node))
        let complete = plan.status?.conditions?.condition("Complete")
        jobFailedMessage = complete?.reason == "JobFailed" ? complete?.message : nil
        applying = Set(plan.status?.applying ?? [])
        // `SelectConcurrentNodes` adds a node only while `len(selected) < plan.Spec.Concurrency`.
        if let concurrency = plan.spec?.effectiveConcurrency, concurrency <= 0 { neverSchedules = true } else { neverSchedules = false }
        var details: [String: String] = [:]
        for job in jobs where job.state == .running || job.state == .pending || job.state == .failed {
            if let node = job.node, let detail = job.detail, details[node] == nil { details[node] = detail }
        }
        upgradeDetails = details
    }

    /// Whether SUC would select the node: the nodeSelector as SUC reads it, and the hostname label.
    func selects(_ node: KNode) -> Bool {
        guard case let .selector(selector) = selector, let labels = node.metadata.labels else { return false }
        return labels[Selection.hostnameLabel] != nil && Selection.matches(selector, labels: labels)
    }

    /// The node's state for this plan (docs/states.md#node-plan-states). `failed` is checked before
    /// `applying`: a failed Job leaves its node in `applying` (rancher/rke2#2737), and "failed" is what
    /// the operator must act on.
    func state(of node: KNode) -> NodePlanState {
        let label = node.metadata.labels?[labelKey]
        if let latestHash, label == latestHash { return .done }
        if label == "disabled" { return .optedOut }
        let name = node.metadata.name
        if failedNodes.contains(name) { return .failed }
        if let message = jobFailedMessage, message.contains("on Node \(name):") || message.hasSuffix("on Node \(name)") {
            return .failed
        }
        if let hostname = node.metadata.labels?[Selection.hostnameLabel], applying.contains(hostname) { return .applying }
        if neverSchedules { return .notScheduled }
        return .pending
    }
}
