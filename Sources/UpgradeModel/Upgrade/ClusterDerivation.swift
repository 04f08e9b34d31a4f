import Foundation

/// Turns the watched objects into what the dashboard shows: node and plan states, the agent gate and
/// stuck hints. Pure: the same cache always gives the same status.
public enum ClusterDerivation {
    public static func derive(_ cache: ClusterCache, namespace: String, server: String? = nil) -> ClusterStatus {
        var status = ClusterStatus(api: .ok, server: server)
        switch cache.health(.nodes) {
        case .ok: break
        case .pending:
            status.api = .unreachable
            status.connecting = true
            status.error = "connecting"
        case let .unauthorized(message):
            status.api = .unauthorized
            status.error = message
        case let .unreachable(message, retryAt):
            status.api = .unreachable
            status.error = message
            status.retryAt = retryAt
        case .missing:
            status.api = .unreachable
            status.error = "the API server has no nodes resource"
        }
        // While the API is away (this node's own API server restarting), the last known objects stay on
        // screen, marked stale by `api`; with nothing known yet there is nothing to derive.
        guard status.api == .ok || !cache.nodes.isEmpty else { return status }

        let nodes = cache.nodes.values.sorted { $0.metadata.name < $1.metadata.name }
        let plans = cache.plans.values.sorted { $0.metadata.name < $1.metadata.name }
        let jobs = cache.jobs.values.sorted { $0.metadata.name < $1.metadata.name }
        status.planCRDInstalled = cache.health(.plans) == .missing ? false : (cache.health(.plans) == .ok ? true : nil)
        status.upgradeController = controllerState(cache)
        status.plans = plans.map { planStatus($0, nodes: nodes, jobs: jobs) }
        status.nodes = nodes.map { nodeStatus($0, plans: plans, planStatuses: status.plans) }
        status.agentGate = agentGate(plans: plans, nodes: status.nodes)
        status.hints = hints(status, plans: plans, nodes: nodes)
        return status
    }

    // MARK: controller

    static func controllerState(_ cache: ClusterCache) -> ControllerState {
        if cache.health(.plans) == .missing { return .missing }
        guard cache.health(.deployments) == .ok else { return .unknown }
        let deployment = cache.deployments.values.first { $0.metadata.name == "system-upgrade-controller" }
            ?? cache.deployments.values.first { $0.metadata.name.contains("system-upgrade-controller") }
        guard let deployment else { return .missing }
        return (deployment.status?.availableReplicas ?? deployment.status?.readyReplicas ?? 0) > 0 ? .ready : .notReady
    }

    // MARK: nodes

    static let relevantLabelPrefixes = ["node-role.kubernetes.io/", "plan.upgrade.cattle.io/", "kubernetes.io/hostname",
                                        "rke2-upgrade", "upgrade.cattle.io/", "node.kubernetes.io/instance-type", "kubernetes.io/os"]
    static let relevantAnnotationPrefixes = ["rke2.io/", "etcd.rke2.cattle.io/", "upgrade.cattle.io/"]

    static func nodeStatus(_ node: KNode, plans: [KPlan], planStatuses: [PlanStatus]) -> NodeStatus {
        let labels = node.metadata.labels ?? [:]
        let ready = node.status?.conditions?.condition("Ready")
        var states: [(String, NodePlanState)] = []
        for (plan, summary) in zip(plans, planStatuses) where Selection.selects(plan, node) {
            states.append((plan.metadata.name, nodeState(node, plan: plan, jobs: summary.jobs)))
        }
        let kubelet = node.status?.nodeInfo?.kubeletVersion
        var status = NodeStatus(
            name: node.metadata.name, hostname: labels[Selection.hostnameLabel], roles: Selection.roles(labels),
            kubeletVersion: kubelet, version: kubelet.flatMap(RKE2Version.init),
            ready: ready.map(\.isTrue), readyMessage: ready.flatMap { $0.isTrue ? nil : ($0.message ?? $0.reason) },
            schedulable: !(node.spec?.unschedulable ?? false),
            plans: states.map { (plan: $0.0, state: $0.1) },
            labels: labels.filter { key, _ in relevantLabelPrefixes.contains { key.hasPrefix($0) } }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            annotations: (node.metadata.annotations ?? [:]).filter { key, _ in relevantAnnotationPrefixes.contains { key.hasPrefix($0) } }
                .sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            conditions: node.status?.conditions ?? [],
            internalIP: node.status?.addresses?.first { $0.type == "InternalIP" }?.address)
        status.taints = node.spec?.taints ?? []
        return status
    }

