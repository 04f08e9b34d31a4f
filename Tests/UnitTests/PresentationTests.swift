import Foundation
import TestSupport
import Testing
import UpgradeModel
@testable import UpgradeTUI

/// Model → display rows (Presentation/): pure tables, no terminal, no colour.
@Suite struct NodeRowsTests {
    @Test(arguments: [
        ([], "agent"),
        (["control-plane", "etcd", "master"], "cp,etcd"),
        (["control-plane"], "cp"),
        (["etcd"], "etcd"),
        (["master"], "master"),
        (["control-plane", "master"], "cp"),
    ] as [([String], String)])
    func roleText(_ roles: [String], _ text: String) {
        #expect(NodeRows.roleText(roles) == text)
    }

    @Test(arguments: [
        (NodePlanState?.some(.done), Role.ok), (.applying, .accent), (.failed, .error), (.pending, .normal),
        (.notScheduled, .warn), (.optedOut, .dim), (nil, .dim),
    ])
    func stateRole(_ state: NodePlanState?, _ role: Role) {
        #expect(NodeRows.stateRole(state) == role)
    }

    /// The mid-upgrade cluster: server-1 done, server-2 applying (cordoned), server-3 and the agents pending.
    @Test(arguments: [
        (NodeSort.name, ["agent-1", "agent-2", "server-1", "server-2", "server-3"]),
        (.version, ["agent-1", "agent-2", "server-2", "server-3", "server-1"]),
        (.state, ["server-2", "agent-1", "agent-2", "server-3", "server-1"]),
    ])
    func sortOrder(_ sort: NodeSort, _ ids: [String]) {
        let content = NodeRows.content(SnapshotFixtures.midUpgrade().cluster, sort: sort)
        #expect(content.rows.map(\.id) == ids)
    }

    @Test func sortCycles() {
        #expect(NodeSort.name.next == .version)
        #expect(NodeSort.version.next == .state)
        #expect(NodeSort.state.next == .name)
    }

    @Test func columnsAndCells() throws {
        let content = NodeRows.content(SnapshotFixtures.midUpgrade().cluster, sort: .name)
        #expect(content.columns.map(\.title) == ["NAME", "ROLES", "VERSION", "READY", "SCHED", "AGENT-PLAN", "SERVER-PLAN"])
        let server2 = try #require(content.rows.first { $0.id == "server-2" })
        #expect(server2.cells == ["server-2", "cp,etcd", "v1.31.6+rke2r1", "Ready", "cordoned", "-", "applying"])
        #expect(server2.roles[4] == .warn, "cordoned is a warning")
        let server1 = try #require(content.rows.first { $0.id == "server-1" })
        #expect(server1.roles[2] == .ok, "a node at a plan's target is green")
        #expect(server1.cells.last == "done")
        #expect(content.rows.allSatisfy { $0.cells.count == content.columns.count })
    }

    @Test(arguments: [
        (ClusterStatus(api: .ok), "no nodes"),
        (ClusterStatus(api: .notConfigured), "no cluster: no kubeconfig found"),
        (ClusterStatus(api: .notConfigured, error: "no kubeconfig at /x"), "no cluster: no kubeconfig at /x"),
        (ClusterStatus(api: .unauthorized, error: "401"), "the API refused the credentials: 401"),
        (ClusterStatus(api: .unreachable, error: "refused"), "API unreachable: refused"),
        (ClusterStatus(api: .unreachable, connecting: true), "connecting to the API server"),
    ])
    func emptyText(_ cluster: ClusterStatus, _ text: String) {
        #expect(NodeRows.content(cluster, sort: .name).emptyText == text)
    }
}

@Suite struct ManifestRowsTests {
    typealias S = SnapshotFixtures

    @Test(arguments: [
        (S.manifest("a.yaml", state: .applied, sha: "c1", addon: nil), true, "-"),
        (S.manifest("a.yaml", state: .applied, sha: "c1", addon: "c1"), true, "="),
        (S.manifest("a.yaml", state: .outOfSync, sha: "c1", addon: "c0"), true, "≠"),
        (S.manifest("a.yaml", state: .outOfSync, sha: "c1", addon: "c0"), false, "!="),
        (S.manifest("a.yaml", state: .applied, addon: "c0", present: false), true, "addon"),
    ])
    func sync(_ manifest: ManifestStatus, _ unicode: Bool, _ text: String) {
        #expect(ManifestRows.sync(manifest, unicode: unicode) == text)
    }

