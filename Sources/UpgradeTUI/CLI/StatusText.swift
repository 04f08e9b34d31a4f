import Foundation
import UpgradeModel

/// The text form of `status`: a compact, aligned summary a person reads at a glance.
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
        facts.rows.append(["Cluster", clusterLine(snapshot.cluster)])
        out.append(facts.render())
        for problem in local.problems {
            out.append("! \(problem)")
        }
        if !snapshot.manifests.isEmpty {
            var table = TextTable(headers: ["MANIFEST", "STATE", "CHART", "SKIP MARKER"])
            for manifest in snapshot.manifests {
                let state = manifest.state.rawValue + (manifest.file.present ? "" : " (no file)")
                table.rows.append([manifest.file.file, state, manifest.chartVersion ?? "-",
                                   manifest.file.skipMarker ?? (manifest.file.disabledBy.map { "disabled by \($0.source)" } ?? "-")])
            }
            out.append("")
            out.append(table.render())
        }
        return out.joined(separator: "\n")
    }

    static func clusterLine(_ cluster: ClusterStatus) -> String {
        switch cluster.api {
        case .notConfigured: return "not configured (no kubeconfig found)" + (cluster.error.map { ": \($0)" } ?? "")
        case .ok: return "API ok"
        case .unreachable: return "API unreachable: \(cluster.error ?? "")"
        case .unauthorized: return "API unauthorized: \(cluster.error ?? "")"
        }
    }
}
