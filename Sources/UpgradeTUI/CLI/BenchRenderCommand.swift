import ArgumentParser
import Foundation
import UpgradeModel

/// `upgrade-tui __bench-render --nodes 5000`: the in-process micro-benchmark behind bench/perf.py. It
/// builds a cluster of that many nodes in memory (no terminal, no I/O), then times rendering a frame and
/// applying a filter keystroke and rendering, in the binary as built. Hidden: a measuring tool, not a
/// command for operators; it reads and writes nothing.
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__bench-render", abstract: "Benchmark: frame and keystroke times.",
                                                    shouldDisplay: false)
    @Option var nodes = 5000
    @Option var repeats = 50
    @Option var width = 120
    @Option var height = 40

    func run() {
        typealias F = ObjectFactory
        let clock = ContinuousClock()
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
        var list: [KNode] = []
        for i in 0..<nodes {
            let isServer = i < 3
            let name = isServer ? "server-\(i + 1)" : String(format: "agent-%05d", i - 2)
            var node = F.node(name, version: i % 3 == 0 ? "v1.32.2+rke2r1" : "v1.31.6+rke2r1", server: isServer,
                              ip: "10.\((i >> 16) & 255).\((i >> 8) & 255).\(i & 255)")
            // As listed from an API server: every object has a uid and a resourceVersion.
            node.metadata.uid = "uid-\(i)"
            node.metadata.resourceVersion = String(i + 1)
            list.append(node)
        }
        var cache = ClusterCache()
        cache.apply(.replace(list), to: \.nodes, kind: .nodes)
        cache.apply(.replace([server, agent]), to: \.plans, kind: .plans)
        cache.apply(.replace([F.job(plan: server, node: "server-1", state: .complete), F.job(plan: server, node: "server-2", state: .running)]),
                    to: \.jobs, kind: .jobs)
        cache.apply(.replace([F.controller()]), to: \.deployments, kind: .deployments)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        let local = LocalNode(role: .server, hostname: "server-1", paths: HostPaths(dataDir: "/var/lib/rancher/rke2"), binary: nil,
                              running: nil, config: .emptyForErrors, problems: [])
        let memo = DerivationMemo()
        var snapshot = DashboardSnapshot(local: local, manifests: [], cluster: ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo),
                                         takenAt: Date())
        cache.clearNodeChanges()
        snapshot.sequence = 1
        let fullDerivation = clock.measure { _ = ClusterDerivation.derive(cache, namespace: F.namespace) }
        var dashboard = Dashboard(state: ViewState(readOnly: true), theme: .unicodeColor, width: width, height: height)

        var sink = 0
        let snapshotTime = clock.measure { _ = dashboard.handle(.snapshot(snapshot)) }
        var frames: [Double] = []
        for _ in 0..<repeats {
            frames.append(ms(clock.measure { sink &+= dashboard.render().width }))
        }
        // A node changes in the cache (a watch event), as in the store then the UI: derive with the store's
        // memo, compare with the snapshot shown, hand it to the dashboard, render.
        var changes: [Double] = []
        var published = snapshot
        for i in 0..<repeats {
            var node = cache.nodes["agent-00001"]!
            node.status?.nodeInfo?.kubeletVersion = i % 2 == 0 ? "v1.32.3+rke2r1" : "v1.31.6+rke2r1"
            node.metadata.resourceVersion = String(nodes + 1 + i)
            cache.apply(.upsert(node), to: \.nodes, kind: .nodes)
            changes.append(ms(clock.measure {
                var next = DashboardSnapshot(local: local, manifests: [], cluster: ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo),
                                             takenAt: Date())
                cache.clearNodeChanges()
                guard !next.sameContent(as: published) else { return }
                next.sequence = published.sequence + 1
                published = next
                _ = dashboard.handle(.snapshot(next))
                sink &+= dashboard.render().width
            }))
        }
        // A keystroke: open the filter, then type and erase one character; each is handle + render.
        _ = dashboard.handle(.key(.char("/")))
        var keys: [Double] = []
        for i in 0..<repeats {
            let key: Key = i % 2 == 0 ? .char("1") : .backspace
            keys.append(ms(clock.measure {
                _ = dashboard.handle(.key(key))
                sink &+= dashboard.render().width
            }))
        }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
        print("nodes \(nodes)")
        print("snapshot_ms \(ms(snapshotTime))")
        print("derive_ms \(ms(fullDerivation))")
        print("change_ms \(median(changes))")
        print("frame_ms \(median(frames))")
        print("key_ms \(median(keys))")
        if sink == 42 { print("") }
    }
}
