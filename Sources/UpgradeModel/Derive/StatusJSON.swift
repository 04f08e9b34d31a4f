import Foundation

/// `status --output json`, schemaVersion 1 (docs/status-json.md). Field names are a contract: add, never rename.
public enum StatusJSON {
    public static let schemaVersion = 1

    /// `upgradeTuiVersion`: the version of the program that wrote the document (`--version`).
    public static func document(_ snapshot: DashboardSnapshot, upgradeTuiVersion: String? = nil) -> JSONValue {
        .object([
            ("schemaVersion", .number(Double(schemaVersion))),
            ("upgradeTuiVersion", .string(upgradeTuiVersion)),
            ("generatedAt", .string(UTCTime.rfc3339(snapshot.takenAt))),
            ("local", local(snapshot.local)),
            ("manifests", .array(snapshot.manifests.map(manifest))),
            ("cluster", cluster(snapshot.cluster)),
        ])
    }

    /// `document(...).serialized(pretty: true)`, written to `sink` in pieces, with `cluster.nodes` written
    /// one node at a time: at thousands of nodes the tree of the whole document, then its text, would
    /// cost more memory than the cluster itself.
    public static func write(_ snapshot: DashboardSnapshot, upgradeTuiVersion: String? = nil, to sink: (String) -> Void) {
        let nodes = snapshot.cluster.nodes
        guard !nodes.isEmpty else {
            sink(document(snapshot, upgradeTuiVersion: upgradeTuiVersion).serialized(pretty: true))
            return
        }
        // The document without its nodes, a marker where they go: random, so that no string from the
        // cluster can forge it.
        var shell = snapshot
        shell.cluster.nodes = []
        let marker = "nodes-\(UUID().uuidString)"
        var cluster = cluster(shell.cluster)
        if case let .object(fields) = cluster {
            cluster = .object(fields.map { $0.0 == "nodes" ? ($0.0, .text(marker)) : $0 })
        }
        let text = JSONValue.object([
            ("schemaVersion", .number(Double(schemaVersion))),
            ("upgradeTuiVersion", .string(upgradeTuiVersion)),
            ("generatedAt", .string(UTCTime.rfc3339(snapshot.takenAt))),
            ("local", local(snapshot.local)),
            ("manifests", .array(snapshot.manifests.map(manifest))),
            ("cluster", cluster),
        ]).serialized(pretty: true)
        guard let at = text.range(of: "\"\(marker)\"") else {
            sink(document(snapshot, upgradeTuiVersion: upgradeTuiVersion).serialized(pretty: true))
            return
        }
        // `nodes` is a field of `cluster`, a field of the document: its elements sit at depth 3.
        sink(String(text[..<at.lowerBound]) + "[\n")
        var chunk = ""
        for index in nodes.indices {
            chunk += "      " + node(nodes[index]).serialized(pretty: true, indent: 3) + (index < nodes.count - 1 ? ",\n" : "\n")
            if chunk.utf8.count > 1 << 16 {
                sink(chunk)
                chunk = ""
            }
        }
        sink(chunk + "    ]" + String(text[at.upperBound...]))
    }

    static func local(_ node: LocalNode) -> JSONValue {
        let binary: JSONValue = node.binary.map { binary in
            .object([
                ("path", .string(binary.path)),
                ("version", .string(binary.version?.description)),
                ("sha256", .string(binary.sha256)),
                ("commit", .string(binary.commit)),
                ("goVersion", .string(binary.goVersion)),
            ])
        } ?? .null
        let process: JSONValue = node.running.map { running in
            .object([
                ("pid", .number(Double(running.process.pid))),
                ("exe", .string(running.process.exe)),
                ("runningSha256", .string(running.runningSha256)),
                ("restartPending", .bool(running.restartPending)),
                ("runningVersion", .string(running.runningVersion?.description)),
                ("startedAt", .string(running.process.startTime.map { UTCTime.rfc3339($0) })),
                ("argv0", .string(running.process.argv0)),
                ("exeDeleted", .bool(running.process.exeDeleted)),
                ("children", .array(running.process.children.map {
                    .object([("pid", .number(Double($0.pid))), ("name", .string($0.name))])
                })),
            ])
        } ?? .null
        let explicit = node.config.explicitlyDisabled
        return .object([
            ("role", .string(node.role.rawValue)),
            ("hostname", .string(node.hostname)),
            ("dataDir", .string(node.paths.dataDir)),
            ("configFiles", .array(node.config.files.map { .string($0) })),
            ("binary", binary),
            ("process", process),
            ("disabled", .array(explicit.map { .string($0.name) })),
            ("disabledBy", .object(explicit.map { ($0.name, .string($0.source)) })),
            ("disabledAtRestart", .object(node.config.disabledAtRestart.map { ($0.name, .string($0.source)) })),
            ("configChangedSinceStart", .array(node.config.changedSinceStart.map { .string($0) })),
            ("deployController", .bool(node.role != .agent && node.config.runsDeployController)),
            ("problems", .array(node.problems.map { .string($0) })),
        ])
    }

