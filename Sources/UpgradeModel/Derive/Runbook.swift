import Foundation

/// `upgrade-tui runbook`: the upgrade as a document to review before acting, derived from what
/// `plan` prepares (the live cluster, this node, the checks, the Plans). Pure and deterministic: no
/// clock, no host name beyond what the prepared value holds; the same input gives the same text.
public struct Runbook: Sendable, Equatable {
    public struct NodeStep: Sendable, Equatable {
        public let node: String
        public let roles: [String]
        public let version: String?
        /// Already runs the target release.
        public let atTarget: Bool
    }

    public struct NodeMarkers: Sendable, Equatable {
        public let node: String
        public let markers: [String]
        public let thisNode: Bool
    }

    public enum RollbackKind: String, Sendable { case patch, minor, none }

    public let target: String
    /// The channel URL when the target is a channel (resolved to `target` now, re-resolved by SUC).
    public let channel: String?
    /// The lowest version the nodes run, and every distinct version.
    public let from: String?
    public let fromVersions: [String]
    public let namespace: String
    public let thisNode: String?
    public let checks: [PreflightCheck]
    public let snapshotName: String
    public let snapshotCommands: [String]
    /// The servers with etcd, where a snapshot can be taken.
    public let etcdNodes: [String]
    /// The `.skip` markers on this node, which every control-plane node needs too.
    public let markers: [String]
    public let markerNodes: [NodeMarkers]
    public let plansYAML: String
    public let applyCommand: String
    public let servers: [NodeStep]
    public let agentBatchSize: Int
    public let agentBatches: [[NodeStep]]
    /// Nodes neither Plan selects: these Plans leave them as they are.
    public let notSelected: [NodeStep]
    public let watch: [String]
    public let rollbackKind: RollbackKind
    public let rollback: [String]

    public var blocked: Bool { checks.contains { $0.status == .fail } }

    // MARK: building

    public static func build(_ prepared: PlanOperation.Prepared, namespace: String) -> Runbook {
        let cluster = prepared.cluster
        let target = prepared.resolved
        let targetText = prepared.targetText
        let channel: String? = { if case let .channel(url) = prepared.target { return url } else { return nil } }()
        let versions = cluster.nodes.compactMap(\.version)
        let lowest = versions.min()
        var distinct: [RKE2Version] = []
        for version in versions.sorted() where !distinct.contains(where: { $0.sameRelease(as: version) }) { distinct.append(version) }
        let me = prepared.local.flatMap { ThisNode.node($0, in: cluster)?.name }

        // The snapshot.
        let snapshotName = SnapshotOperation.defaultName(target: target)
        let etcdNodes = cluster.nodes.filter { $0.roles.contains("etcd") }.map(\.name)

        // Skip markers: this node's, needed by every control-plane node.
        let markers = prepared.manifests.filter { $0.state == .skipped }.map { $0.file.skipMarker ?? ($0.file.file + ".skip") }.sorted()
        let markerNodes = cluster.controlPlaneNodes.map { NodeMarkers(node: $0.name, markers: markers, thisNode: $0.name == me) }

        // The order: the server plan's nodes one at a time, then the agent plan's in batches.
        let serverPlan = prepared.plans.first { $0.spec?.prepare == nil } ?? prepared.plans.first
        let agentPlan = prepared.plans.first { $0.spec?.prepare != nil }
        func step(_ node: NodeStatus) -> NodeStep {
            NodeStep(node: node.name, roles: node.roles, version: node.kubeletVersion,
                     atTarget: target.map { node.version?.sameRelease(as: $0) ?? false } ?? false)
        }
        func selects(_ plan: KPlan?, _ node: NodeStatus) -> Bool {
            guard let plan else { return false }
            var labels = node.labels
            if labels[Selection.hostnameLabel] == nil { labels[Selection.hostnameLabel] = node.hostname ?? node.name }
            return Selection.selects(plan, KNode(metadata: ObjectMeta(name: node.name, labels: labels)))
        }
        let servers = cluster.nodes.filter { selects(serverPlan, $0) }
        let agents = cluster.nodes.filter { !selects(serverPlan, $0) && selects(agentPlan, $0) }
        let others = cluster.nodes.filter { !selects(serverPlan, $0) && !selects(agentPlan, $0) }
        let batch = max(1, agentPlan?.spec?.effectiveConcurrency ?? 1)
        let agentSteps = agents.map(step)
        let batches = stride(from: 0, to: agentSteps.count, by: batch).map { Array(agentSteps[$0..<min($0 + batch, agentSteps.count)]) }

        let applyCommand = channel.map { "upgrade-tui plan --channel \($0)" } ?? "upgrade-tui plan --version \(targetText)"
        let (kind, rollback) = rollbackSteps(from: lowest, to: target, namespace: namespace, snapshot: snapshotName,
                                            plans: prepared.plans.map(\.metadata.name))
        return Runbook(
            target: targetText, channel: channel, from: lowest?.description, fromVersions: distinct.map(\.description),
            namespace: namespace, thisNode: me, checks: prepared.checks, snapshotName: snapshotName,
            snapshotCommands: ["upgrade-tui snapshot --name \(snapshotName)", "rke2 etcd-snapshot save --name \(snapshotName)"],
            etcdNodes: etcdNodes, markers: markers, markerNodes: markerNodes, plansYAML: prepared.yaml, applyCommand: applyCommand,
            servers: servers.map(step), agentBatchSize: batch, agentBatches: batches, notSelected: others.map(step),
            watch: watchList(namespace: namespace, target: target, targetText: targetText, serverPlan: serverPlan?.metadata.name ?? "server-plan",
                             agentPlan: agentPlan?.metadata.name ?? "agent-plan"),
            rollbackKind: kind, rollback: rollback)
    }

