import Foundation
import UpgradeModel

/// Ready-made clusters to seed the emulator with, built by `ObjectFactory`.
public enum ClusterScenario {
    public typealias F = ObjectFactory

    /// The mid-upgrade cluster's objects, as `SnapshotFixtures.midUpgradeCache` holds them: three servers
    /// (server-1 done, server-2 applying and cordoned, server-3 pending), two agents, both plans, their
    /// Jobs and the controller. One definition for the emulator's seed and the in-memory cache.
    public struct MidUpgrade: Sendable {
        public let nodes: [KNode]
        public let serverPlan: KPlan
        public let agentPlan: KPlan
        public let jobs: [KJob]
        public let controller: KDeployment

        public init(failedJob: Bool = false) {
            serverPlan = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
            agentPlan = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
            let hash = serverPlan.status!.latestHash!
            nodes = [
                F.node("server-1", version: "v1.32.2+rke2r1", planLabels: ["server-plan": hash], ip: "10.0.0.11"),
                F.node("server-2", version: "v1.31.6+rke2r1", unschedulable: true, ip: "10.0.0.12"),
                F.node("server-3", version: "v1.31.6+rke2r1", ip: "10.0.0.13"),
                F.node("agent-1", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.21"),
                F.node("agent-2", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.22"),
            ]
            jobs = [F.job(plan: serverPlan, node: "server-1", state: .complete),
                    F.job(plan: serverPlan, node: "server-2", state: failedJob ? .failed : .running,
                          message: failedJob ? "Back-off pulling image rancher/rke2-upgrade:v1.32.2-rke2r1" : nil)]
            controller = F.controller()
        }
    }

    /// The mid-upgrade cluster for the emulator, with the CRDs, the namespaces, and Addons and HelmCharts
    /// for the given manifest checksums and chart versions.
    public static func midUpgrade(addonChecksums: [String: String] = [:], charts: [String: String] = [:]) -> [JSONValue] {
        let cluster = MidUpgrade()
        var objects: [JSONValue] = F.crds + [F.namespaceObject("system-upgrade"), F.namespaceObject("kube-system")]
        objects += cluster.nodes.map(F.json)
        objects += [F.json(cluster.serverPlan), F.json(cluster.agentPlan)]
        objects += cluster.jobs.map(F.json)
        objects.append(F.json(cluster.controller))
        objects += addonChecksums.sorted { $0.key < $1.key }.map { F.json(F.addon($0.key, checksum: $0.value)) }
        objects += charts.sorted { $0.key < $1.key }.map { F.json(F.helmChart($0.key, chartVersion: $0.value)) }
        return objects
    }

    public static func any(_ objects: [JSONValue]) -> [[String: Any]] {
        objects.compactMap { value in
            (try? JSONSerialization.jsonObject(with: Data(value.serialized().utf8))) as? [String: Any]
        }
    }
}
