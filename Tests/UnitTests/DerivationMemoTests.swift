import TestSupport
@testable import UpgradeModel
import XCTest

/// The memo only saves work: after any sequence of changes, deriving with the store's memo gives what a
/// fresh derivation gives. Random changes (seeded, reproducible) of every kind the derivation reads.
final class DerivationMemoTests: XCTestCase {
    typealias F = ObjectFactory

    struct Cluster {
        var cache = ClusterCache()
        var revision = 0

        /// Every change bumps the object's resourceVersion, as the API server does.
        mutating func put(_ node: KNode) {
            var node = node
            revision += 1
            node.metadata.resourceVersion = String(revision)
            node.metadata.uid = node.metadata.uid ?? "uid-\(node.metadata.name)"
            cache.apply(.upsert(node), to: \.nodes, kind: .nodes)
        }
    }

    func testDerivingWithTheMemoEqualsDerivingAfresh() {
        var random = SplitMix(seed: 13)
        var cluster = Cluster()
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
        cluster.cache.apply(.replace([server, agent]), to: \.plans, kind: .plans)
        cluster.cache.apply(.replace([F.controller()]), to: \.deployments, kind: .deployments)
        for kind in ClusterCache.Kind.allCases { cluster.cache.health[kind.rawValue] = .ok }
        for i in 0..<40 {
            cluster.put(F.node(i < 3 ? "server-\(i + 1)" : "agent-\(i)", version: "v1.31.6+rke2r1", server: i < 3))
        }
        let memo = DerivationMemo()
        for step in 0..<400 {
            let names = cluster.cache.nodes.keys.sorted()
            let name = names[random.next(names.count)]
            var node = cluster.cache.nodes[name]!
            switch random.next(10) {
            case 0: // the kubelet reports a new version
                node.status?.nodeInfo?.kubeletVersion = random.next(2) == 0 ? "v1.32.2+rke2r1" : "v1.31.6+rke2r1"
                cluster.put(node)
            case 1: // SUC labels the node done for a plan, or the operator opts it out
                let plan = random.next(2) == 0 ? server : agent
                node.metadata.labels?[Selection.planLabel(plan.metadata.name)] = random.next(3) == 0 ? "disabled" : plan.status?.latestHash
                cluster.put(node)
            case 2: // cordoned, not ready, annotated by Cluster API
                node.spec?.unschedulable = random.next(2) == 0 ? true : nil
                node.status?.conditions = [KCondition(type: "Ready", status: random.next(2) == 0 ? "True" : "False", reason: "KubeletReady")]
                if random.next(4) == 0 { node.metadata.annotations?["cluster.x-k8s.io/machine"] = "m-\(step)" }
                cluster.put(node)
            case 3: // a node joins or leaves
                if random.next(2) == 0 {
                    cluster.put(F.node("agent-new-\(step)", version: "v1.31.6+rke2r1", server: false))
                } else if names.count > 5 {
                    cluster.cache.apply(.delete(node), to: \.nodes, kind: .nodes)
                }
            case 4: // SUC moves a plan's applying list
                let applying = [names[random.next(names.count)]]
                let plans = [F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: applying),
                             F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), applying: random.next(2) == 0 ? [] : applying,
                                        complete: false, reason: random.next(3) == 0 ? "JobFailed" : "SyncJob",
                                        message: "Job failed on Node \(name): BackoffLimitExceeded")]
                cluster.cache.apply(.replace(plans), to: \.plans, kind: .plans)
            case 5: // a Job for the node runs, fails or completes; its pod waits
                let states: [JobStatus.State] = [.running, .failed, .complete, .pending]
                let job = F.job(plan: random.next(2) == 0 ? server : agent, node: name, state: states[random.next(states.count)])
                cluster.cache.apply(.upsert(job), to: \.jobs, kind: .jobs)
                if random.next(2) == 0 {
                    cluster.cache.apply(.upsert(F.pod(of: job, reason: "Unschedulable", message: "0/40 nodes are available")), to: \.pods, kind: .pods)
                }
            case 6: // a Job is cleaned up
                if let job = cluster.cache.jobs.values.sorted(by: { $0.metadata.name < $1.metadata.name }).first {
                    cluster.cache.apply(.delete(job), to: \.jobs, kind: .jobs)
                }
            case 7: // a role label appears (an etcd-only server) or the hostname label goes
                if random.next(2) == 0 { node.metadata.labels?["node-role.kubernetes.io/etcd"] = "true" } else { node.metadata.labels?["kubernetes.io/hostname"] = nil }
                cluster.put(node)
            case 8: // an unrelated resource changes, or is listed again with other content: nothing to re-derive
                if random.next(2) == 0 {
                    cluster.cache.apply(.health(random.next(2) == 0 ? .ok : .pending), to: \.addons, kind: .addons)
                } else {
                    cluster.cache.apply(.replace([F.addon("addon-\(step)", checksum: "sum")]), to: \.addons, kind: .addons)
                }
            default: // a relist: what is known, with one node changed under the resourceVersion it had
                // (an etcd restore rewinds them)
                var nodes = Array(cluster.cache.nodes.values)
                if !nodes.isEmpty {
                    let index = random.next(nodes.count)
                    nodes[index].status?.nodeInfo?.kubeletVersion = random.next(2) == 0 ? "v1.32.2+rke2r1" : "v1.30.9+rke2r1"
                    nodes[index].spec?.unschedulable = random.next(2) == 0 ? true : nil
                }
                cluster.cache.apply(.replace(nodes), to: \.nodes, kind: .nodes)
            }
            // As the store does: several changes may come between two derivations, and after each the
            // memo has the cache's node changes (so that the next derivation looks at the new ones only).
            if random.next(4) == 0 { continue }
            let fresh = ClusterDerivation.derive(cluster.cache, namespace: F.namespace)
            let memoized = ClusterDerivation.derive(cluster.cache, namespace: F.namespace, memo: memo)
            cluster.cache.clearNodeChanges()
            if fresh != memoized {
                XCTFail("step \(step): the memoized derivation differs from a fresh one")
                let pairs = zip(fresh.nodes, memoized.nodes).filter { $0 != $1 }
                for (a, b) in pairs.prefix(3) { print("fresh:", a, "\nmemo: ", b) }
                if fresh.plans != memoized.plans { print("plans differ:", fresh.plans, memoized.plans) }
                return
            }
            // Both went through a memo's tallies: checked here against the nodes themselves.
            if let problem = Self.talliesDisagree(memoized, plans: Array(cluster.cache.plans.values)) {
                XCTFail("step \(step): \(problem)")
                return
            }
        }
    }
}

