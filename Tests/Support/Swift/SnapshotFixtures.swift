import Foundation
import UpgradeModel

/// Dashboard snapshots built in memory (no emulator, no /proc): inputs for render tests.
public enum SnapshotFixtures {
    public typealias F = ObjectFactory

    public static func localNode(hostname: String = "server-1", role: NodeRole = .server, installed: String = "v1.32.2+rke2r1",
                                 running: String? = "v1.31.6+rke2r1", disabled: [DisabledComponent] = []) -> LocalNode {
        let paths = HostPaths(dataDir: "/var/lib/rancher/rke2")
        let binary = InstalledBinary(path: "/usr/local/bin/rke2", version: RKE2Version(installed), sha256: String(repeating: "a", count: 64))
        let process = RKE2Process(pid: 4242, role: role, arguments: [role.rawValue], argv0: "/usr/local/bin/rke2", exe: "/usr/local/bin/rke2",
                                  exeDeleted: running != installed, children: [.init(pid: 4250, name: "containerd"), .init(pid: 4251, name: "kubelet")])
        let runningNode = running.map {
            RunningRKE2(process: process, runningSha256: $0 == installed ? binary.sha256 : String(repeating: "b", count: 64),
                        restartPending: $0 != installed, runningVersion: RKE2Version($0))
        }
        let config = RKE2Config(files: ["/etc/rancher/rke2/config.yaml"], values: [:], sources: [:], disabled: disabled)
        return LocalNode(role: role, hostname: hostname, paths: paths, binary: binary, running: runningNode, config: config, problems: [])
    }

    public static func manifest(_ file: String, state: ManifestState, sha: String? = "1111", skip: String? = nil,
                                disabledBy: String? = nil, addon: String? = nil, chart: String? = nil, present: Bool = true) -> ManifestStatus {
        let disabled = disabledBy.map { DisabledComponent(name: (file as NSString).deletingPathExtension, source: $0) }
        let manifestFile = ManifestFile(file: file, addon: ManifestScanner.addonName((file as NSString).lastPathComponent), present: present,
                                        sha256: present ? sha : nil, size: present ? 1024 : nil, modified: nil, skipMarker: skip,
                                        disabledBy: disabled, viaSymlink: false, localState: state)
        return ManifestStatus(file: manifestFile, state: state, addonChecksum: addon, chartVersion: chart)
    }

    public static func standardManifests() -> [ManifestStatus] {
        [
            manifest("rke2-canal.yaml", state: .applied, sha: "c1", addon: "c1", chart: "v3.28.1-build2024101500"),
            manifest("rke2-coredns.yaml", state: .outOfSync, sha: "d1", addon: "d0", chart: "1.36.102"),
            manifest("rke2-ingress-nginx.yaml", state: .disabled, disabledBy: "config.yaml", present: false),
            manifest("rke2-metrics-server.yaml", state: .pending, sha: "m1"),
            manifest("rke2-snapshot-controller.yaml", state: .skipped, sha: "s1", skip: "rke2-snapshot-controller.yaml.skip", addon: "s0", chart: "3.0.601"),
        ]
    }

    /// A cache holding these objects, every resource healthy (what a fully synced watch gives).
    public static func cache(nodes: [KNode] = [], plans: [KPlan] = [], jobs: [KJob] = [], addons: [KAddon] = [],
                             charts: [KHelmChart] = [], deployments: [KDeployment] = [], pods: [KPod] = [],
                             events: [KEvent] = []) -> ClusterCache {
        var cache = ClusterCache()
        cache.apply(.replace(nodes), to: \.nodes, kind: .nodes)
        cache.apply(.replace(plans), to: \.plans, kind: .plans)
        cache.apply(.replace(jobs), to: \.jobs, kind: .jobs)
        cache.apply(.replace(addons), to: \.addons, kind: .addons)
        cache.apply(.replace(charts), to: \.helmCharts, kind: .helmCharts)
        cache.apply(.replace(deployments), to: \.deployments, kind: .deployments)
        cache.apply(.replace(pods), to: \.pods, kind: .pods)
        cache.apply(.replace(events), to: \.events, kind: .events)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        return cache
    }

    /// The mid-upgrade cluster (`ClusterScenario.MidUpgrade`): server-1 done, server-2 applying, server-3 pending, two agents.
    public static func midUpgradeCache(extraNodes: [KNode] = [], failedJob: Bool = false) -> ClusterCache {
        let cluster = ClusterScenario.MidUpgrade(failedJob: failedJob)
        return cache(nodes: cluster.nodes + extraNodes, plans: [cluster.serverPlan, cluster.agentPlan], jobs: cluster.jobs,
                     deployments: [cluster.controller])
    }

    public static func midUpgrade(local: LocalNode = localNode(), manifests: [ManifestStatus] = standardManifests(),
                                  cache: ClusterCache = midUpgradeCache()) -> DashboardSnapshot {
        DashboardSnapshot(local: local, manifests: manifests, cluster: ClusterDerivation.derive(cache, namespace: "system-upgrade"),
                          takenAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    public static func unreachable(retryIn seconds: TimeInterval, now: Date) -> DashboardSnapshot {
        var cache = ClusterCache()
        cache.health["nodes"] = .unreachable("https://127.0.0.1:6443: connection refused", retryAt: now.addingTimeInterval(seconds))
        return DashboardSnapshot(local: localNode(), manifests: standardManifests(),
                                 cluster: ClusterDerivation.derive(cache, namespace: "system-upgrade"), takenAt: now)
    }
}