    /// DESIGN.md's per-plan node state. `failed` is checked before `applying`: a failed Job leaves its
    /// node in `applying` (rancher/rke2#2737), and "failed" is what the operator must act on.
    public static func nodeState(_ node: KNode, plan: KPlan, jobs: [JobStatus]) -> NodePlanState {
        let label = node.metadata.label(Selection.planLabel(plan.metadata.name))
        if let hash = plan.status?.latestHash, label == hash { return .done }
        if label == "disabled" { return .optedOut }
        if jobs.contains(where: { $0.node == node.metadata.name && $0.state == .failed }) { return .failed }
        if let complete = plan.status?.conditions?.condition("Complete"), complete.reason == "JobFailed",
           let message = complete.message, message.contains("on Node \(node.metadata.name):") || message.hasSuffix("on Node \(node.metadata.name)") {
            return .failed
        }
        let hostname = node.metadata.label(Selection.hostnameLabel)
        if let hostname, plan.status?.applying?.contains(hostname) == true { return .applying }
        return .pending
    }

    // MARK: plans

    static func planStatus(_ plan: KPlan, nodes: [KNode], jobs: [KJob]) -> PlanStatus {
        let name = plan.metadata.name
        let hash = plan.status?.latestHash
        let planJobs = jobs.filter { job in
            guard job.metadata.label("upgrade.cattle.io/plan") == name else { return false }
            // Jobs for an older hash are being replaced by SUC; they do not describe the current run.
            if let hash, let jobHash = job.metadata.label(Selection.planLabel(name)), jobHash != hash { return false }
            return true
        }.map(jobStatus)
        let selected = nodes.filter { Selection.selects(plan, $0) }
        var counts = PlanCounts()
        for node in selected {
            switch nodeState(node, plan: plan, jobs: planJobs) {
            case .done: counts.done += 1
            case .optedOut: counts.optedOut += 1
            case .applying: counts.applying += 1
            case .failed: counts.failed += 1
            case .pending: counts.pending += 1
            }
        }
        let complete = plan.status?.conditions?.condition("Complete")
        let prepareArgs = plan.spec?.prepare?.args ?? []
        return PlanStatus(
            name: name, namespace: plan.metadata.namespace ?? "", version: plan.spec?.version, channel: plan.spec?.channel,
            latestVersion: plan.status?.latestVersion, latestHash: hash,
            complete: complete.map(\.isTrue), reason: complete?.reason, message: complete?.message.flatMap { $0.isEmpty ? nil : $0 },
            applying: plan.status?.applying ?? [], counts: counts, selectedNodes: selected.map(\.metadata.name),
            jobs: planJobs, concurrency: plan.spec?.concurrency, cordon: plan.spec?.cordon ?? false,
            drain: plan.spec?.drain.map { !$0.isNull } ?? false, image: plan.spec?.upgrade?.image,
            waitsFor: prepareArgs.first == "prepare" && prepareArgs.count > 1 ? prepareArgs[1] : nil,
            nodeSelector: plan.spec?.nodeSelector, conditions: plan.status?.conditions ?? [])
    }

