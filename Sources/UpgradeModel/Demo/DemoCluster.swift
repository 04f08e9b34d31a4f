import Foundation

/// The simulated cluster behind `--demo`: three servers and three agents on v1.31.6, before an upgrade,
/// with the system-upgrade-controller installed and no Plans. The operator plans the upgrade (the real
/// plan operation writes the Plans); the simulated controllers then do what SUC and rke2-upgrade do:
/// resolve the Plans, upgrade the servers one at a time (cordon, Job, new kubelet, plan label,
/// uncordon), open the agent gate when every server runs the target, then upgrade the agents. The
/// objects live in an `InMemoryKubeAPI`, which the dashboard watches as it would a real API server.
/// `injectFailure` makes something go wrong (a Job that fails, a node that stays NotReady) so that the
/// hints can be seen; called again, it recovers.
public final class DemoCluster: @unchecked Sendable {
    /// The demo's API server.
    public let api = InMemoryKubeAPI(server: "demo")

    public static let from = "v1.31.6+rke2r1"
    /// What the demo's channels (stable, latest, v1.32) resolve to.
    public static let to = "v1.32.2+rke2r1"
    /// The node upgrade-tui "runs on" in the demo; its rke2 is replaced when its Job completes.
    public let localNodeName = "server-3"

    /// Something the operator injected with the demo's failure key.
    enum Injected {
        case failedJob(plan: String, node: String)
        case notReady(node: String)
    }

    private let lock = NSLock()
    /// The demo node's installed and running rke2 when the operator swapped or restarted it by hand.
    private var installedOverride: String?
    private var runningOverride: String?
    private var injected: Injected?
    private var task: Task<Void, Never>?
    private var stepCount = 0
    /// Seconds between two reconciles: with 6 nodes the upgrade takes about 2 minutes.
    public let stepInterval: TimeInterval

    public init(stepInterval: TimeInterval = 5) {
        self.stepInterval = stepInterval
        typealias F = ObjectFactory
        var cache = ClusterCache()
        cache.apply(.replace([
            F.node("server-1", version: Self.from, ip: "10.0.0.11"),
            F.node("server-2", version: Self.from, ip: "10.0.0.12"),
            F.node(localNodeName, version: Self.from, ip: "10.0.0.13"),
            F.node("agent-1", version: Self.from, server: false, ip: "10.0.0.21"),
            F.node("agent-2", version: Self.from, server: false, ip: "10.0.0.22"),
            F.node("agent-gpu-with-a-rather-long-hostname-3", version: Self.from, server: false, planLabels: ["agent-plan": "disabled"], ip: "10.0.0.23"),
        ]), to: \.nodes, kind: .nodes)
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
        cache.apply(.replace(api.objects(.pods(namespace)) as [KPod]), to: \.pods, kind: .pods)
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
            for (key, object) in previous[keyPath: path] where cache[keyPath: path][key] == nil {
                _ = api.delete(object, in: resource)
            }
        }
        write(\.nodes, .nodes)
        write(\.plans, .plans(namespace))
        write(\.jobs, .jobs(namespace))
        write(\.pods, .pods(namespace))
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

    /// One reconcile of the simulated controllers. False when there was nothing to do.
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

