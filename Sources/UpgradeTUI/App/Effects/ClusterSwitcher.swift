import Foundation
import UpgradeModel

/// The context picker's effects: list the kubeconfig's contexts, and switch the store to another one.
/// Read-only (a switch sends only GET/WATCH), so it exists in `--watch` too; the demo has none.
struct ClusterSwitcher: Sendable {
    /// The kubeconfig in use; nil: none was found.
    let kubeconfig: String?
    let store: DashboardStore

    func perform(_ effect: Effect) async -> Event? {
        switch effect {
        case .listContexts:
            guard let kubeconfig else { return .contextsUnavailable("no kubeconfig: there is no other context to show") }
            do {
                let (names, current) = try Kubeconfig.contexts(path: kubeconfig)
                guard !names.isEmpty else { return .contextsUnavailable("kubeconfig \(kubeconfig) has no contexts") }
                let shown = await store.api?.context ?? current
                return .contextsListed(ContextPicker(kubeconfig: kubeconfig, names: names, current: shown,
                                                     selected: names.firstIndex { $0 == shown } ?? 0))
            } catch {
                return .contextsUnavailable((error as? UpgradeError)?.message ?? "\(error)")
            }
        case let .switchContext(name):
            guard let kubeconfig else { return .contextsUnavailable("no kubeconfig") }
            do {
                let client = try KubeClient(access: Kubeconfig.load(path: kubeconfig, context: name))
                await store.switchCluster(to: .kube(client))
                return .operationFinished(Message(text: "showing context \(name) (\(client.server))", severity: .ok))
            } catch {
                return .operationFinished(Message(text: "context \(name): \((error as? UpgradeError)?.message ?? "\(error)")", severity: .error))
            }
        default:
            return nil
        }
    }
}