    static func jobStatus(_ job: KJob) -> JobStatus {
        let conditions = job.status?.conditions ?? []
        let failed = conditions.condition("Failed")
        let state: JobStatus.State
        if failed?.isTrue == true { state = .failed }
        else if conditions.condition("Complete")?.isTrue == true { state = .complete }
        else if (job.status?.active ?? 0) > 0 { state = .running }
        else { state = .pending }
        let message = failed?.isTrue == true
            ? [failed?.reason, failed?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            : nil
        return JobStatus(name: job.metadata.name, plan: job.metadata.label("upgrade.cattle.io/plan") ?? "",
                         node: job.metadata.label("upgrade.cattle.io/node"), state: state, message: message,
                         startTime: job.status?.startTime)
    }

    // MARK: agent gate

    static func agentGate(plans: [KPlan], nodes: [NodeStatus]) -> AgentGate? {
        guard let agentPlan = plans.first(where: { ($0.spec?.prepare?.args ?? []).first == "prepare" }),
              let args = agentPlan.spec?.prepare?.args else { return nil }
        let serverName = args.count > 1 ? args[1] : ""
        let target = (agentPlan.status?.latestVersion ?? agentPlan.spec?.version).flatMap(RKE2Version.init)
        // SUC munges `+` to `-` in SYSTEM_UPGRADE_PLAN_LATEST_VERSION; semver-parse keeps that separator.
        let targetForm = target.map { RKE2Version(major: $0.major, minor: $0.minor, patch: $0.patch, revision: $0.revision, separator: "-").k8sForm }
        let versions = Array(Set(nodes.filter { $0.roles.contains("control-plane") }.compactMap(\.kubeletVersion)
            .map { $0.replacingOccurrences(of: "+", with: "-") })).sorted()
        func gate(_ open: Bool, _ reason: String) -> AgentGate {
            AgentGate(open: open, reason: reason, agentPlan: agentPlan.metadata.name, serverPlan: serverName,
                      target: targetForm, controlPlaneVersions: versions)
        }
        if serverName.isEmpty {
            return gate(false, "\(agentPlan.metadata.name)'s prepare step names no server plan")
        }
        guard let serverPlan = plans.first(where: { $0.metadata.name == serverName }) else {
            return gate(false, "server plan \(serverName) does not exist; the prepare step waits for it")
        }
        if let applying = serverPlan.status?.applying, !applying.isEmpty {
            return gate(false, "\(serverName) still applying on \(applying.joined(separator: ", "))")
        }
        guard let targetForm else {
            return gate(false, "\(agentPlan.metadata.name) has no resolved version yet")
        }
        if versions.isEmpty {
            return gate(false, "no node carries node-role.kubernetes.io/control-plane; the prepare step waits forever")
        }
        if versions.count > 1 {
            return gate(false, "control-plane nodes run \(versions.joined(separator: ", ")); the prepare step needs them all at \(targetForm)")
        }
        if versions[0] != targetForm {
            return gate(false, "control-plane runs \(versions[0]), \(agentPlan.metadata.name) waits for \(targetForm)")
        }
        return gate(true, "\(serverName) is not applying and control-plane nodes run \(targetForm)")
    }

    // MARK: hints

    static func hints(_ status: ClusterStatus, plans: [KPlan], nodes: [KNode]) -> [Hint] {
        var hints: [Hint] = []
        let applyingHostnames = Set(status.plans.flatMap(\.applying))
        for node in status.nodes {
            if !node.schedulable, !applyingHostnames.contains(node.hostname ?? node.name) {
                hints.append(Hint(.warning, node.name, "cordoned but no plan is upgrading it: left cordoned by a failed or deleted plan? Uncordon it (kubectl uncordon \(node.name)) once it is healthy"))
            }
            if node.ready == false {
                hints.append(Hint(.error, node.name, "NotReady" + (node.readyMessage.map { ": \($0)" } ?? "")))
            }
        }
        for plan in status.plans {
            for job in plan.jobs where job.state == .failed {
                hints.append(Hint(.error, job.name, "failed on \(job.node ?? "?")\(job.message.map { ": \($0)" } ?? ""). SUC does not retry failed jobs: fix the cause, then change the Plan (or the node's plan label) to retry"))
            }
            if plan.selectedNodes.isEmpty {
                hints.append(Hint(.warning, plan.name, "selects no node: SUC reports it Complete, but nothing is upgraded. Check its nodeSelector"))
            }
            if plan.reason == "Waiting", let message = plan.message {
                hints.append(Hint(.warning, plan.name, message))
            }
            if plan.complete == false, let message = plan.message, plan.reason != "JobFailed", plan.reason != "Waiting",
               plan.reason != "SyncJob", plan.reason != "Resolved" {
                hints.append(Hint(.warning, plan.name, "\(plan.reason ?? "not complete"): \(message)"))
            }
        }
        if let gate = status.agentGate, !gate.open {
            let controlPlane = status.nodes.filter { $0.roles.contains("control-plane") }
            let withoutMaster = controlPlane.filter { !$0.roles.contains("master") }
            if !controlPlane.isEmpty, !withoutMaster.isEmpty {
                hints.append(Hint(.warning, gate.agentPlan, "\(withoutMaster.count) control-plane node(s) lack the master label (RKE2 ≥ v1.34.1): a prepare step from an rke2-upgrade image older than 2025-11 selects on it and waits forever"))
            }
        }
        for node in status.nodes where node.roles == ["etcd"] {
            let plans = node.plans.map(\.plan)
            if let plan = status.plans.first(where: { plans.contains($0.name) && $0.waitsFor != nil }) {
                hints.append(Hint(.warning, node.name, "etcd-only server selected by \(plan.name) (no control-plane label): it is upgraded as an agent, after the control plane"))
            }
        }
        if !status.plans.isEmpty, status.upgradeController == .missing || status.upgradeController == .notReady {
            hints.append(Hint(.error, "system-upgrade-controller", "plans exist but the controller is \(status.upgradeController.rawValue) in this namespace: nothing will run"))
        }
        return hints
    }
}
