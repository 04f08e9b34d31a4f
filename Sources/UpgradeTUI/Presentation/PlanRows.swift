import UpgradeModel

/// Plans & Jobs pane: each Plan with its Jobs beneath, then the agent gate and the stuck hints.
enum PlanRows {
    static func content(_ cluster: ClusterStatus, theme: Theme) -> TableContent {
        let columns = [
            Column(title: "NAME", minWidth: 12, maxWidth: 30, flexible: true, priority: 10),
            Column(title: "TARGET", minWidth: 14, maxWidth: 20, priority: 6),
            Column(title: "PROGRESS", minWidth: 5, maxWidth: 16, priority: 7),
            Column(title: "STATUS", minWidth: 8, maxWidth: 12, priority: 9),
            Column(title: "DETAIL", minWidth: 10, maxWidth: 200, flexible: true, priority: 8),
        ]
        var rows: [TableRow] = []
        if cluster.api == .ok, cluster.planCRDInstalled == false {
            rows.append(TableRow(id: "note:crd", cells: ["system-upgrade-controller not installed (no Plan CRD)", "", "", "", ""],
                                 roles: [.warn, .dim, .dim, .dim, .dim], selectable: false))
        }
        for plan in cluster.plans {
            let (done, total) = NodeRows.progress(plan)
            let status = plan.complete == true ? "Complete" : (plan.reason ?? "-")
            let role: Role = plan.problem != nil ? .warn : (plan.complete == true ? .ok : (plan.reason == "JobFailed" ? .error : .accent))
            var detail = plan.controllerLagText ?? ""
            if !plan.applying.isEmpty { detail += (detail.isEmpty ? "" : "; ") + "applying: \(plan.applying.joined(separator: ", "))" }
            if let message = plan.message { detail += (detail.isEmpty ? "" : "; ") + message }
            if let waits = plan.waitsFor, detail.isEmpty { detail = "after \(waits)" }
            if let problem = plan.problem { detail = problem.message }
            rows.append(TableRow(id: "plan:\(plan.name)",
                                 cells: [plan.name, plan.target ?? "-", "\(done)/\(total) \(theme.bar(done: done, total: total, width: 5))", status, detail],
                                 roles: [.title, plan.controllerLags ? .warn : .normal, done == total && total > 0 ? .ok : .normal, role,
                                         plan.controllerLags ? .warn : .dim]))
            for job in plan.jobs {
                let jobRole: Role = job.state == .failed ? .error : (job.state == .complete ? .ok : .accent)
                rows.append(TableRow(id: "job:\(job.name)", cells: ["job on \(job.node ?? "?")", "", "", job.state.rawValue, job.message ?? job.detail ?? job.name],
                                     roles: [.dim, .dim, .dim, jobRole, job.state == .failed ? .error : .dim], indent: 2))
            }
        }
        if let gate = cluster.agentGate {
            // One spelling on screen: the gate compares the k8s form (`-`), shown as rke2 prints it.
            let target = gate.target.map { RKE2Version($0)?.description ?? $0 } ?? "-"
            rows.append(TableRow(id: "gate", cells: ["agent gate", target, "", gate.open ? "open" : "closed", gate.reason],
                                 roles: [.title, .dim, .dim, gate.open ? .ok : .warn, .dim]))
        }
        for (index, hint) in cluster.hints.enumerated() {
            rows.append(TableRow(id: "hint:\(index):\(hint.subject)", cells: ["\(theme.warning) \(hint.subject)", "", "", hint.severity.rawValue, hint.message],
                                 roles: [hint.severity == .error ? .error : .warn, .dim, .dim, hint.severity == .error ? .error : .warn, .normal]))
        }
        let empty: String
        switch cluster.api {
        case .ok: empty = cluster.planCRDInstalled == false ? "" : "no Plans in this namespace"
        default: empty = NodeRows.clusterUnavailableText(cluster)
        }
        return TableContent(columns: columns, rows: rows, emptyText: empty)
    }

