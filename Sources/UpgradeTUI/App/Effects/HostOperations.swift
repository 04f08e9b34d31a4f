import Foundation
import UpgradeModel

/// The real thing: this node's files and processes, and the cluster through the kubeconfig. Every
/// mutating effect carries the value that was prepared and reviewed; nothing is kept here between the
/// review and the confirmation.
struct HostOperations: DashboardOperations {
    let inspector: LocalInspector
    let namespace: String
    /// The API the dashboard shows now: it follows a context switch.
    let api: @Sendable () async -> (any KubeAPI)?

    init(inspector: LocalInspector, namespace: String, api: @escaping @Sendable () async -> (any KubeAPI)?) {
        self.inspector = inspector.resolved()
        self.namespace = namespace
        self.api = api
    }

    func perform(_ effect: Effect, snapshot: DashboardSnapshot?, progress: @escaping @Sendable (String) -> Void) async -> Event {
        let client = await api()
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
        case let .prepareRunbook(text):
            guard let client else { return .operationFinished(Message(text: "the runbook needs the cluster: no usable kubeconfig", severity: .error)) }
            do {
                let target = try UpgradeTarget.parse(version: text, channel: nil)
                let prepared = try await PlanOperation(client: client, namespace: namespace, inspector: inspector).prepare(target: target)
                return ReviewText.runbook(prepared, namespace: namespace)
            } catch { return ReviewText.failure("runbook", error) }
        case let .prepareSnapshot(target):
            do {
                return .reviewReady(ReviewText.snapshot(try SnapshotOperation(inspector: inspector).prepare(target: target)))
            } catch { return ReviewText.failure("snapshot", error) }
        case let .takeSnapshot(prepared):
            do {
                let result = try await SnapshotOperation(inspector: inspector).perform(prepared, progress: progress)
                return .operationFinished(Message(text: "etcd snapshot saved: \(result.file ?? prepared.snapshotsDir)", severity: .ok))
            } catch { return ReviewText.failure("snapshot", error) }
        case .injectFailure:
            return .operationFinished(Message(text: "only the demo can make things fail", severity: .info))
        case .quit, .repaint, .interruptAndQuit, .listContexts, .switchContext, .readJournal:
            return .operationFinished(Message(text: "", severity: .info))
        }
    }

    private func swapOperation(_ path: String, _ snapshot: DashboardSnapshot?) -> SwapOperation {
        SwapOperation(binary: path, checksums: nil, inspector: inspector, cluster: snapshot?.cluster)
    }
}