    static func watchList(namespace: String, target: RKE2Version?, targetText: String, serverPlan: String, agentPlan: String) -> [String] {
        let k8s = target?.k8sForm.replacingOccurrences(of: "+", with: "-") ?? targetText
        let tag = target?.munged ?? "<target with + as ->"
        return [
            "`upgrade-tui` (or `upgrade-tui --watch`, read-only) on a control-plane node; or `kubectl -n \(namespace) get plans,jobs,pods -w` and `kubectl get nodes -w`",
            "each server's Job completes and its kubelet reports \(targetText) before the next server starts; the node is uncordoned afterwards",
            "the agent gate: \(agentPlan)'s prepare step waits until \(serverPlan) applies to no node and every control-plane kubelet reports \(k8s)",
            "a Job stuck in ImagePullBackOff (is rancher/rke2-upgrade:\(tag) reachable from the nodes?) or failed: SUC does not recreate failed Jobs (edit the Plan) and leaves the node cordoned (SUC#71)",
            "helm-install-* Jobs in kube-system failing while servers run mixed versions (rancher/rke2#3787): they settle once every server runs \(targetText)",
            "on the node being upgraded: `journalctl -u rke2-server -f` (agents: `rke2-agent`)",
        ]
    }

    /// The RKE2 docs' roll-back procedure (upgrades/roll-back) for this exact pair.
    static func rollbackSteps(from: RKE2Version?, to: RKE2Version?, namespace: String, snapshot: String, plans: [String]) -> (RollbackKind, [String]) {
        guard let from, let to else {
            return (.none, ["the versions are not known here: the procedure depends on whether the minor version changes (RKE2 docs: roll-back)"])
        }
        guard from < to, !from.sameRelease(as: to) else {
            return (.none, ["no node runs a version older than \(to): nothing to roll back to"])
        }
        let stopPlans = "stop the upgrade first: `kubectl -n \(namespace) delete plan \(plans.joined(separator: " "))` (otherwise SUC upgrades the nodes again)"
        let install = "on each node: `upgrade-tui rollback` (reinstalls the rke2 binary backed up by `upgrade-tui swap` and restarts rke2), or `curl -sfL https://get.rke2.io | INSTALL_RKE2_VERSION=\(from) sh -`"
        if from.major == to.major && from.minor == to.minor {
            return (.patch, [
                stopPlans,
                "a patch rollback (\(to) → \(from)): servers first, one at a time, then agents",
                install + ", then `systemctl restart rke2-server` (agents: `rke2-agent`)",
                "check each node reports \(from) (`kubectl get nodes`) before the next",
            ])
        }
        return (.minor, [
            stopPlans,
            "a minor rollback (\(to) → \(from)) needs the etcd snapshot taken on \(from.minorLine) before the upgrade (\(snapshot)-<node>-<time> in <data-dir>/server/db/snapshots); without it, rolling back a minor version is impossible",
            "drain the nodes, then on every node: `systemctl stop rke2-server` (agents: `rke2-agent`) and `rke2-killall.sh`",
            install.replacingOccurrences(of: " and restarts rke2", with: "; do not start rke2 yet"),
            "on one server: `rke2 server --cluster-reset --cluster-reset-restore-path=<data-dir>/server/db/snapshots/<the \(snapshot) file>`, then `systemctl start rke2-server`",
            "on the other servers: move `<data-dir>/server/db` aside, then `systemctl start rke2-server` (they rejoin from the restored server)",
            "then the agents: `systemctl start rke2-agent`; check every node reports \(from)",
        ])
    }

