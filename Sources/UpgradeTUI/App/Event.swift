import Foundation
import UpgradeModel

/// Everything that changes the dashboard: keys, the terminal's size, new snapshots, the clock, and what
/// the operations it started answer.
enum Event: Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// A snapshot from the store; one older than the one shown is dropped.
    case snapshot(DashboardSnapshot)
    /// The clock, for the one text that depends on it (the reconnect countdown).
    case tick(Date)
    case operationFinished(Message)
    /// A line of progress from a running operation.
    case progress(String)
    /// A prepared plan or swap to review; or why it could not be prepared.
    case reviewReady(Review)
    /// The input of the open dialog could not be used (a swap path that does not exist): said inside it.
    case inputRejected(String)
    case completion(PathCompletion.Result)
    /// A document to read (the runbook): shown in the details pager.
    case document(title: String, lines: [String])
    /// What journalctl answered, and when.
    case journalRead(JournalReader.Outcome, at: Date)
    /// The kubeconfig's contexts, for the picker; or why there are none to pick from.
    case contextsListed(ContextPicker)
    case contextsUnavailable(String)
}
