import Foundation
import UpgradeModel

/// `--demo`: skip markers are real files in the demo's scratch tree; plans are prepared and written by
/// the real plan operation against the demo's in-memory API server (audited in the scratch tree); swap,
/// restart and rollback act on the simulated node (they need root and a real rke2 binary).
struct DemoOperations: DashboardOperations {
    let node: DemoNode
    let namespace: String

    var planOperation: PlanOperation {
        PlanOperation(client: node.cluster.api, namespace: namespace, local: node) { try DemoCluster.resolveChannel($0) }
    }

    func perform(_ effect: Effect, snapshot: DashboardSnapshot?, progress: @escaping @Sendable (String) -> Void) async -> Event {
        let cluster = node.cluster
        switch effect {
        case .skip, .unskip:
            return .operationFinished(await SkipEffect.perform(effect, inspector: node.inspector, snapshot: snapshot))
        case let .preparePlan(text):
            // The real plan operation, against the demo's API server; only the channel server is simulated.
            do {
                let target = try UpgradeTarget.parse(version: RKE2Version(text) != nil ? text : nil, channel: RKE2Version(text) == nil ? text : nil)
                progress("checking \(target.description)")
                var review = ReviewText.plan(try await planOperation.prepare(target: target))
                review.title += " (demo: applied to the simulated cluster)"
                return .reviewReady(review)
            } catch { return ReviewText.failure("plan", error) }
        case let .applyPlan(prepared):
            progress("applying the plans to the simulated cluster")
            do {
                return .operationFinished(ReviewText.message(try await planOperation.apply(prepared, force: nil)))
            } catch { return ReviewText.failure("plan", error) }
        case let .prepareSwap(path):
            guard POSIX.fileInfo(path) != nil else { return .inputRejected("\(path) does not exist (the demo's newer rke2 is \(node.downloadPath))") }
            let installed = cluster.localVersions.installed.flatMap(RKE2Version.init)
            let new = RKE2Version(DemoCluster.to)!
            var checks = [PreflightCheck("executable", .pass, "demo: \(path) stands for an rke2 \(new) binary"),
                          PreflightCheck("version", .pass, "demo: --version reports \(new)"),
                          PreflightCheck("checksum", .warn, "demo: no sha256sum-\(HostArch.current).txt beside it: not verified")]
            if let installed {
                checks.append(PreflightCheck("no downgrade", installed > new ? .fail : .pass, "\(installed) → \(new)"))
                checks.append(PreflightCheck("no minor skip", installed.minorDistance(to: new) > 1 ? .fail : .pass, "\(installed.minorLine) → \(new.minorLine)"))
            }
            let prepared = SwapPreparation(source: path, staged: path, target: node.paths.rke2Binary ?? "", newVersion: new, newSha: "demo-\(new)",
                                           currentVersion: installed, currentSha: installed.map { "demo-\($0)" }, checks: checks)
            return .reviewReady(ReviewText.swap(prepared))
        case .swap:
            progress("swapping the binary (simulated)")
            try? await Task.sleep(nanoseconds: 600_000_000)
            cluster.installLocal(DemoCluster.to)
            return .operationFinished(Message(text: "installed \(DemoCluster.to) (simulated); restart (r) to run it", severity: .ok))
        case .restart:
            for second in 1...3 {
                progress("waiting for the new rke2 process (\(second) s, simulated)")
                try? await Task.sleep(nanoseconds: 700_000_000)
            }
            let before = cluster.localVersions
            cluster.restartLocal()
            if before.installed == before.running {
                return .operationFinished(Message(text: "rke2 already runs the installed binary: nothing to restart", severity: .info))
            }
            return .operationFinished(Message(text: "restarted rke2 (simulated): now runs \(cluster.localVersions.running ?? "?")", severity: .ok))
        case .prepareRollback:
            let installed = cluster.localVersions.installed.flatMap(RKE2Version.init)
            let backup = BinaryInstaller.Backup(path: node.paths.backupsDir + "/rke2-demo-\(DemoCluster.from)", name: "rke2-demo-\(DemoCluster.from)",
                                                version: RKE2Version(DemoCluster.from), tag: nil)
            let prepared = RollbackPreparation(backup: backup, backupSha: "demo-\(DemoCluster.from)", installedPath: node.paths.rke2Binary ?? "",
                                               installedVersion: installed, installedSha: installed.map { "demo-\($0)" },
                                               alreadyInstalled: installed == RKE2Version(DemoCluster.from), running: true)
            return .reviewReady(ReviewText.rollback(prepared))
        case .rollback:
            progress("reinstalling the newest backup (simulated)")
            try? await Task.sleep(nanoseconds: 600_000_000)
            cluster.installLocal(DemoCluster.from)
            cluster.restartLocal()
            return .operationFinished(Message(text: "reinstalled \(DemoCluster.from) and restarted (simulated)", severity: .ok))
        case let .completePath(text):
            return .completion(PathCompletion.complete(text, list: PathCompletion.listDirectory))
        case .discardSwap:
            return .operationFinished(Message(text: "cancelled: nothing was changed", severity: .info))
        case let .prepareRunbook(text):
            do {
                let target = try UpgradeTarget.parse(version: text, channel: nil)
                return ReviewText.runbook(try await planOperation.prepare(target: target), namespace: namespace)
            } catch { return ReviewText.failure("runbook", error) }
        case let .prepareSnapshot(target):
            let name = SnapshotOperation.defaultName(target: target)
            let process = RKE2Process(pid: 31343, role: .server, arguments: ["server"], argv0: "/usr/local/bin/rke2", exe: "/usr/local/bin/rke2",
                                      exeDeleted: false, children: [])
            let prepared = SnapshotPreparation(name: name, process: process, version: RKE2Version(DemoCluster.from), dataDir: node.paths.dataDir,
                                               snapshotsDir: node.paths.snapshotsDir, arguments: ["etcd-snapshot", "save", "--name", name])
            var review = ReviewText.snapshot(prepared)
            review.title += " (demo: simulated)"
            return .reviewReady(review)
        case let .takeSnapshot(prepared):
            for line in ["Saving etcd snapshot to \(prepared.snapshotsDir) (simulated)", "Snapshot \(prepared.name)-server-3 saved."] {
                progress(line)
                try? await Task.sleep(nanoseconds: 700_000_000)
            }
            let file = prepared.snapshotsDir + "/\(prepared.name)-server-3-\(Int(Date().timeIntervalSince1970))"
            FileManager.default.createFile(atPath: file, contents: Data("demo: stands for an etcd snapshot\n".utf8))
            return .operationFinished(Message(text: "etcd snapshot saved: \(file)", severity: .ok))
        case .injectFailure:
            return .operationFinished(Message(text: node.cluster.injectFailure(), severity: .warn))
        case .quit, .repaint, .interruptAndQuit, .listContexts, .switchContext, .readJournal:
            return .operationFinished(Message(text: "", severity: .info))
        }
    }
}