    // MARK: markdown

    public var markdown: String {
        var out: [String] = []
        let fromText = fromVersions.count > 1 ? fromVersions.joined(separator: ", ") : (from ?? "unknown")
        out.append("# RKE2 upgrade runbook: \(fromText) → \(target)")
        out.append("")
        out.append("Generated by upgrade-tui from the live cluster; review it before acting. Plans live in namespace `\(namespace)`"
                   + (channel.map { "; the target is the channel \($0) as it resolves now (SUC resolves it again every 15 min)" } ?? "") + ".")
        if let thisNode { out.append("This node: \(thisNode).") }
        out.append("")
        out.append("## 1. Preflight checks")
        out.append("")
        out.append("| result | check | detail |")
        out.append("| --- | --- | --- |")
        for check in checks {
            out.append("| \(check.status == .pass ? "pass" : check.status.rawValue.uppercased()) | \(cell(check.name)) | \(cell(check.reason)) |")
        }
        out.append("")
        let failing = checks.filter { $0.status == .fail }.count
        out.append(failing == 0 ? "No check fails." : "\(failing) check(s) fail: `upgrade-tui plan` refuses until they are fixed (or `--force REASON`, which is audited).")
        out.append("")
        out.append("## 2. etcd snapshot")
        out.append("")
        out.append("On a server with etcd (\(etcdNodes.isEmpty ? "none known" : etcdNodes.joined(separator: ", "))), before anything else:")
        out.append("")
        out.append("```sh")
        out.append(snapshotCommands[0])
        out.append("# or, without upgrade-tui:")
        out.append(snapshotCommands[1])
        out.append("```")
        out.append("")
        out.append("Keep it until the new version is settled: a minor-version rollback restores it.")
        out.append("")
        out.append("## 3. Skip markers")
        out.append("")
        if markers.isEmpty {
            out.append("No manifest is skipped on this node: no marker is needed.")
        } else {
            out.append("Skipped manifests are not upgraded. Every control-plane node needs the same markers in `<data-dir>/server/manifests` (this node's are listed; check the others):")
            out.append("")
            out.append("| node | markers |")
            out.append("| --- | --- |")
            for node in markerNodes {
                out.append("| \(cell(node.node))\(node.thisNode ? " (this node)" : "") | \(cell(node.markers.joined(separator: ", "))) |")
            }
        }
        out.append("")
        out.append("## 4. Plans")
        out.append("")
        out.append("Applied with `\(applyCommand)` (after the checks again):")
        out.append("")
        out.append("```yaml")
        out.append(plansYAML.hasSuffix("\n") ? String(plansYAML.dropLast()) : plansYAML)
        out.append("```")
        out.append("")
        out.append("## 5. Order")
        out.append("")
        out.append("Servers one at a time:")
        out.append("")
        if servers.isEmpty { out.append("- (no node is selected by the server plan)") }
        for (index, server) in servers.enumerated() { out.append("\(index + 1). \(describe(server))") }
        out.append("")
        out.append("Then agents, \(agentBatchSize) at a time, once the agent gate opens:")
        out.append("")
        if agentBatches.isEmpty { out.append("- (no agent)") }
        for (index, batch) in agentBatches.enumerated() {
            out.append("\(index + 1). " + batch.map(describe).joined(separator: "; "))
        }
        if !notSelected.isEmpty {
            out.append("")
            out.append("Not selected by either Plan (left as they are): " + notSelected.map(describe).joined(separator: "; "))
        }
        out.append("")
        out.append("SUC picks the order within a plan; the list is by name.")
        out.append("")
        out.append("## 6. What to watch")
        out.append("")
        watch.forEach { out.append("- " + $0) }
        out.append("")
        out.append("## 7. Rollback (\(target) → \(from ?? "?"))")
        out.append("")
        for (index, line) in rollback.enumerated() { out.append("\(index + 1). \(line)") }
        out.append("")
        return out.joined(separator: "\n")
    }

