import Foundation
import UpgradeModel

/// Ready-made clusters to seed the emulator with, built by `ObjectFactory`.
public enum ClusterScenario {
    public typealias F = ObjectFactory

    /// Three servers (one done, one applying, one pending), two agents, both plans, the controller,
    /// Addons and HelmCharts for the given manifest checksums.
    public static func midUpgrade(addonChecksums: [String: String] = [:], charts: [String: String] = [:]) -> [JSONValue] {
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
        let hash = server.status!.latestHash!
        var objects: [JSONValue] = F.crds + [F.namespaceObject("system-upgrade"), F.namespaceObject("kube-system")]
        objects += [
            F.json(F.node("server-1", version: "v1.32.2+rke2r1", planLabels: ["server-plan": hash], ip: "10.0.0.11")),
            F.json(F.node("server-2", version: "v1.31.6+rke2r1", unschedulable: true, ip: "10.0.0.12")),
            F.json(F.node("server-3", version: "v1.31.6+rke2r1", ip: "10.0.0.13")),
            F.json(F.node("agent-1", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.21")),
            F.json(F.node("agent-2", version: "v1.31.6+rke2r1", server: false, ip: "10.0.0.22")),
            F.json(server), F.json(agent),
            F.json(F.job(plan: server, node: "server-1", state: .complete)),
            F.json(F.job(plan: server, node: "server-2", state: .running)),
            F.json(F.controller()),
        ]
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
