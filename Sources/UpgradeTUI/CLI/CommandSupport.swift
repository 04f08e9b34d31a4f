import ArgumentParser
import Foundation
import UpgradeModel

/// Asks before a change: `--yes` answers for scripts; without a terminal and without `--yes` the
/// command refuses rather than guess.
enum Confirm {
    static func ask(_ question: String, yes: Bool) throws {
        if yes { return }
        guard isatty(0) != 0 else {
            throw UpgradeError.refused("\(question) needs a confirmation: pass --yes (no terminal to ask on)")
        }
        Console.prompt("\(question) [y/N] ")
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased(), answer == "y" || answer == "yes" else {
            throw UpgradeError.refused("cancelled")
        }
    }
}

/// `--force REASON`: the reason is recorded in the audit log, so it cannot be empty.
enum ForceReason {
    static func validate(_ force: String?) throws {
        if let force, force.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--force needs a reason (it is recorded in the audit log), e.g. --force \"lab cluster, skip tested\"")
        }
    }
}

enum CheckText {
    static func lines(_ checks: [PreflightCheck]) -> [String] {
        checks.map { check in
            let mark: String
            switch check.status {
            case .pass: mark = "pass"
            case .warn: mark = "WARN"
            case .fail: mark = "FAIL"
            }
            return "  \(mark)  \(DisplayWidth.pad(check.name, to: 18))\(check.reason)"
        }
    }
}

/// The cluster's state for checks that need it (swap's order rule); nil when there is no cluster.
enum ClusterPeek {
    static func status(_ global: GlobalOptions) async -> ClusterStatus? {
        guard case let .connected(client)? = try? ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment, context: global.context) else {
            return nil
        }
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: global.namespace))
        await client.shutdown()
        return ClusterDerivation.derive(cache, namespace: global.namespace, server: client.access.server)
    }
}