    /// Whether `content` gives the same table for both: it reads these fields only.
    static func sameInputs(_ lhs: ClusterStatus, _ rhs: ClusterStatus) -> Bool {
        lhs.api == rhs.api && lhs.connecting == rhs.connecting && lhs.error == rhs.error && lhs.planCRDInstalled == rhs.planCRDInstalled
            && lhs.plans == rhs.plans && lhs.agentGate == rhs.agentGate && lhs.hints == rhs.hints
    }

    static func details(id: String, cluster: ClusterStatus) -> [String] {
        if id.hasPrefix("plan:"), let plan = cluster.plan(named: String(id.dropFirst(5))) {
            var lines = ["Plan \(plan.namespace)/\(plan.name)", ""]
            lines.append("version         \(plan.version ?? "-")")
            lines.append("channel         \(plan.channel ?? "-")")
            lines.append("latestVersion   \(plan.latestVersion ?? "-") (what the controller works towards)")
            if let lag = plan.controllerLagText { lines.append("                \(lag): it has not reconciled this Plan yet") }
            lines.append("latestHash      \(plan.latestHash ?? "-")")
            lines.append("image           \(plan.image ?? "-")")
            lines.append("concurrency     \(plan.concurrency.map(String.init) ?? "-")")
            lines.append("cordon / drain  \(plan.cordon ? "cordon" : "no cordon") / \(plan.drain ? "drain" : "no drain")")
            if let waits = plan.waitsFor { lines.append("prepare         waits for \(waits) (agent gate)") }
            lines.append("nodeSelector    \(selectorText(plan.nodeSelector))")
            if let problem = plan.problem { lines.append("problem         \(problem.message)") }
            lines.append("selects         \(plan.selectedNodes.isEmpty ? "no node" : plan.selectedNodes.joined(separator: ", "))")
            lines.append("applying        \(plan.applying.isEmpty ? "-" : plan.applying.joined(separator: ", "))")
            let c = plan.counts
            lines.append("nodes           done \(c.done), applying \(c.applying), pending \(c.pending), failed \(c.failed), opted out \(c.optedOut)\(c.notScheduled > 0 ? ", never scheduled \(c.notScheduled)" : "")")
            lines.append("")
            lines.append("Conditions")
            lines += plan.conditions.map { "  \($0.type)=\($0.status)\($0.reason.map { " \($0)" } ?? "")\(($0.message ?? "").isEmpty ? "" : ": \($0.message!)")" }
            return lines
        }
        if id.hasPrefix("job:"), let job = cluster.plans.flatMap(\.jobs).first(where: { $0.name == String(id.dropFirst(4)) }) {
            return ["Job \(job.name)", "", "plan            \(job.plan)", "node            \(job.node ?? "-")",
                    "status          \(job.state.rawValue)", "started         \(job.startTime ?? "-")", "message         \(job.message ?? "-")",
                    "pod             \(job.detail ?? "-")"]
        }
        if id == "gate", let gate = cluster.agentGate {
            return ["Agent gate (\(gate.agentPlan) waits for \(gate.serverPlan))", "",
                    "open            \(gate.open ? "yes" : "no")",
                    "reason          \(gate.reason)",
                    "target (k8s)    \(gate.target ?? "-")",
                    "control plane   \(gate.controlPlaneVersions.isEmpty ? "-" : gate.controlPlaneVersions.joined(separator: ", "))",
                    "prepare image   \(gate.prepareImage ?? "-") (selects \(gate.selectorLabel))",
                    "",
                    "The agent plan's prepare step passes when the server plan applies nowhere and every control-plane kubelet reports the target (sort -u, + as -)."]
        }
        if id.hasPrefix("hint:"), let index = Int(id.split(separator: ":")[1]), cluster.hints.indices.contains(index) {
            let hint = cluster.hints[index]
            return ["\(hint.severity == .error ? "Problem" : "Warning"): \(hint.subject)", "", hint.message]
        }
        return [id]
    }

    static func selectorText(_ selector: KLabelSelector?) -> String {
        guard let selector else { return "(none: SUC selects no node)" }
        var parts = (selector.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts += (selector.matchExpressions ?? []).map { "\($0.key) \($0.operator)\($0.values.map { " [\($0.joined(separator: ","))]" } ?? "")" }
        return parts.isEmpty ? "(all nodes)" : parts.joined(separator: ", ")
    }
}