    func describe(_ step: NodeStep) -> String {
        let roles = step.roles.isEmpty ? "agent" : step.roles.joined(separator: ",")
        return "\(step.node) (\(roles)) \(step.version ?? "version unknown")" + (step.atTarget ? ", already at the target" : " → \(target)")
    }

    /// A table cell: one line, no pipe.
    func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
    }

    // MARK: JSON

    public var json: JSONValue {
        func node(_ step: NodeStep) -> JSONValue {
            .object([("node", .string(step.node)), ("roles", .array(step.roles.map { .string($0) })),
                     ("version", .string(step.version)), ("atTarget", .bool(step.atTarget))])
        }
        return .object([
            ("schemaVersion", .int(1)),
            ("target", .string(target)),
            ("channel", .string(channel)),
            ("from", .string(from)),
            ("fromVersions", .array(fromVersions.map { .string($0) })),
            ("namespace", .string(namespace)),
            ("thisNode", .string(thisNode)),
            ("blocked", .bool(blocked)),
            ("checks", .array(checks.map { .object([("name", .string($0.name)), ("status", .string($0.status.rawValue)), ("reason", .string($0.reason))]) })),
            ("snapshot", .object([("name", .string(snapshotName)), ("commands", .array(snapshotCommands.map { .string($0) })),
                                  ("etcdNodes", .array(etcdNodes.map { .string($0) }))])),
            ("skipMarkers", .object([("markers", .array(markers.map { .string($0) })),
                                     ("nodes", .array(markerNodes.map { .object([("node", .string($0.node)), ("markers", .array($0.markers.map { .string($0) })),
                                                                                  ("thisNode", .bool($0.thisNode))]) }))])),
            ("plansYAML", .string(plansYAML)),
            ("apply", .string(applyCommand)),
            ("order", .object([("servers", .array(servers.map(node))), ("agentBatchSize", .int(agentBatchSize)),
                               ("agentBatches", .array(agentBatches.map { .array($0.map(node)) })),
                               ("notSelected", .array(notSelected.map(node)))])),
            ("watch", .array(watch.map { .string($0) })),
            ("rollback", .object([("kind", .string(rollbackKind.rawValue)), ("steps", .array(rollback.map { .string($0) }))])),
        ])
    }
}