    /// What SUC does in one pass: resolve Plans written since (status, latest version and hash), then
    /// per Plan, finish the node it is applying or start the next eligible one (concurrency 1), or mark
    /// it complete. Server plans go first; an agent plan (its prepare step names the server plan) starts
    /// a node only when every control-plane node runs its version, as rke2-upgrade's prepare gate does.
    private func reconcile(_ state: inout ClusterCache) -> Bool {
        stepCount += 1
        var resolvedAny = false
        for (key, plan) in state.plans.sorted(by: { $0.key < $1.key }) {
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
        let plans = state.plans.values.sorted { ($0.spec?.prepare == nil ? 0 : 1, $0.metadata.name) < ($1.spec?.prepare == nil ? 0 : 1, $1.metadata.name) }
        for var plan in plans {
            guard let hash = plan.status?.latestHash else { continue }
            let target = plan.spec?.version ?? Self.to
            if case let .failedJob(failedPlan, _) = injected, failedPlan == plan.metadata.name { continue }
            if let serverPlan = plan.spec?.prepare?.args?.dropFirst().first {
                // The agent gate: rke2-upgrade's prepare waits while the server plan applies and until
                // every control-plane node runs the version.
                if !(state.plans["\(ObjectFactory.namespace)/\(serverPlan)"]?.status?.applying ?? []).isEmpty { continue }
                let servers = state.nodes.values.filter { $0.metadata.label("node-role.kubernetes.io/control-plane") == "true" }
                if Set(servers.compactMap { $0.status?.nodeInfo?.kubeletVersion }) != [target] { continue }
            }
            if let applying = plan.status?.applying?.first, var node = state.nodes[applying] {
                // The Job finished: new kubelet, plan label, uncordon (SUC's handle_batch).
                node.status?.nodeInfo = .init(kubeletVersion: target)
                if applying == localNodeName {
                    // The Job swapped the binary and restarted rke2 on the demo node.
                    installedOverride = target
                    runningOverride = target
                }
                node.metadata.labels?[Selection.planLabel(plan.metadata.name)] = hash
                node.spec?.unschedulable = nil
                state.nodes[applying] = node
                let job = ObjectFactory.job(plan: plan, node: applying, state: .complete)
                state.jobs[job.metadata.key] = job
                state.pods = state.pods.filter { $0.value.metadata.label("upgrade.cattle.io/node") != applying }
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

    /// The demo's channel server: stable, latest and v1.32 resolve to `to`; any other name is a 404.
    public static func resolveChannel(_ url: String) throws -> RKE2Version {
        let target = RKE2Version(to)!
        let name = String(url.split(separator: "/").last ?? "")
        guard ["stable", "latest", target.minorLine].contains(name) else {
            throw ChannelError("channel \(url) answered HTTP 404: no such channel (the demo knows stable, latest, \(target.minorLine))", unreachable: false)
        }
        return target
    }

    static func setting(_ conditions: [KCondition]?, _ condition: KCondition) -> [KCondition] {
        (conditions ?? []).filter { $0.type != condition.type } + [condition]
    }

    /// The demo's failure key. While a Plan applies a node, its Job fails (the upgrade container exits
    /// with an error, the Job reaches its backoff limit) and the Plan stays on that node, as SUC leaves
    /// it; otherwise an agent stops being Ready. Called again, it recovers: the Job is retried, the
    /// node is Ready again. Returns what it did, for the message line.
    public func injectFailure() -> String {
        lock.lock()
        defer { lock.unlock() }
        let previous = cache
        var state = previous
        defer { store(state, previous: previous) }
        switch injected {
        case let .failedJob(planName, nodeName)?:
            injected = nil
            if let plan = state.plans["\(ObjectFactory.namespace)/\(planName)"] {
                let job = ObjectFactory.job(plan: plan, node: nodeName, state: .running)
                state.jobs[job.metadata.key] = job
                state.pods = state.pods.filter { $0.value.metadata.label("upgrade.cattle.io/node") != nodeName }
            }
            return "demo: the Job on \(nodeName) was retried and runs again"
        case let .notReady(nodeName)?:
            injected = nil
            state.nodes[nodeName]?.status?.conditions = [KCondition(type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status")]
            return "demo: \(nodeName) is Ready again"
        case nil:
            if let plan = state.plans.values.sorted(by: { $0.metadata.name > $1.metadata.name }).first(where: { !($0.status?.applying ?? []).isEmpty }),
               let nodeName = plan.status?.applying?.first {
                let job = ObjectFactory.job(plan: plan, node: nodeName, state: .failed,
                                            message: "Job has reached the specified backoff limit")
                state.jobs[job.metadata.key] = job
                let failed = KPod.ContainerStatus(name: "upgrade", image: "rancher/rke2-upgrade", restartCount: 0,
                                                  state: .init(terminated: .init(reason: "Error", message: "cp: cannot create regular file '/host/usr/local/bin/rke2': Text file busy", exitCode: 1)))
                let pod = ObjectFactory.pod(of: job, phase: "Failed", statuses: [failed])
                state.pods[pod.metadata.key] = pod
                injected = .failedJob(plan: plan.metadata.name, node: nodeName)
                return "demo: the upgrade Job on \(nodeName) failed (press x again to retry it)"
            }
            let nodeName = "agent-1"
            state.nodes[nodeName]?.status?.conditions = [KCondition(type: "Ready", status: "False", reason: "KubeletNotReady",
                                                                      message: "container runtime network not ready: cni plugin not initialized")]
            injected = .notReady(node: nodeName)
            return "demo: \(nodeName) stays NotReady (press x again to recover)"
        }
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
