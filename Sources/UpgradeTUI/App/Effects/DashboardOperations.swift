import Foundation
import UpgradeModel

/// Performs the dashboard's effects that touch the world and answers with an event for the reducer.
/// Never constructed in `--watch`: a read-only dashboard has no object that could change anything.
protocol DashboardOperations: Sendable {
    func perform(_ effect: Effect, snapshot: DashboardSnapshot?, progress: @escaping @Sendable (String) -> Void) async -> Event
}
