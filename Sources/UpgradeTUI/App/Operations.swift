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
        return Review(kind: .plan(prepared), title: "Plan \(prepared.targetText)", lines: lines, scroll: 0,
                      typeToConfirm: confirm, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func swap(_ prepared: SwapPreparation) -> Review {
        var lines = ["\(prepared.target): \(prepared.currentVersion?.description ?? "?") → \(prepared.newVersion?.description ?? "?")",
                     "new binary: \(prepared.source)", "sha256 \(prepared.newSha ?? "?") (a private copy: these bytes are what y installs)", ""]
        lines += checkLines(prepared.checks, unicode: true)
        lines += ["", prepared.alreadyInstalled ? "These bytes are already installed: confirming changes nothing."
                  : "The old binary is kept as a backup; rke2 keeps running it until you restart (r)."]
        return Review(kind: .swap(prepared), title: "Swap to \(prepared.newVersion?.description ?? prepared.source)",
                      lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: !prepared.failures.isEmpty)
    }

    static func rollback(_ prepared: RollbackPreparation) -> Review {
        let from = prepared.installedVersion?.description ?? "the installed binary"
        let to = prepared.backup.version?.description ?? prepared.backup.name
        var lines = ["\(prepared.installedPath): \(from) → \(to)",
                     "backup: \(prepared.backup.path)", "sha256 \(prepared.backupSha)", ""]
        if prepared.alreadyInstalled {
            lines.append("This backup is installed already: confirming only restarts rke2 if it still runs the old binary.")
        } else {
            lines.append("Reinstalls this backup (the replaced binary is kept), then restarts rke2.")
        }
        if let installed = prepared.installedVersion, let restored = prepared.backup.version, installed.minor != restored.minor {
            lines += ["", "A minor-version rollback also needs the etcd snapshot taken on \(restored.minorLine) restored (RKE2 docs: roll-back)."]
        }
        return Review(kind: .rollback(prepared), title: "Roll back to \(to)", lines: lines, scroll: 0, typeToConfirm: nil, typed: "", blocked: false)
    }

    static func message(_ outcome: OperationOutcome) -> Message {
        Message(text: ([outcome.summary] + outcome.details.prefix(1)).joined(separator: "; "), severity: outcome.changed ? .ok : .info)
    }

    static func failure(_ what: String, _ error: Error) -> Event {
        .operationFinished(Message(text: "\(what) failed: \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error))
    }
}

/// The real thing: this node's files and processes, and the cluster through the kubeconfig. Every
/// mutating effect carries the value that was prepared and reviewed; nothing is kept here between the
/// review and the confirmation.
struct HostOperations: DashboardOperations {
    let inspector: LocalInspector
    let namespace: String
    let client: (any KubeAPI)?

    init(inspector: LocalInspector, namespace: String, client: (any KubeAPI)?) {
        self.inspector = inspector.resolved()
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
                return .reviewReady(ReviewText.plan(try await PlanOperation(client: client, namespace: namespace, inspector: inspector).prepare(target: target)))
            } catch { return ReviewText.failure("plan", error) }
        case let .applyPlan(prepared):
            guard let client else { return .operationFinished(Message(text: "plan needs the cluster: no usable kubeconfig", severity: .error)) }
            progress("applying the plans")
            do {
                return .operationFinished(ReviewText.message(try await PlanOperation(client: client, namespace: namespace, inspector: inspector).apply(prepared, force: nil)))
            } catch { return ReviewText.failure("plan", error) }
        case let .prepareSwap(path):
            progress("checking \(path)")
            do {
                return .reviewReady(ReviewText.swap(try swapOperation(path, snapshot).prepare()))
            } catch let error as UpgradeError where error.kind == .input {
                return .inputRejected(error.message)
            } catch { return ReviewText.failure("swap", error) }
        case let .swap(prepared):
            progress("swapping the binary")
            do {
                return .operationFinished(ReviewText.message(try swapOperation(prepared.source, snapshot).perform(prepared, force: nil)))
            } catch { return ReviewText.failure("swap", error) }
        case let .restart(identity):
            do {
                let operation = RestartOperation(inspector: inspector, client: client)
                let prepared = try operation.prepare()
                guard prepared.process?.identity == identity else {
                    return .operationFinished(Message(text: "restart: rke2 changed since you confirmed (now \(prepared.process.map { "pid \($0.pid)" } ?? "not running")); nothing was signalled", severity: .error))
                }
                return .operationFinished(ReviewText.message(try await operation.perform(prepared, progress: progress)))
            } catch { return ReviewText.failure("restart", error) }
        case .prepareRollback:
            do {
                return .reviewReady(ReviewText.rollback(try RollbackOperation(inspector: inspector).prepare()))
            } catch { return ReviewText.failure("rollback", error) }
        case let .rollback(prepared):
            do {
                progress("reinstalling \(prepared.backup.name)")
                let rolled = try RollbackOperation(inspector: inspector).perform(prepared)
                let restart = RestartOperation(inspector: inspector, client: client)
                let restarted = try await restart.perform(try restart.prepare(), progress: progress)
                return .operationFinished(Message(text: rolled.summary + "; " + restarted.summary, severity: .ok))
            } catch { return ReviewText.failure("rollback", error) }
        case let .discardSwap(prepared):
            SwapOperation.discard(prepared)
            return .operationFinished(Message(text: "cancelled: nothing was changed", severity: .info))
        case let .completePath(text):
            return .completion(PathCompletion.complete(text, list: PathCompletion.listDirectory))
        case .quit, .repaint, .interruptAndQuit:
            return .operationFinished(Message(text: "", severity: .info))
        }
    }

    private func swapOperation(_ path: String, _ snapshot: DashboardSnapshot?) -> SwapOperation {
        SwapOperation(binary: path, checksums: nil, inspector: inspector, cluster: snapshot?.cluster)
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
