import Foundation
import TestSupport
import Testing
import UpgradeModel
@testable import UpgradeTUI

/// The node rows of a snapshot built from the last one's (chunk by chunk) are the rows built afresh, and
/// a snapshot in which one node changed rebuilds that node's chunk only.
@Suite struct NodeRowsReuseTests {
    typealias F = ObjectFactory

    /// Rows compare by content (a reused row is the same object, a rebuilt one an equal one).
    static func same(_ a: TableContent, _ b: TableContent) -> Bool {
        a.rows.count == b.rows.count && zip(a.rows, b.rows).allSatisfy { $0 == $1 } && a.summaries == b.summaries
            && a.layout(width: 120).elementsEqual(b.layout(width: 120)) { $0.index == $1.index && $0.width == $1.width }
    }

    @Test func rowsBuiltFromTheLastOnesEqualRowsBuiltAfresh() {
        var random = SplitMix(seed: 7)
        var cache = ClusterCache()
        let server = F.resolved(F.serverPlan(version: "v1.32.2+rke2r1"), applying: ["server-2"])
        let agent = F.resolved(F.agentPlan(version: "v1.32.2+rke2r1"), complete: false, reason: "SyncJob")
        cache.apply(.replace([server, agent]), to: \.plans, kind: .plans)
        for kind in ClusterCache.Kind.allCases { cache.health[kind.rawValue] = .ok }
        var revision = 0
        func put(_ node: KNode) {
            var node = node
            revision += 1
            node.metadata.resourceVersion = String(revision)
            node.metadata.uid = node.metadata.uid ?? "uid-\(node.metadata.name)"
            cache.apply(.upsert(node), to: \.nodes, kind: .nodes)
        }
        // Three chunks and a bit.
        for i in 0..<(ChunkedArray<NodeStatus>.chunkSize * 3 + 20) {
            put(F.node(i < 3 ? "server-\(i + 1)" : String(format: "agent-%04d", i), version: "v1.31.6+rke2r1", server: i < 3))
        }
        let memo = DerivationMemo()
        var status = ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo)
        cache.clearNodeChanges()
        var (table, rows) = NodeRows.content(status, sort: .name, previous: nil)
        // The whole screen model too: kept tables (plans, manifests) against tables built afresh.
        let state = ViewState(readOnly: true)
        var manifests = SnapshotFixtures.standardManifests()
        var model = ScreenModel.make(DashboardSnapshot(local: SnapshotFixtures.localNode(), manifests: manifests, cluster: status),
                                     state, theme: .unicodeColor)
        for step in 0..<120 {
            let names = cache.nodes.keys.sorted()
            let name = names[random.next(names.count)]
            var node = cache.nodes[name]!
            var oneNodeChanged = false
            switch random.next(7) {
            case 0, 1:
                node.status?.nodeInfo?.kubeletVersion = random.next(2) == 0 ? "v1.32.2+rke2r1" : "v1.31.6+rke2r1"
                put(node)
                oneNodeChanged = true
            case 2:
                node.status?.conditions = [KCondition(type: "Ready", status: random.next(2) == 0 ? "True" : "False", reason: "KubeletReady")]
                put(node)
                oneNodeChanged = true
            case 3: // joins or leaves: the merge
                if random.next(2) == 0 {
                    put(F.node("agent-x\(step)", version: "v1.31.6+rke2r1", server: false))
                } else {
                    cache.apply(.delete(node), to: \.nodes, kind: .nodes)
                }
            case 4: // done for the agent plan, or opted out
                node.metadata.labels?[Selection.planLabel(agent.metadata.name)] = random.next(3) == 0 ? "disabled" : agent.status?.latestHash
                put(node)
                oneNodeChanged = true
            case 5: // a Job runs, fails or completes: every node's plan states again
                let states: [JobStatus.State] = [.running, .failed, .complete]
                cache.apply(.upsert(F.job(plan: random.next(2) == 0 ? server : agent, node: name, state: states[random.next(3)])),
                            to: \.jobs, kind: .jobs)
            default: // nothing about the nodes; a manifest's state on this host
                cache.apply(.health(.ok), to: \.addons, kind: .addons)
                if random.next(2) == 0 { manifests.swapAt(0, manifests.count - 1) }
            }
            let next = ClusterDerivation.derive(cache, namespace: F.namespace, memo: memo)
            cache.clearNodeChanges()
            let sameAsFresh = next == ClusterDerivation.derive(cache, namespace: F.namespace)
            #expect(sameAsFresh, "step \(step): the memoized derivation of \(cache.nodes.count) nodes differs from a fresh one")
            var snapshot = DashboardSnapshot(local: SnapshotFixtures.localNode(), manifests: manifests, cluster: next)
            snapshot.sequence = UInt64(step + 1)
            let kept = ScreenModel.make(snapshot, state, theme: .unicodeColor, previous: model)
            let rebuilt = ScreenModel.make(snapshot, state, theme: .unicodeColor)
            for pane in PaneID.allCases {
                let samePane = kept.table(pane) == rebuilt.table(pane)
                #expect(samePane, "step \(step): the \(pane) table kept from the last snapshot differs from one built afresh")
            }
            model = kept
            let (reused, cacheNext) = NodeRows.content(next, sort: .name, previous: rows)
            let fresh = NodeRows.content(next, sort: .name, previous: nil).0
            // Compared first, so that a failure names the step, not thousands of rows.
            let sameRows = Self.same(reused, fresh), sameTally = cacheNext.tally == NodeRows.Tally(next.nodes)
            #expect(sameRows, "step \(step): rows built from the last ones differ from rows built afresh")
            #expect(sameTally, "step \(step): the header's counts")
            if oneNodeChanged {
                let rebuilt = reused.rows.chunks.indices.filter { !reused.rows.sameChunk($0, as: table.rows) }
                #expect(rebuilt.count <= 1, "step \(step): one node changed, \(rebuilt.count) chunks of rows rebuilt")
            }
            (status, table, rows) = (next, reused, cacheNext)
        }
        _ = status
    }
}
