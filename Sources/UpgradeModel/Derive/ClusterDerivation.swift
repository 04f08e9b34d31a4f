import Foundation

/// Turns the watched objects into what the dashboard shows: node and plan states, the agent gate and
/// stuck hints. Pure: the same cache always gives the same status.
public enum ClusterDerivation {
    /// `memo` (the store's, kept from one derivation to the next) only saves work: the result is the same
    /// with or without it.
    public static func derive(_ cache: ClusterCache, namespace: String, server: String? = nil, memo: DerivationMemo? = nil) -> ClusterStatus {
        // The memo takes the nodes changed since the last derivation (the caller then clears them in its
        // cache), whether or not this derivation gets to the nodes.
        memo?.pending.formUnion(cache.nodeChanges)
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

        // A fresh memo derives everything; the store's keeps what the last derivation found per node, so
        // that a watch event re-derives the node it changed, not all of them.
        let memo = memo ?? DerivationMemo()
        let plans = cache.plans.values.sorted { $0.metadata.name < $1.metadata.name }
        let inputs = DerivationMemo.PlanInputs(plans: cache.plans, jobs: cache.jobs, pods: cache.pods)
        let plansChanged = memo.planInputs != inputs
        if plansChanged {
            let jobs = cache.jobs.values.sorted { $0.metadata.name < $1.metadata.name }
            let pods = Array(cache.pods.values)
            memo.contexts = plans.map { PlanContext($0, jobs: planJobs($0, jobs: jobs, pods: pods)) }
            memo.planInputs = inputs
        }
        let contexts = memo.contexts
        let trustVersions = memo.nodeRelists == cache.nodeRelists
        memo.nodeRelists = cache.nodeRelists
        memo.refresh(cache.nodes, plansChanged: plansChanged, trustVersions: trustVersions) { node, base in
            withPlans(base, node: node, contexts: contexts)
        }
        // From here on, what the memo keeps added up: nothing below looks at every node.
        status.planCRDInstalled = cache.health(.plans) == .missing ? false : (cache.health(.plans) == .ok ? true : nil)
        status.upgradeController = controllerState(cache)
        status.plans = contexts.indices.map { planStatus(contexts[$0], counts: memo.counts($0), selected: memo.selected($0)) }
        status.nodes = memo.nodes
        // The gate looks at control-plane nodes only (the control-plane or the master label).
        status.agentGate = agentGate(plans: plans, nodes: memo.controlPlaneNodes)
        status.hints = hints(status, notable: memo.notableNodes)
        status.ownership = OwnershipDerivation.derive(cache, namespace: namespace, machines: memo.machineNames())
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

    /// What a node's status says from the node alone (no plan states): derived again only when the node changed.
    static func nodeBase(_ node: KNode) -> NodeStatus {
        let labels = node.metadata.labels ?? [:]
        let ready = node.status?.conditions?.condition("Ready")
        let kubelet = node.status?.nodeInfo?.kubeletVersion
        var status = NodeStatus(
            name: node.metadata.name, hostname: labels[Selection.hostnameLabel], roles: Selection.roles(labels),
            kubeletVersion: kubelet, version: kubelet.flatMap(RKE2Version.init),
            ready: ready.map(\.isTrue), readyMessage: ready.flatMap { $0.isTrue ? nil : ($0.message ?? $0.reason) },
            schedulable: !(node.spec?.unschedulable ?? false),
            plans: [],
            labels: labels, annotations: node.metadata.annotations ?? [:],
            conditions: node.status?.conditions ?? [],
            internalIP: node.status?.addresses?.first { $0.type == "InternalIP" }?.address)
        status.taints = node.spec?.taints ?? []
        return status
    }

    /// The node's state for each plan that selects it, and the Job upgrading it now (not a finished one)
    /// with why it does not progress.
    static func withPlans(_ base: NodeStatus, node: KNode, contexts: [PlanContext]) -> (NodeStatus, [NodePlanState?]) {
        var status = base
        var states: [NodePlanState?] = []
        states.reserveCapacity(contexts.count)
        for context in contexts {
            let state = context.selects(node) ? context.state(of: node) : nil
            states.append(state)
            if let state { status.plans.append((plan: context.name, state: state)) }
        }
        status.upgradeDetail = contexts.lazy.compactMap { $0.upgradeDetails[node.metadata.name] }.first
        return (status, states)
    }

    // MARK: plans

    /// The Jobs of a plan's current run: SUC replaces Jobs of an older hash, they do not describe it.
    static func planJobs(_ plan: KPlan, jobs: [KJob], pods: [KPod]) -> [JobStatus] {
        let name = plan.metadata.name
        let hash = plan.status?.latestHash
        let label = Selection.planLabel(name)
        return jobs.filter { job in
            guard job.metadata.label("upgrade.cattle.io/plan") == name else { return false }
            if let hash, let jobHash = job.metadata.label(label), jobHash != hash { return false }
            return true
        }.map { jobStatus($0, pods: pods, waitsFor: waitsFor(plan)) }
    }

    /// `counts` and `selected` (in name order) are what the nodes' states for the plan add up to.
    static func planStatus(_ context: PlanContext, counts: PlanCounts, selected: [String]) -> PlanStatus {
        let plan = context.plan
        let complete = plan.status?.conditions?.condition("Complete")
        var status = PlanStatus(
            name: context.name, namespace: plan.metadata.namespace ?? "", version: plan.spec?.version, channel: plan.spec?.channel,
            latestVersion: plan.status?.latestVersion, latestHash: plan.status?.latestHash,
            complete: complete.map(\.isTrue), reason: complete?.reason, message: complete?.message.flatMap { $0.isEmpty ? nil : $0 },
            applying: plan.status?.applying ?? [], counts: counts, selectedNodes: selected,
            jobs: context.jobs, concurrency: plan.spec?.concurrency, cordon: plan.spec?.cordon ?? false,
            drain: plan.spec?.drain.map { !$0.isNull } ?? false, image: plan.spec?.upgrade?.image,
            waitsFor: waitsFor(plan), nodeSelector: plan.spec?.nodeSelector, conditions: plan.status?.conditions ?? [])
        switch context.selector {
        case .nothing: status.problem = .noSelector
        case let .invalid(reason): status.problem = .invalidSelector(reason)
        case .selector:
            if let concurrency = plan.spec?.effectiveConcurrency, concurrency <= 0 { status.problem = .noConcurrency }
        }
        return status
    }

    /// The server plan an rke2-upgrade prepare step waits for (`prepare: {args: [prepare, <plan>]}`).
    static func waitsFor(_ plan: KPlan) -> String? {
        let args = plan.spec?.prepare?.args ?? []
        return args.first == "prepare" && args.count > 1 ? args[1] : nil
    }

    static func jobStatus(_ job: KJob, pods: [KPod] = [], waitsFor: String? = nil) -> JobStatus {
        let conditions = job.status?.conditions ?? []
        let failed = conditions.condition("Failed")
        // `FailureTarget` (Kubernetes ≥ 1.31) is set as soon as the Job is doomed (DeadlineExceeded,
        // BackoffLimitExceeded); `Failed` follows once its pods are gone.
        let failureTarget = conditions.condition("FailureTarget")
        let failing = failed?.isTrue == true ? failed : (failureTarget?.isTrue == true ? failureTarget : nil)
        let state: JobStatus.State
        if failing != nil { state = .failed }
        else if conditions.condition("Complete")?.isTrue == true { state = .complete }
        else if (job.status?.active ?? 0) > 0 { state = .running }
        else { state = .pending }
        let message = failing.map { [$0.reason, $0.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ") }
        var status = JobStatus(name: job.metadata.name, plan: job.metadata.label("upgrade.cattle.io/plan") ?? "",
                               node: job.metadata.label("upgrade.cattle.io/node"), state: state, message: message,
                               startTime: job.status?.startTime)
        guard state != .complete else { return status }
        // Conditions other than Failed/Complete say why a Job waits (Suspended) or is about to fail.
        let other = conditions.filter { $0.isTrue && !["Failed", "Complete", "FailureTarget", "SuccessCriteriaMet"].contains($0.type) }
            .map { [$0.type, $0.reason, $0.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ") }
        let pod = pods.filter { pod in
            if let name = pod.metadata.label("batch.kubernetes.io/job-name") ?? pod.metadata.label("job-name") { return name == job.metadata.name }
            return pod.metadata.label("upgrade.cattle.io/plan") == status.plan && pod.metadata.label("upgrade.cattle.io/node") == status.node
        }.max { ($0.metadata.creationTimestamp ?? "", $0.metadata.name) < ($1.metadata.creationTimestamp ?? "", $1.metadata.name) }
        let parts = other + [pod.flatMap { podDetail($0, waitsFor: waitsFor) }].compactMap { $0 }
        status.detail = parts.isEmpty ? nil : parts.joined(separator: "; ")
        return status
    }

    /// What `kubectl get pod` and `describe` would show first about a pod that does not progress: its
    /// phase, then the first init container that has not finished (SUC's containers run in order:
    /// prepare, drain/cordon, then upgrade; docs/rke2-rules.md#suc-jobs-and-their-pods), else the first container waiting or failed.
    static func podDetail(_ pod: KPod, waitsFor: String?) -> String? {
        let phase = pod.status?.phase ?? "Pending"
        func describe(_ detail: KPod.ContainerState.Detail?, _ fallback: String) -> String {
            [detail?.reason ?? fallback, detail?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        }
        if phase == "Succeeded" { return nil }
        if phase == "Failed" {
            let terminated = (pod.status?.containerStatuses ?? []).first { ($0.state?.terminated?.exitCode ?? 0) != 0 }
            let reason = [pod.status?.reason, pod.status?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            if !reason.isEmpty { return "Failed: \(reason)" }
            if let terminated { return "Failed: \(terminated.name) \(describe(terminated.state?.terminated, "Error")) (exit \(terminated.state?.terminated?.exitCode ?? 0))" }
            return "Failed"
        }
        for container in pod.status?.initContainerStatuses ?? [] {
            if let terminated = container.state?.terminated, (terminated.exitCode ?? 0) == 0 { continue }
            if let waiting = container.state?.waiting {
                return "\(phase): Init:\(container.name): \(describe(waiting, "waiting"))"
            }
            if let terminated = container.state?.terminated {
                return "\(phase): Init:\(container.name) \(describe(terminated, "Error")) (exit \(terminated.exitCode ?? 0))"
            }
            if container.state?.running != nil {
                // rke2-upgrade's `prepare <server-plan>` loops until the server plan is done (docs/rke2-rules.md#rke2-upgrade-image-prepare-gate).
                if container.name == "prepare", let waitsFor { return "Init: waiting for \(waitsFor)" }
                return "Init: \(container.name) running"
            }
        }
        for container in pod.status?.containerStatuses ?? [] {
            if let waiting = container.state?.waiting {
                let restarts = (container.restartCount ?? 0) > 0 ? " (restarted \(container.restartCount ?? 0)×)" : ""
                return "\(phase): \(describe(waiting, "waiting"))\(restarts)"
            }
            if let terminated = container.state?.terminated, (terminated.exitCode ?? 0) != 0 {
                return "\(phase): \(container.name) \(describe(terminated, "Error")) (exit \(terminated.exitCode ?? 0))"
            }
        }
        if phase == "Pending" {
            if let unscheduled = pod.status?.conditions?.condition("PodScheduled"), !unscheduled.isTrue {
                return "Pending: " + [unscheduled.reason, unscheduled.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            }
            let reason = [pod.status?.reason, pod.status?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return reason.isEmpty ? nil : "Pending: \(reason)"
        }
        return nil
    }

    // MARK: agent gate

    static func agentGate(plans: [KPlan], nodes: [NodeStatus]) -> AgentGate? {
        guard let agentPlan = plans.first(where: { ($0.spec?.prepare?.args ?? []).first == "prepare" }),
              let args = agentPlan.spec?.prepare?.args else { return nil }
        let serverName = args.count > 1 ? args[1] : ""
        // The prepare step reads SYSTEM_UPGRADE_PLAN_LATEST_VERSION (= status.latestVersion, `+` already
        // `-`) through `semver-parse.sh <v> k8s`.
        let latest = agentPlan.status?.latestVersion
        let targetForm = latest.map(RKE2UpgradeImage.semverK8s)
        let image = RKE2UpgradeImage(prepareImage: agentPlan.spec?.prepare?.image, latestVersion: latest)
        let label = image.controlPlaneSelector
        let role = String(label.dropFirst(Selection.rolePrefix.count))
        let versions = Array(Set(nodes.filter { $0.roles.contains(role) }.compactMap(\.kubeletVersion)
            .map { $0.replacingOccurrences(of: "+", with: "-") })).sorted()
        var warning: String?
        if role == "master" {
            let withoutMaster = nodes.filter { $0.roles.contains("control-plane") && !$0.roles.contains("master") }
            if !withoutMaster.isEmpty {
                warning = "the prepare step of \(image.reference) selects control-plane nodes by node-role.kubernetes.io/master (rke2-upgrade before the v1.34 label change), which \(withoutMaster.map(\.name).joined(separator: ", ")) lack\(withoutMaster.count == 1 ? "s" : "") (RKE2 ≥ v1.34.1 no longer sets it): \(versions.isEmpty ? "it waits forever" : "it does not wait for them")"
            }
        }
        func gate(_ open: Bool, _ reason: String) -> AgentGate {
            var gate = AgentGate(open: open, reason: reason, agentPlan: agentPlan.metadata.name, serverPlan: serverName,
                                 target: targetForm, controlPlaneVersions: versions)
            gate.selectorLabel = label
            gate.prepareImage = image.reference
            gate.masterLabelWarning = warning
            return gate
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
        guard let latest, let targetForm else {
            return gate(false, "\(agentPlan.metadata.name) has no resolved version yet")
        }
        if targetForm == RKE2UpgradeImage.unparsed {
            return gate(false, "\(agentPlan.metadata.name)'s latestVersion \"\(latest)\" is not v<major>.<minor>.<patch>[-rcN]-rke2rN: semver-parse.sh prints \"v..\" and the prepare step waits forever")
        }
        if versions.isEmpty {
            return gate(false, "no node carries \(label); the prepare step waits forever")
        }
        if versions.count > 1 {
            return gate(false, "nodes with \(label) run \(versions.joined(separator: ", ")); the prepare step needs them all at \(targetForm)")
        }
        if versions[0] != targetForm {
            return gate(false, "\(role) nodes run \(versions[0]), \(agentPlan.metadata.name) waits for \(targetForm)")
        }
        return gate(true, "\(serverName) is not applying and nodes with \(label) run \(targetForm)")
    }

    // MARK: hints

    /// `notable` are the nodes that may give a hint (`DerivationMemo.isNotable`), in name order: most
    /// nodes give none, and the few that do are listed by kind.
    static func hints(_ status: ClusterStatus, notable nodes: [NodeStatus]) -> [Hint] {
        var hints: [Hint] = []
        let applyingHostnames = Set(status.plans.flatMap(\.applying))
        var attention: [Int] = [], detailed: [Int] = [], etcdOnly: [Int] = []
        for index in nodes.indices {
            if !nodes[index].schedulable || nodes[index].ready == false { attention.append(index) }
            if nodes[index].upgradeDetail != nil { detailed.append(index) }
            let roles = nodes[index].roles
            if roles.count == 1, roles[0] == "etcd" { etcdOnly.append(index) }
        }
        for index in attention {
            let node = nodes[index]
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
            if let problem = plan.problem {
                hints.append(Hint(problem.code == "select-nodes-failed" ? .error : .warning, plan.name, problem.message))
            } else if plan.selectedNodes.isEmpty {
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
        // Whenever the gate depends on the master label, not only while it is closed: an open gate that
        // ignores control-plane nodes without the label opened too early.
        if let gate = status.agentGate, let warning = gate.masterLabelWarning {
            hints.append(Hint(.warning, gate.agentPlan, warning))
        }
        for index in detailed {
            let node = nodes[index]
            if let detail = node.upgradeDetail {
                hints.append(Hint(detail.contains("BackOff") || detail.contains("ErrImage") || detail.hasPrefix("Failed") || detail.contains("DeadlineExceeded") ? .error : .warning,
                                  node.name, "upgrade Job: \(detail)"))
            }
        }
        for index in etcdOnly {
            let node = nodes[index]
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
