import Foundation
import UpgradeModel

/// The text form of `status`: a compact, aligned summary a person reads at a glance. Cluster and disk
/// text stays on its line (`TerminalText.line`); `Console` makes the whole output safe again.
enum StatusText {
    static func render(_ snapshot: DashboardSnapshot) -> String {
        var out: [String] = []
        let local = snapshot.local
        var facts = TextTable(headers: ["", ""], showHeader: false)
        var nodeLine = "\(local.hostname) (\(local.role))"
        if let running = local.running {
            nodeLine += ", rke2 pid \(running.process.pid)"
            if running.restartPending {
                nodeLine += ", RESTART PENDING: running \(running.runningVersion?.description ?? "an older binary")"
            }
        } else {
            nodeLine += ", rke2 not running"
        }
        facts.rows.append(["Node", nodeLine])
        if let binary = local.binary {
            let version = binary.version?.description ?? "version unknown"
            facts.rows.append(["Binary", "\(binary.path)  \(version)  sha256 \(binary.sha256.map { String($0.prefix(12)) } ?? "?")"])
        } else {
            facts.rows.append(["Binary", "not found (pass --rke2-binary)"])
        }
        facts.rows.append(["Data dir", local.paths.dataDir])
        let configs = local.config.files.isEmpty ? "none (\(local.paths.configFile) absent)" : local.config.files.joined(separator: ", ")
        facts.rows.append(["Config", configs])
        let disabled = local.config.explicitlyDisabled
        facts.rows.append(["Disabled", disabled.isEmpty ? "-" : disabled.map { "\($0.name) (\($0.source))" }.joined(separator: ", ")])
        let atRestart = local.config.disabledAtRestart
        if !atRestart.isEmpty {
            facts.rows.append(["At restart", "disables " + atRestart.map { "\($0.name) (\($0.source))" }.joined(separator: ", ")
                               + ": the config changed since rke2 started; takes effect at restart"])
        }
        facts.rows.append(["Cluster", clusterLine(snapshot.cluster)])
        out.append(facts.render())
        for problem in local.problems {
            out.append("! " + TerminalText.line(problem))
        }
        let cluster = snapshot.cluster
        if cluster.api == .ok {
            out.append("")
            out.append(nodesTable(cluster))
            if !cluster.plans.isEmpty {
                out.append("")
                out.append(plansTable(cluster))
            }
            if let gate = cluster.agentGate {
                out.append("")
                out.append("Agent gate  \(gate.open ? "OPEN" : "CLOSED"): " + TerminalText.line(gate.reason))
            }
            if let ownership = cluster.ownership, ownership.managedElsewhere {
                out.append("")
                for warning in ownership.warnings {
                    out.append("! " + TerminalText.line("upgrades are managed elsewhere: \(warning)"))
                }
            }
            if !cluster.hints.isEmpty {
                out.append("")
                for hint in cluster.hints {
                    out.append("\(hint.severity == .error ? "!!" : "! ") " + TerminalText.line("\(hint.subject): \(hint.message)"))
                }
            }
        }
        if !snapshot.manifests.isEmpty {
            var table = TextTable(headers: ["MANIFEST", "STATE", "CHART", "SKIP MARKER"])
            for manifest in snapshot.manifests {
                let state = manifest.state.rawValue + (manifest.file.present ? "" : " (no file)")
                table.rows.append([manifest.file.file, state, manifest.chartVersionText ?? "-",
                                   manifest.file.skipMarker ?? (manifest.file.disabledBy.map { "disabled by \($0.source)" } ?? "-")])
            }
            out.append("")
            out.append(table.render())
            for manifest in snapshot.manifests {
                for note in ManifestRows.notes(manifest) {
                    out.append("! " + TerminalText.line("\(manifest.file.file): \(note)"))
                }
            }
        }
        return out.joined(separator: "\n")
    }

    static func nodesTable(_ cluster: ClusterStatus) -> String {
        let planNames = cluster.plans.map(\.name)
        var table = TextTable(headers: ["NODE", "ROLES", "VERSION", "READY", "SCHED"] + planNames.map { $0.uppercased() })
        for node in cluster.nodes {
            var row = [node.name, node.roles.isEmpty ? "agent" : node.roles.joined(separator: ","),
                       node.kubeletVersion ?? "?", node.ready.map { $0 ? "Ready" : "NotReady" } ?? "?",
                       node.schedulable ? "yes" : "cordoned"]
            row += planNames.map { node.state(for: $0)?.rawValue ?? "-" }
            table.rows.append(row)
        }
        return table.render()
    }

    static func plansTable(_ cluster: ClusterStatus) -> String {
        var table = TextTable(headers: ["PLAN", "TARGET", "COMPLETE", "PROGRESS", "APPLYING", "MESSAGE"])
        for plan in cluster.plans {
            let complete = plan.complete.map { $0 ? "True" : "False" } ?? "-"
            let progress = "\(plan.counts.done)/\(plan.counts.total - plan.counts.optedOut) upgraded"
            let target = (plan.target ?? "-") + (plan.controllerLags ? " (controller still at \(plan.controllerVersion ?? "?"))" : "")
            table.rows.append([plan.name, target, complete + (plan.reason.map { " (\($0))" } ?? ""), progress,
                               plan.applying.isEmpty ? "-" : plan.applying.joined(separator: ","), plan.message ?? ""])
        }
        return table.render()
    }

    static func clusterLine(_ cluster: ClusterStatus) -> String {
        guard let insecure = cluster.insecure else { return apiLine(cluster) }
        return apiLine(cluster) + "; INSECURE: " + insecure.explanation
    }

    static func apiLine(_ cluster: ClusterStatus) -> String {
        switch cluster.api {
        case .notConfigured: return cluster.error.map { "not configured: \($0)" } ?? "not configured (no kubeconfig found)"
        case .ok:
            let crd = cluster.planCRDInstalled == false ? ", no Plan CRD (system-upgrade-controller not installed)" : ""
            return "API ok (\(cluster.server ?? "?")\(cluster.context.map { ", context " + $0 } ?? "")), \(cluster.nodes.count) nodes, system-upgrade-controller \(cluster.upgradeController.rawValue)\(crd)"
        case .unreachable: return "API unreachable: \(cluster.error ?? "")"
        case .unauthorized: return "API unauthorized: \(cluster.error ?? "")"
        }
    }
}
