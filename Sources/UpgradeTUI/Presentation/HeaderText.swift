import Foundation
import UpgradeModel

typealias Segment = (text: String, style: Style)

/// The header and the workflow strip as styled text segments. Pure.
enum HeaderText {
    static func apiBadge(_ cluster: ClusterStatus, now: Date, theme: Theme) -> Segment {
        switch cluster.api {
        case .ok: return ("API ok", .role(.ok))
        case .notConfigured: return ("no cluster", .role(.dim))
        case .unauthorized: return ("API unauthorized", .role(.error, bold: true))
        case .unreachable:
            if cluster.connecting { return ("API connecting" + theme.ellipsis, .role(.warn)) }
            if let retry = cluster.retryAt {
                let seconds = max(0, Int(retry.timeIntervalSince(now).rounded(.up)))
                return ("API unreachable, retry in \(seconds)s", .role(.error, bold: true))
            }
            return ("API unreachable", .role(.error, bold: true))
        }
    }

    /// Shown beside the API state whenever the connection is not verified TLS.
    static func insecureBadge(_ cluster: ClusterStatus) -> Segment? {
        switch cluster.insecure {
        case .plainHTTP?: return ("INSECURE: plain HTTP  ", .role(.error, bold: true))
        case .tlsVerifyDisabled?: return ("INSECURE: TLS not verified  ", .role(.error, bold: true))
        case nil: return nil
        }
    }

    /// `tally`: the nodes' counts when the caller has them (the node rows keep them per chunk of nodes).
    static func clusterSummary(_ snapshot: DashboardSnapshot, theme: Theme, tally: NodeRows.Tally? = nil) -> [Segment] {
        let cluster = snapshot.cluster
        let tally = tally ?? NodeRows.Tally(cluster.nodes)
        guard cluster.api == .ok || cluster.isStale else { return [] }
        var parts: [Segment] = cluster.isStale ? [("last known: ", .role(.warn, bold: true))] : []
        parts.append(("\(cluster.nodes.count) nodes", .normal))
        // Most important first, so that a narrow header (80 columns with READ-ONLY) cuts the
        // per-plan counts (the Nodes pane's title has them too), never the target.
        if let plan = cluster.plans.first(where: \.controllerLags) ?? cluster.plans.first(where: { $0.target != nil }), let target = plan.target {
            parts.append(("  \(theme.arrow) \(target)", .role(.accent)))
            if let controller = plan.controllerVersion, plan.controllerLags {
                parts.append((" (controller still at \(controller))", .role(.warn)))
            }
        } else {
            let text = tally.versions.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: " ")
            if !text.isEmpty { parts.append(("  " + text, .role(.dim))) }
        }
        let failing = tally.notReady
        if failing > 0 { parts.append(("  \(failing) NotReady", .role(.error, bold: true))) }
        for plan in cluster.plans {
            let (done, total) = NodeRows.progress(plan)
            parts.append(("  \(plan.name) \(done)/\(total)", .role(done == total && total > 0 ? .ok : .normal)))
        }
        return parts
    }

    /// This node in one line, most important first: what runs, whether a restart is pending, what is installed.
    static func thisNode(_ snapshot: DashboardSnapshot) -> [Segment] {
        let local = snapshot.local
        var parts: [Segment] = [(local.hostname, .role(.title, bold: true)), (" (\(local.role))", .role(.dim))]
        let installed = local.binary?.version?.description
        if let running = local.running {
            let version = running.runningVersion?.description ?? installed ?? "?"
            parts.append(("  rke2 ", .role(.dim)))
            parts.append((version, .normal))
            parts.append((" running", .role(.dim)))
            if running.restartPending {
                parts.append(("  RESTART PENDING", .role(.warn, bold: true)))
                parts.append((": \(installed ?? "a new binary") installed", .role(.warn)))
            }
            parts.append(("  pid \(running.process.pid)", .role(.dim)))
        } else {
            parts.append(("  rke2 not running", .role(.warn, bold: true)))
            if let installed { parts.append(("  \(installed) installed", .normal)) }
        }
        if local.binary == nil { parts.append(("  no rke2 binary found", .role(.warn))) }
        return parts
    }

    enum StepState { case done, busy, todo, failed, none }

    /// Plan → Swap → Restart for this node (and the plan's progress across the cluster).
    static func workflow(_ snapshot: DashboardSnapshot, theme: Theme) -> [Segment] {
        let local = snapshot.local
        let cluster = snapshot.cluster
        // This node is looked up once (a pass over every node).
        let node = ThisNode.node(local, in: cluster)
        let plan = ThisNode.plan(local, node: node, in: cluster)
        let target = plan?.target.flatMap(RKE2Version.init)
        let myState = node.flatMap { node in plan.flatMap { node.state(for: $0.name) } }

        let planStep: (StepState, String)
        if let plan {
            let (done, total) = NodeRows.progress(plan)
            let stateText = myState.flatMap { $0 == .failed || $0 == .applying ? " (here: \($0.rawValue))" : nil } ?? ""
            planStep = (myState == .failed ? .failed : (done == total && total > 0 ? .done : .busy),
                        "\(plan.name) \(done)/\(total)\(stateText)")
        } else {
            planStep = (cluster.api == .ok ? .todo : .none, cluster.api == .ok ? "no plan" : "cluster unknown")
        }
        let installed = local.binary?.version
        let swapStep: (StepState, String)
        if let target, let installed {
            swapStep = installed.sameRelease(as: target) || installed > target ? (.done, installed.description) : (.todo, installed.description)
        } else {
            swapStep = (.none, installed?.description ?? "no binary")
        }
        let restartStep: (StepState, String)
        if let running = local.running {
            let version = running.runningVersion ?? installed
            if running.restartPending {
                restartStep = (.busy, "pending")
            } else if let target, let version, version.sameRelease(as: target) || version > target {
                restartStep = (.done, version.description)
            } else {
                restartStep = (.todo, swapStep.0 == .done ? "needed" : "")
            }
        } else {
            restartStep = (.failed, "not running")
        }
        func step(_ name: String, _ value: (StepState, String)) -> [Segment] {
            let (symbol, role): (String, Role) = {
                switch value.0 {
                case .done: return (theme.stepDone, .ok)
                case .busy: return (theme.stepBusy, .accent)
                case .todo: return (theme.stepTodo, .normal)
                case .failed: return (theme.stepFailed, .error)
                case .none: return (theme.stepTodo, .dim)
                }
            }()
            return [(name + " ", .role(.title, bold: true)), (symbol + (value.1.isEmpty ? "" : " "), .role(role, bold: true)),
                    (value.1, .role(role == .normal ? .normal : role))]
        }
        var segments = step("Plan", planStep)
        segments.append((" \(theme.arrow) ", .role(.dim)))
        segments += step("Swap", swapStep)
        segments.append((" \(theme.arrow) ", .role(.dim)))
        segments += step("Restart", restartStep)
        if let gate = cluster.agentGate {
            segments.append(("  gate ", .role(.dim)))
            segments.append((gate.open ? "open" : "closed", .role(gate.open ? .ok : .warn, bold: true)))
        }
        return segments
    }
}
