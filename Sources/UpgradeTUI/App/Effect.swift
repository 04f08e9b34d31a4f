import UpgradeModel

/// What the run loop performs; the reducer only decides.
enum Effect: Equatable, Sendable {
    case quit
    case repaint
    case skip(file: String)
    case unskip(file: String)
    case preparePlan(target: String)
    case applyPlan(PlanOperation.Prepared)
    case prepareSwap(path: String)
    case swap(SwapPreparation)
    /// A swap review was cancelled: its staged copy goes.
    case discardSwap(SwapPreparation)
    /// Restart the process that was on screen when confirmed (pid and start time); nil: rke2 was not running.
    case restart(ProcessIdentity?)
    case prepareRollback
    /// Check that this server can take an etcd snapshot, and name it after the plans' target.
    case prepareSnapshot(target: RKE2Version?)
    case takeSnapshot(SnapshotPreparation)
    /// The upgrade to a target as a reviewed document (what `upgrade-tui runbook` prints); reads only.
    case prepareRunbook(target: String)
    case rollback(RollbackPreparation)
    case completePath(String)
    /// Read this node's rke2 journal (the last lines; errors only or not).
    case readJournal(unit: String, errorsOnly: Bool)
    /// Read the kubeconfig's contexts (for the picker).
    case listContexts
    /// Show another cluster: the context's API server replaces the current one.
    case switchContext(String)
    /// `--demo` only: the simulated cluster fails somewhere (or recovers).
    case injectFailure
    /// Stop the running operation at its next safe point; the dashboard quits when it has finished.
    case interruptAndQuit

    /// Changes the node or the cluster (never produced in --watch: no binding leads here).
    var isMutating: Bool {
        switch self {
        case .skip, .unskip, .applyPlan, .swap, .restart, .rollback, .takeSnapshot: return true
        default: return false
        }
    }

    /// What the message line says while the effect runs; nil: it runs unseen (or not in the background).
    var busyText: String? {
        switch self {
        case let .skip(file): return "skipping \(file)"
        case let .unskip(file): return "unskipping \(file)"
        case let .preparePlan(target): return "checking \(target)"
        case let .applyPlan(prepared): return "applying the plans for \(prepared.targetText)"
        case let .prepareSwap(path): return "checking \(path)"
        case .swap: return "swapping the binary"
        case .restart: return "restarting rke2"
        case .prepareRollback: return "checking the backups"
        case .rollback: return "rolling back"
        case .prepareSnapshot: return "checking this server for an etcd snapshot"
        case let .takeSnapshot(prepared): return "saving etcd snapshot \(prepared.name)"
        case let .prepareRunbook(target): return "writing the runbook for \(target)"
        case .interruptAndQuit: return "stopping at the next safe step, then quitting"
        case let .switchContext(name): return "switching to context \(name)"
        case .quit, .repaint, .discardSwap, .completePath, .injectFailure, .listContexts, .readJournal: return nil
        }
    }
}