extension DerivationMemoTests {
    /// What the memo adds up (plan counts and selections, hints, the agent gate), computed again from
    /// every node: the hints and the gate from all of them (both filter what they need), the counts and
    /// selections from each node's plan states.
    static func talliesDisagree(_ status: ClusterStatus, plans: [KPlan]) -> String? {
        let nodes = Array(status.nodes)
        for plan in status.plans {
            var counts = PlanCounts()
            var selected: [String] = []
            for node in nodes {
                guard let state = node.state(for: plan.name) else { continue }
                counts.add(state, 1)
                selected.append(node.name)
            }
            if counts != plan.counts { return "\(plan.name): counts \(plan.counts), the nodes say \(counts)" }
            if selected != plan.selectedNodes { return "\(plan.name): selects \(plan.selectedNodes), the nodes say \(selected)" }
        }
        if status.hints != ClusterDerivation.hints(status, notable: nodes) { return "the hints differ from the hints of every node" }
        let sorted = plans.sorted { $0.metadata.name < $1.metadata.name }
        if status.agentGate != ClusterDerivation.agentGate(plans: sorted, nodes: nodes) { return "the agent gate differs from every node's" }
        return nil
    }

    /// An etcd snapshot restore rewinds resourceVersions: after the relist a node can come back with the
    /// resourceVersion the memo holds and other content (the version before the upgrade).
    func testARelistComparesNodesWholeNotByResourceVersion() {
        var cache = ClusterCache()
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        var upgraded = F.node("server-1", version: "v1.32.2+rke2r1")
        upgraded.metadata.uid = "uid-1"
        upgraded.metadata.resourceVersion = "900"
        cache.apply(.replace([upgraded]), to: \.nodes, kind: .nodes)
        let memo = DerivationMemo()
        XCTAssertEqual(ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo).nodes.first?.kubeletVersion, "v1.32.2+rke2r1")
        var restored = F.node("server-1", version: "v1.31.6+rke2r1")
        restored.metadata.uid = "uid-1"
        restored.metadata.resourceVersion = "900"
        cache.apply(.replace([restored]), to: \.nodes, kind: .nodes)
        XCTAssertEqual(ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo).nodes.first?.kubeletVersion, "v1.31.6+rke2r1")
    }
}

/// A small seeded generator: the same changes on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

/// `status --output json` streams its nodes; the text is the document's, byte for byte.
final class StatusJSONStreamTests: XCTestCase {
    func testStreamedDocumentEqualsTheTree() {
        var empty = SnapshotFixtures.midUpgrade()
        empty.cluster.nodes = []
        for snapshot in [SnapshotFixtures.midUpgrade(), empty] {
            var pieces: [String] = []
            StatusJSON.write(snapshot, upgradeTuiVersion: "1.2.3") { pieces.append($0) }
            XCTAssertEqual(pieces.joined(), StatusJSON.document(snapshot, upgradeTuiVersion: "1.2.3").serialized(pretty: true))
        }
    }
}
