import Foundation
import UpgradeModel

/// Performs the dashboard's effects that touch the world and answers with an event for the reducer.
/// Never constructed in `--watch`: a read-only dashboard has no object that could change anything.
protocol DashboardOperations: Sendable {
    func perform(_ effect: Effect, snapshot: DashboardSnapshot?, progress: @escaping @Sendable (String) -> Void) async -> Event
}

/// Presents prepared operations for review (pure).
enum ReviewText {
    static func checkLines(_ checks: [PreflightCheck], unicode: Bool) -> [String] {
        checks.map { check in
            let mark: String
            switch check.status {
            case .pass: mark = unicode ? "✓" : "ok"
            case .warn: mark = unicode ? "⚠" : "!"
            case .fail: mark = unicode ? "✗" : "X"
            }
            return "\(mark) \(DisplayWidth.pad(check.name, to: 18))\(check.reason)"
        }
    }

    static func plan(_ prepared: PlanOperation.Prepared) -> Review {
        var lines = ["Preflight"] + checkLines(prepared.checks, unicode: true)
        let diff = prepared.diff
        if !diff.isEmpty { lines += ["", "Changes to the existing Plans"] + diff }
        lines += ["", "Plans (\(prepared.plans.first?.metadata.namespace ?? ""))"] + prepared.yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Confirmed by typing the version it upgrades to (a channel not resolvable here: its name).
        let confirm: String
        switch prepared.target {
        case let .version(version): confirm = version.description
        case let .channel(url): confirm = prepared.resolved?.description ?? String(url.split(separator: "/").last ?? "")
        }
        return Review(kind: .plan, title: "Plan \(prepared.targetText)", lines: lines, scroll: 0,
                      typeToConfirm: confirm, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func swap(_ prepared: SwapPreparation) -> Review {
        var lines = ["\(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")", ""]
        lines += checkLines(prepared.checks, unicode: true)
        lines += ["", prepared.alreadyInstalled ? "These bytes are already installed: confirming changes nothing."
                  : "The old binary is kept as a backup; rke2 keeps running it until you restart (r)."]
        return Review(kind: .swap(path: prepared.source), title: "Swap to \(prepared.newVersion?.description ?? prepared.source)",
                      lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func message(_ outcome: OperationOutcome) -> Message {
        Message(text: ([outcome.summary] + outcome.details.prefix(1)).joined(separator: "; "), severity: outcome.changed ? .ok : .info)
    }

    static func failure(_ what: String, _ error: Error) -> Event {
        .operationFinished(Message(text: "\(what) failed: \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error))
    }
}

/// The real thing: this node's files and processes, and the cluster through the kubeconfig.
final class HostOperations: DashboardOperations, @unchecked Sendable {
    let inspector: LocalInspector
    let namespace: String
    let client: KubeClient?
    private let lock = NSLock()
    private var preparedPlan: PlanOperation.Prepared?

    init(inspector: LocalInspector, namespace: String, client: KubeClient?) {
        self.inspector = inspector
        self.namespace = namespace
        self.client = client
    }

    func perform(_ effect: Effect, snapshot: DashboardSnapshot?, progress: @escaping @Sendable (String) -> Void) async -> Event {
        switch effect {
        case .skip, .unskip:
            return .operationFinished(await SkipEffect.perform(effect, inspector: inspector, snapshot: snapshot))
        case let .preparePlan(text):
            guard let client else { return .operationFinished(Message(text: "plan needs the cluster: no usable kubeconfig", severity: .error)) }
            do {
                let target = try UpgradeTarget.parse(version: RKE2Version(text) != nil ? text : nil, channel: RKE2Version(text) == nil ? text : nil)
                progress("checking \(target.description)")
                let prepared = try await PlanOperation(client: client, namespace: namespace, inspector: inspector).prepare(target: target)
                lock.withLock { preparedPlan = prepared }
                return .reviewReady(ReviewText.plan(prepared))
            } catch { return ReviewText.failure("plan", error) }
        case .applyPlan:
            guard let client, let prepared = lock.withLock({ preparedPlan }) else {
                return .operationFinished(Message(text: "nothing prepared to apply", severity: .error))
            }
            progress("applying the plans")
            do {
                return .operationFinished(ReviewText.message(try await PlanOperation(client: client, namespace: namespace, inspector: inspector).apply(prepared, force: nil)))
            } catch { return ReviewText.failure("plan", error) }
        case let .prepareSwap(path):
            progress("checking \(path)")
            do {
                return .reviewReady(ReviewText.swap(try SwapOperation(binary: path, checksums: nil, inspector: inspector, cluster: snapshot?.cluster).prepare()))
            } catch { return ReviewText.failure("swap", error) }
        case let .swap(path):
            progress("swapping the binary")
            do {
                return .operationFinished(ReviewText.message(try SwapOperation(binary: path, checksums: nil, inspector: inspector, cluster: snapshot?.cluster).run(force: nil)))
            } catch { return ReviewText.failure("swap", error) }
        case .restart:
            do {
                return .operationFinished(ReviewText.message(try await RestartOperation(inspector: inspector, client: client).run(progress: progress)))
            } catch { return ReviewText.failure("restart", error) }
        case .rollback:
            do {
                progress("reinstalling the newest backup")
                let rolled = try RollbackOperation(inspector: inspector).run()
                let restarted = try await RestartOperation(inspector: inspector, client: client).run(progress: progress)
                return .operationFinished(Message(text: rolled.summary + "; " + restarted.summary, severity: .ok))
            } catch { return ReviewText.failure("rollback", error) }
        case let .completePath(text):
            return .completion(PathCompletion.complete(text, list: PathCompletion.listDirectory))
        case .quit, .repaint:
            return .operationFinished(Message(text: "", severity: .info))
        }
    }
}

enum SkipEffect {
    static func perform(_ effect: Effect, inspector: LocalInspector, snapshot: DashboardSnapshot?) async -> Message {
        let (mode, file): (SkipOperation.Mode, String)
        switch effect {
        case let .skip(path): (mode, file) = (.skip, path)
        case let .unskip(path): (mode, file) = (.unskip, path)
        default: return Message(text: "", severity: .info)
        }
        let name = (file as NSString).lastPathComponent
        let result = await Task.detached { () -> Result<[SkipOutcome], Error> in
            Result { try SkipOperation(mode: mode, names: [name], dryRun: false, inspector: inspector).run() }
        }.value
        switch result {
        case let .success(outcomes):
            guard let outcome = outcomes.first else { return Message(text: "nothing to do", severity: .info) }
            var text: String
            switch outcome.action {
            case .created: text = "skipped \(name) (\(name).skip created)"
            case .alreadySkipped: text = "\(name) was already skipped"
            case .removed: text = "unskipped \(name): rke2 applies it again"
            case .notSkipped: text = "\(name) was not skipped"
            case .restored, .keptAsBackup: text = outcome.detail
            }
            if outcome.changed, let snapshot {
                let others = ThisNode.otherControlPlaneNodes(snapshot.local, in: snapshot.cluster)
                if !others.isEmpty { text += "; do the same on \(others.joined(separator: ", "))" }
            }
            return Message(text: text, severity: outcome.changed ? .ok : .info)
        case let .failure(error):
            return Message(text: "\(mode.rawValue) \(name) failed: \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error)
        }
    }
}

extension PathCompletion {
    static func listDirectory(_ dir: String) -> [(String, Bool)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            return (name, isDirectory.boolValue)
        }
    }
}