    static func manifest(_ status: ManifestStatus) -> JSONValue {
        let file = status.file
        return .object([
            ("file", .string(file.file)),
            ("addon", .string(file.addon)),
            ("state", .string(status.state.rawValue)),
            ("sha256", .string(file.sha256)),
            ("addonChecksum", .string(status.addonChecksum)),
            ("skipMarker", .string(file.skipMarker)),
            ("chartVersion", .string(status.chartVersion)),
            ("present", .bool(file.present)),
            ("size", file.size.map { .number(Double($0)) } ?? .null),
            ("modified", .string(file.modified.map { UTCTime.rfc3339($0) })),
            ("disabledBy", .string(file.disabledBy?.source)),
            ("chartFailure", .string(status.chartFailure)),
            ("chartVersionInCluster", .string(status.chartVersionInCluster)),
            ("chartVersionOnDisk", .string(status.chartVersionOnDisk)),
            ("failure", .string(status.failure)),
            ("blockedBy", .string(file.blockedBy)),
            ("disabledAtRestart", .string(file.disabledAtRestart?.source)),
            ("deployedHere", .bool(!status.notDeployedHere)),
            ("appliedBy", .array(status.appliedBy.map(apply))),
            ("appliedElsewhere", .array(status.appliedElsewhere.map(apply))),
        ])
    }

    static func apply(_ apply: AddonApply) -> JSONValue {
        .object([("node", .string(apply.node)), ("at", .string(apply.at.map { UTCTime.rfc3339($0) })),
                 ("reason", .string(apply.reason)), ("message", .string(apply.message))])
    }

    static func cluster(_ cluster: ClusterStatus) -> JSONValue {
        let gate: JSONValue = cluster.agentGate.map { gate in
            .object([
                ("open", .bool(gate.open)),
                ("reason", .string(gate.reason)),
                ("agentPlan", .string(gate.agentPlan)),
                ("serverPlan", .string(gate.serverPlan)),
                ("target", .string(gate.target)),
                ("controlPlaneVersions", .array(gate.controlPlaneVersions.map { .string($0) })),
                ("selectorLabel", .string(gate.selectorLabel)),
                ("prepareImage", .string(gate.prepareImage)),
                ("masterLabelWarning", .string(gate.masterLabelWarning)),
            ])
        } ?? .null
        return .object([
            ("api", .string(cluster.api.rawValue)),
            ("error", .string(cluster.error)),
            ("server", .string(cluster.server)),
            ("context", .string(cluster.context)),
            ("insecure", .string(cluster.insecure?.rawValue)),
            ("upgradeController", .string(cluster.upgradeController.rawValue)),
            ("planCRDInstalled", cluster.planCRDInstalled.map(JSONValue.bool) ?? .null),
            ("nodes", .array(cluster.nodes.map(node))),
            ("plans", .array(cluster.plans.map(plan))),
            ("agentGate", gate),
            ("ownership", cluster.ownership.map(ownership) ?? .null),
            ("hints", .array(cluster.hints.map { hint in
                .object([("severity", .string(hint.severity.rawValue)), ("subject", .string(hint.subject)), ("message", .string(hint.message))])
            })),
        ])
    }

    /// `cluster.ownership`: whether something else already upgrades this cluster, and which objects show it.
    static func ownership(_ ownership: UpgradeOwnership) -> JSONValue {
        .object([
            ("managedElsewhere", .bool(ownership.managedElsewhere)),
            ("signals", .array(ownership.signals.map { signal in
                .object([("kind", .string(signal.kind.rawValue)), ("objects", .array(signal.objects.map { .string($0) })),
                         ("message", .string(signal.message))])
            })),
            ("notChecked", .array(ownership.notChecked.map { .string($0) })),
        ])
    }

    static func node(_ node: NodeStatus) -> JSONValue {
        .object([
            ("name", .string(node.name)),
            ("roles", .array(node.roles.map { .string($0) })),
            ("kubeletVersion", .string(node.kubeletVersion)),
            ("ready", node.ready.map(JSONValue.bool) ?? .null),
            ("schedulable", .bool(node.schedulable)),
            ("plans", .object(node.plans.map { ($0.plan, .string($0.state.rawValue)) })),
            ("hostname", .string(node.hostname)),
            ("internalIP", .string(node.internalIP)),
            ("upgradeDetail", .string(node.upgradeDetail)),
        ])
    }

    static func plan(_ plan: PlanStatus) -> JSONValue {
        .object([
            ("name", .string(plan.name)),
            ("namespace", .string(plan.namespace)),
            ("version", .string(plan.version)),
            ("channel", .string(plan.channel)),
            ("latestVersion", .string(plan.latestVersion)),
            ("latestHash", .string(plan.latestHash)),
            ("complete", plan.complete.map(JSONValue.bool) ?? .null),
            ("reason", .string(plan.reason)),
            ("message", .string(plan.message ?? "")),
            ("applying", .array(plan.applying.map { .string($0) })),
            ("counts", .object([
                ("done", .int(plan.counts.done)), ("applying", .int(plan.counts.applying)), ("pending", .int(plan.counts.pending)),
                ("failed", .int(plan.counts.failed)), ("optedOut", .int(plan.counts.optedOut)),
                ("notScheduled", .int(plan.counts.notScheduled)),
            ])),
            ("problem", plan.problem.map { .object([("code", .string($0.code)), ("message", .string($0.message))]) } ?? .null),
            ("selectedNodes", .array(plan.selectedNodes.map { .string($0) })),
            ("jobs", .array(plan.jobs.map { job in
                .object([("name", .string(job.name)), ("node", .string(job.node)), ("status", .string(job.state.rawValue)),
                         ("message", .string(job.message)), ("detail", .string(job.detail))])
            })),
        ])
    }
}