    @Test(arguments: [
        (ManifestState.applied, Role.ok), (.blocked, .error), (.failed, .error), (.outOfSync, .warn), (.pending, .accent),
        (.skipped, .warn), (.disabled, .dim), (.ignored, .dim), (.active, .normal),
    ])
    func stateRole(_ state: ManifestState, _ role: Role) {
        #expect(ManifestRows.stateRole(state) == role)
    }

    @Test(arguments: [
        (S.manifest("rke2-canal.yaml", state: .applied), ""),
        (S.manifest("rke2-ingress-nginx.yaml", state: .disabled, disabledBy: "config.yaml", present: false), "disabled by config.yaml"),
        (S.manifest("rke2-canal.yaml", state: .skipped, skip: "rke2-canal.yaml.skip"), "rke2-canal.yaml.skip"),
        (S.manifest("rke2-canal.yaml", state: .skipped, skip: "rke2-canal.yaml.skip", present: false), "rke2-canal.yaml.skip (no file yet)"),
    ])
    func note(_ manifest: ManifestStatus, _ text: String) {
        #expect(ManifestRows.note(manifest) == text)
    }

    @Test func ignoredManifestsGoLast() {
        let manifests = [S.manifest(".hidden.yaml", state: .ignored), S.manifest("rke2-canal.yaml", state: .applied, addon: "1111"),
                         S.manifest("notes.txt", state: .ignored), S.manifest("rke2-coredns.yaml", state: .pending)]
        let content = ManifestRows.content(manifests, unicode: true)
        #expect(content.rows.map(\.id) == ["rke2-canal.yaml", "rke2-coredns.yaml", ".hidden.yaml", "notes.txt"])
        #expect(content.rows[0].cells == ["rke2-canal.yaml", "applied", "=", "-", ""])
        #expect(ManifestRows.content([], unicode: true).emptyText == "no manifests in this node's manifests directory")
    }

    @Test func standardRows() {
        let content = ManifestRows.content(S.standardManifests(), unicode: false)
        #expect(content.columns.map(\.title) == ["FILE", "STATE", "SYNC", "CHART", "NOTE"])
        #expect(content.rows.map { $0.cells[1] } == ["applied", "out-of-sync", "disabled", "pending", "skipped"])
        #expect(content.rows.map { $0.cells[2] } == ["=", "!=", "-", "-", "!="])
        #expect(content.rows[0].cells[3] == "v3.28.1-build2024101500")
        #expect(content.rows[2].roles[0] == .dim, "an absent file is dim")
    }
}

@Suite struct PlanRowsTests {
    @Test func midUpgradeRows() throws {
        let cluster = SnapshotFixtures.midUpgrade().cluster
        let content = PlanRows.content(cluster, theme: .plain)
        let ids = content.rows.map(\.id)
        #expect(Array(ids.prefix(2)) == ["plan:agent-plan", "plan:server-plan"])
        #expect(ids.filter { $0.hasPrefix("job:") }.count == 2)
        #expect(ids.contains("gate"))
        let server = try #require(content.rows.first { $0.id == "plan:server-plan" })
        #expect(server.cells[0] == "server-plan")
        #expect(server.cells[1] == "v1.32.2+rke2r1")
        #expect(server.cells[2].hasPrefix("1/3 "))
        #expect(server.cells[4].contains("applying: server-2"))
        let jobs = content.rows.filter { $0.id.hasPrefix("job:") }
        #expect(jobs.map { $0.cells[0] } == ["job on server-1", "job on server-2"])
        #expect(jobs.allSatisfy { $0.indent == 2 })
        let gate = try #require(content.rows.first { $0.id == "gate" })
        #expect(gate.cells[3] == "closed")
        #expect(gate.cells[1] == "v1.32.2+rke2r1", "the gate's k8s form is shown as rke2 prints it")
    }

    @Test(arguments: [
        (ClusterStatus(api: .ok), "no Plans in this namespace"),
        (ClusterStatus(api: .unreachable, error: "refused"), "API unreachable: refused"),
        (ClusterStatus(api: .notConfigured), "no cluster: no kubeconfig found"),
    ])
    func emptyText(_ cluster: ClusterStatus, _ text: String) {
        #expect(PlanRows.content(cluster, theme: .plain).emptyText == text)
    }

