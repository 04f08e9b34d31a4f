import Foundation

/// The simulated cluster behind `--demo`: three servers and three agents mid-way through an upgrade
/// from v1.31.6 to v1.32.2, progressing the way SUC does (one node at a time, servers first, cordon,
/// Job, plan label, uncordon), so the dashboard has something live to show without a cluster. The
/// objects live in an `InMemoryKubeAPI`: the dashboard watches it and the plan operation writes to it
/// exactly as they would a real API server; this class plays the controllers (SUC and the nodes).
public final class DemoCluster: @unchecked Sendable {
    /// The demo's API server.
    public let api = InMemoryKubeAPI(server: "demo")

    public static let from = "v1.31.6+rke2r1"
    public static let to = "v1.32.2+rke2r1"
    /// The node upgrade-tui "runs on" in the demo: pending at first, upgraded by its Job later.
    public let localNodeName = "server-3"

    private let lock = NSLock()
    /// The demo node's installed and running rke2 when the operator swapped or restarted it by hand.
    private var installedOverride: String?
    private var runningOverride: String?
    private var task: Task<Void, Never>?
    private var stepCount = 0
    public let stepInterval: TimeInterval

    public init(stepInterval: TimeInterval = 4) {
        self.stepInterval = stepInterval
        typealias F = ObjectFactory
        let server = F.resolved(F.serverPlan(version: Self.to), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: Self.to), complete: false, reason: "SyncJob")
        let hash = server.status!.latestHash!
        var cache = ClusterCache()
        cache.apply(.replace([
            F.node("server-1", version: Self.to, planLabels: ["server-plan": hash], ip: "10.0.0.11"),
            F.node("server-2", version: Self.from, unschedulable: true, ip: "10.0.0.12"),
            F.node(localNodeName, version: Self.from, ip: "10.0.0.13"),
            F.node("agent-1", version: Self.from, server: false, ip: "10.0.0.21"),
            F.node("agent-2", version: Self.from, server: false, ip: "10.0.0.22"),
            F.node("agent-gpu-with-a-rather-long-hostname-3", version: Self.from, server: false, planLabels: ["agent-plan": "disabled"], ip: "10.0.0.23"),
        ]), to: \.nodes, kind: .nodes)
        cache.apply(.replace([server, agent]), to: \.plans, kind: .plans)
        cache.apply(.replace([F.job(plan: server, node: "server-1", state: .complete), F.job(plan: server, node: "server-2", state: .running)]),
                    to: \.jobs, kind: .jobs)
        cache.apply(.replace([F.controller()]), to: \.deployments, kind: .deployments)
        store(cache, previous: ClusterCache())
    }

    /// The objects as the API holds them now.
    public var cache: ClusterCache {
        var cache = ClusterCache()
        let namespace = ObjectFactory.namespace
        cache.apply(.replace(api.objects(.nodes) as [KNode]), to: \.nodes, kind: .nodes)
        cache.apply(.replace(api.objects(.plans(namespace)) as [KPlan]), to: \.plans, kind: .plans)
        cache.apply(.replace(api.objects(.jobs(namespace)) as [KJob]), to: \.jobs, kind: .jobs)
        cache.apply(.replace(api.objects(.addons) as [KAddon]), to: \.addons, kind: .addons)
        cache.apply(.replace(api.objects(.helmCharts) as [KHelmChart]), to: \.helmCharts, kind: .helmCharts)
        cache.apply(.replace(api.objects(.deployments(namespace)) as [KDeployment]), to: \.deployments, kind: .deployments)
        return cache
    }

    /// Writes what changed between two caches to the API, as the controllers would.
    private func store(_ cache: ClusterCache, previous: ClusterCache) {
        let namespace = ObjectFactory.namespace
        func write<T: KubeObject>(_ path: KeyPath<ClusterCache, [String: T]>, _ resource: KubeResource) {
            for (key, object) in cache[keyPath: path] where previous[keyPath: path][key] != object {
                api.upsert(object, in: resource)
            }
        }
        write(\.nodes, .nodes)
        write(\.plans, .plans(namespace))
        write(\.jobs, .jobs(namespace))
        write(\.addons, .addons)
        write(\.helmCharts, .helmCharts)
        write(\.deployments, .deployments(namespace))
    }

    /// Runs the simulated controllers: one reconcile every `stepInterval`.
    public func start() {
        guard task == nil else { return }
        let interval = stepInterval
        task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                guard let self else { return }
                self.step()
            }
        }
    }

    public func stop() {
        task?.cancel()
        task = nil
    }

    /// Adds the Addons and HelmCharts for the demo node's manifests (checksums of the real files).
    public func setAddons(_ addons: [KAddon], charts: [KHelmChart]) {
        addons.forEach { api.upsert($0, in: .addons) }
        charts.forEach { api.upsert($0, in: .helmCharts) }
    }

    /// One SUC reconcile: resolve Plans written since (as SUC does: status, latest version and hash),
    /// then finish the applying node, or start the next eligible one. False when idle.
    @discardableResult
    public func step() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let previous = cache
        var state = previous
        let changed = reconcile(&state)
        store(state, previous: previous)
        return changed
    }

    private func reconcile(_ state: inout ClusterCache) -> Bool {
        stepCount += 1
        var resolvedAny = false
        for (key, plan) in state.plans.sorted(by: { $0.key < $1.key }) {
            // A Plan the operator applied: SUC resolves it (a channel to the demo's target) and starts
            // over for the nodes not at its new hash.
            let latest = RKE2Version(plan.spec?.version ?? Self.to)?.munged
            guard plan.status?.latestHash == nil || plan.status?.latestVersion != latest else { continue }
            var withVersion = plan
            withVersion.spec?.version = plan.spec?.version ?? Self.to
            var resolved = ObjectFactory.resolved(withVersion, complete: false, reason: "Resolved")
            resolved.spec?.version = plan.spec?.version
            state.plans[key] = resolved
            resolvedAny = true
        }
        if resolvedAny { return true }
        for planName in ["server-plan", "agent-plan"] {
            guard var plan = state.plans["\(ObjectFactory.namespace)/\(planName)"], let hash = plan.status?.latestHash else { continue }
            if planName == "agent-plan" {
                let servers = state.plans["\(ObjectFactory.namespace)/server-plan"]
                if !(servers?.status?.applying ?? []).isEmpty { return false }
                let cpVersions = Set(state.nodes.values.filter { $0.metadata.label("node-role.kubernetes.io/control-plane") == "true" }
                    .compactMap { $0.status?.nodeInfo?.kubeletVersion })
                if cpVersions != [plan.spec?.version ?? Self.to] { continue }
            }
            let target = plan.spec?.version ?? Self.to
            if let applying = plan.status?.applying?.first, var node = state.nodes[applying] {
                // The Job finished: new kubelet, plan label, uncordon (SUC's handle_batch).
                node.status?.nodeInfo = .init(kubeletVersion: target)
                if applying == localNodeName {
                    // The job swapped the binary and restarted rke2 on the demo node.
                    installedOverride = target
                    runningOverride = target
                }
                node.metadata.labels?[Selection.planLabel(planName)] = hash
                node.spec?.unschedulable = nil
                node.metadata.resourceVersion = "\(stepCount)"
                state.nodes[applying] = node
                let job = ObjectFactory.job(plan: plan, node: applying, state: .complete)
                state.jobs[job.metadata.key] = job
                plan.status?.applying = nil
                state.plans[plan.metadata.key] = plan
                return true
            }
            let eligible = state.nodes.values.filter { Selection.eligible(plan, $0) }.sorted { $0.metadata.name < $1.metadata.name }
            if let next = eligible.first {
                var node = next
                node.spec?.unschedulable = true
                state.nodes[next.metadata.name] = node
                plan.status?.applying = [next.metadata.name]
                let conditions = Self.setting(plan.status?.conditions, KCondition(type: "Complete", status: "False", reason: "SyncJob"))
                plan.status?.conditions = conditions
                state.plans[plan.metadata.key] = plan
                let job = ObjectFactory.job(plan: plan, node: next.metadata.name, state: .running)
                state.jobs[job.metadata.key] = job
                return true
            }
            if plan.status?.conditions?.condition("Complete")?.isTrue != true {
                let conditions = Self.setting(plan.status?.conditions, KCondition(type: "Complete", status: "True", reason: "Complete"))
                plan.status?.conditions = conditions
                state.plans[plan.metadata.key] = plan
                return true
            }
        }
        return false
    }

    static func setting(_ conditions: [KCondition]?, _ condition: KCondition) -> [KCondition] {
        (conditions ?? []).filter { $0.type != condition.type } + [condition]
    }

    /// The demo node's kubelet version as the cluster sees it.
    public var localNodeVersion: String? {
        localNode?.status?.nodeInfo?.kubeletVersion
    }

    private var localNode: KNode? {
        (api.objects(.nodes) as [KNode]).first { $0.metadata.name == localNodeName }
    }

    /// Installed and running rke2 on the demo node.
    public var localVersions: (installed: String?, running: String?) {
        lock.lock()
        defer { lock.unlock() }
        let node = localNodeVersion
        let installed = installedOverride ?? node
        return (installed, runningOverride ?? installedOverride ?? node)
    }

    /// The operator swapped the demo node's binary.
    public func installLocal(_ version: String) {
        lock.lock()
        if runningOverride == nil { runningOverride = installedOverride ?? localNodeVersion }
        installedOverride = version
        lock.unlock()
    }

    /// The operator restarted rke2 on the demo node: it runs the installed binary; its kubelet says so.
    public func restartLocal() {
        lock.lock()
        if let installed = installedOverride, var node = localNode {
            runningOverride = installed
            node.status?.nodeInfo = .init(kubeletVersion: installed)
            api.upsert(node, in: .nodes)
        }
        lock.unlock()
    }
}