    @Test func aMissingCRDIsANoteThatCannotBeSelected() {
        var cluster = ClusterStatus(api: .ok)
        cluster.planCRDInstalled = false
        let content = PlanRows.content(cluster, theme: .plain)
        #expect(content.rows.map(\.id) == ["note:crd"])
        #expect(content.rows.first?.selectable == false)
        #expect(content.emptyText == "")
    }

    @Test(arguments: [
        (nil, "(none: SUC selects no node)"),
        (KLabelSelector(matchLabels: [:], matchExpressions: nil), "(all nodes)"),
        (KLabelSelector(matchLabels: ["b": "2", "a": "1"], matchExpressions: nil), "a=1, b=2"),
        (KLabelSelector(matchLabels: nil, matchExpressions: [.init(key: "node-role.kubernetes.io/control-plane", operator: "In", values: ["true"])]),
         "node-role.kubernetes.io/control-plane In [true]"),
        (KLabelSelector(matchLabels: nil, matchExpressions: [.init(key: "x", operator: "DoesNotExist", values: nil)]), "x DoesNotExist"),
    ] as [(KLabelSelector?, String)])
    func selectorText(_ selector: KLabelSelector?, _ text: String) {
        #expect(PlanRows.selectorText(selector) == text)
    }
}

@Suite struct HeaderTextTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        (ClusterStatus(api: .ok), "API ok", Role.ok),
        (ClusterStatus(api: .notConfigured), "no cluster", .dim),
        (ClusterStatus(api: .unauthorized), "API unauthorized", .error),
        (ClusterStatus(api: .unreachable), "API unreachable", .error),
        (ClusterStatus(api: .unreachable, connecting: true), "API connecting~", .warn),
        (ClusterStatus(api: .unreachable, retryAt: now.addingTimeInterval(4.2)), "API unreachable, retry in 5s", .error),
        (ClusterStatus(api: .unreachable, retryAt: now.addingTimeInterval(-3)), "API unreachable, retry in 0s", .error),
    ])
    func apiBadge(_ cluster: ClusterStatus, _ text: String, _ role: Role) {
        let badge = HeaderText.apiBadge(cluster, now: Self.now, theme: .plain)
        #expect(badge.text == text)
        #expect(badge.style.role == role)
    }

    @Test(arguments: [
        (KubeAccess.Insecurity?.none, String?.none),
        (.plainHTTP, "INSECURE: plain HTTP  "),
        (.tlsVerifyDisabled, "INSECURE: TLS not verified  "),
    ])
    func insecureBadge(_ insecure: KubeAccess.Insecurity?, _ text: String?) {
        var cluster = ClusterStatus(api: .ok)
        cluster.insecure = insecure
        #expect(HeaderText.insecureBadge(cluster)?.text == text)
    }

    @Test func thisNodeWithARestartPending() {
        let text = HeaderText.thisNode(SnapshotFixtures.midUpgrade()).map(\.text).joined()
        #expect(text == "server-1 (server)  rke2 v1.31.6+rke2r1 running  RESTART PENDING: v1.32.2+rke2r1 installed  pid 4242")
    }

    @Test func thisNodeNotRunning() {
        let snapshot = SnapshotFixtures.midUpgrade(local: SnapshotFixtures.localNode(running: nil))
        #expect(HeaderText.thisNode(snapshot).map(\.text).joined() == "server-1 (server)  rke2 not running  v1.32.2+rke2r1 installed")
    }

    @Test func clusterSummaryPutsTheTargetBeforeThePerPlanCounts() {
        let text = HeaderText.clusterSummary(SnapshotFixtures.midUpgrade(), theme: .plain).map(\.text).joined()
        #expect(text == "5 nodes  -> v1.32.2+rke2r1  agent-plan 0/2  server-plan 1/3")
    }

    @Test func workflowStrip() {
        let text = HeaderText.workflow(SnapshotFixtures.midUpgrade(), theme: .plain).map(\.text).joined()
        #expect(text.hasPrefix("Plan "))
        #expect(text.contains("server-plan 1/3"))
        #expect(text.contains("Swap ") && text.contains("v1.32.2+rke2r1"))
        #expect(text.contains("Restart ") && text.contains("pending"))
        #expect(text.hasSuffix("gate closed"))
    }
}
