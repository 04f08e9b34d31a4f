import Foundation

/// Builds the Kubernetes objects of an RKE2 cluster the way RKE2 and SUC shape them (labels, plan
/// labels, Job labels, conditions). The demo's simulated cluster and the tests both use it.
public enum ObjectFactory {
    public static let namespace = "system-upgrade"

    /// A node as RKE2 registers it: role labels by version (no `master` from v1.34.1), hostname label,
    /// instance-type, Ready condition, kubelet version.
    public static func node(_ name: String, version: String, server: Bool = true, etcd: Bool = true, controlPlane: Bool = true,
                            hostname: String? = nil, ready: Bool = true, unschedulable: Bool = false,
                            planLabels: [String: String] = [:], ip: String = "10.0.0.10") -> KNode {
        var labels: StringMap = ["kubernetes.io/hostname": hostname ?? name, "kubernetes.io/os": "linux",
                      "node.kubernetes.io/instance-type": "rke2", "beta.kubernetes.io/instance-type": "rke2"]
        let parsed = RKE2Version(version)
        if server {
            if controlPlane {
                labels["node-role.kubernetes.io/control-plane"] = "true"
                if let parsed, parsed < RKE2Version("v1.34.1+rke2r1")! { labels["node-role.kubernetes.io/master"] = "true" }
            }
            if etcd { labels["node-role.kubernetes.io/etcd"] = "true" }
        }
        for (plan, value) in planLabels { labels[Selection.planLabel(plan)] = value }
        let conditions = [KCondition(type: "Ready", status: ready ? "True" : "False",
                                     reason: ready ? "KubeletReady" : "KubeletNotReady",
                                     message: ready ? "kubelet is posting ready status" : "container runtime network not ready")]
        return KNode(metadata: ObjectMeta(name: name, labels: labels,
                                          annotations: ["rke2.io/hostname": hostname ?? name, "rke2.io/internal-ip": ip,
                                                        "rke2.io/node-args": server ? "[\"server\"]" : "[\"agent\"]"]),
                     spec: KNode.Spec(unschedulable: unschedulable ? true : nil),
                     status: KNode.Status(conditions: conditions, nodeInfo: .init(kubeletVersion: version),
                                          addresses: [.init(type: "InternalIP", address: ip), .init(type: "Hostname", address: hostname ?? name)]))
    }

    /// The current docs' server plan (`PlanTemplates`) in the demo's namespace.
    public static func serverPlan(version: String? = nil, channel: String? = nil, name: String = "server-plan") -> KPlan {
        PlanTemplates.server(namespace: namespace, version: version, channel: channel, name: name)
    }

    /// The current docs' agent plan: waits for the server plan in its prepare step.
    public static func agentPlan(version: String? = nil, channel: String? = nil, serverPlan: String = "server-plan", name: String = "agent-plan") -> KPlan {
        PlanTemplates.agent(namespace: namespace, version: version, channel: channel, serverPlan: serverPlan, name: name)
    }

    /// A Plan's status as SUC writes it: latestVersion munged, a 56-hex latestHash, conditions.
    public static func resolved(_ plan: KPlan, applying: [String] = [], complete: Bool? = nil, reason: String? = nil, message: String? = nil) -> KPlan {
        var plan = plan
        let version = plan.spec?.version.flatMap(RKE2Version.init)?.munged ?? "v0.0.0-rke2r0"
        var conditions = [KCondition(type: "Validated", status: "True", reason: "PlanIsValid"),
                          KCondition(type: "LatestResolved", status: "True", reason: plan.spec?.version != nil ? "Version" : "Channel")]
        let isComplete = complete ?? applying.isEmpty
        conditions.append(KCondition(type: "Complete", status: isComplete ? "True" : "False",
                                     reason: reason ?? (isComplete ? "Complete" : "SyncJob"), message: message ?? ""))
        plan.status = .init(conditions: conditions, latestVersion: version, latestHash: hash(for: plan.metadata.name, version: version),
                            applying: applying.isEmpty ? nil : applying)
        return plan
    }

    /// A stable stand-in for SUC's sha224 latestHash (56 hex characters).
    public static func hash(for plan: String, version: String) -> String {
        var state: UInt64 = 1469598103934665603
        var out = ""
        for round in 0..<4 {
            for byte in "\(plan)|\(version)|\(round)".utf8 { state = (state ^ UInt64(byte)) &* 1099511628211 }
            out += String(format: "%016llx", state)
        }
        return String(out.prefix(56))
    }

    /// SUC's Job for a plan on a node: `apply-<plan>-on-<node>-with-<hash>` (truncated), with its labels.
    public static func job(plan: KPlan, node: String, state: JobStatus.State, message: String? = nil) -> KJob {
        let hash = plan.status?.latestHash ?? ""
        var name = "apply-\(plan.metadata.name)-on-\(node.split(separator: ".").first ?? "")-with-\(hash)"
        if name.count > 63 { name = String(name.prefix(57)) + "-" + String(hash.suffix(5)) }
        var conditions: [KCondition] = []
        switch state {
        case .failed:
            conditions.append(KCondition(type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: message ?? "Job has reached the specified backoff limit"))
        case .complete:
            conditions.append(KCondition(type: "Complete", status: "True"))
        default: break
        }
        return KJob(metadata: ObjectMeta(name: name, namespace: plan.metadata.namespace ?? namespace,
                                         labels: ["upgrade.cattle.io/controller": "system-upgrade-controller", "upgrade.cattle.io/plan": plan.metadata.name,
                                                  "upgrade.cattle.io/node": node, "upgrade.cattle.io/version": plan.status?.latestVersion ?? "",
                                                  Selection.planLabel(plan.metadata.name): hash]),
                    status: .init(conditions: conditions, active: state == .running ? 1 : nil, succeeded: state == .complete ? 1 : nil,
                                  failed: state == .failed ? 1 : nil, startTime: "2026-11-26T10:00:00Z"))
    }

    /// The pod of an upgrade Job, labelled as SUC and the Job controller label it (docs/rke2-rules.md#suc-jobs-and-their-pods).
    public static func pod(of job: KJob, phase: String = "Pending", initStatuses: [KPod.ContainerStatus] = [],
                           statuses: [KPod.ContainerStatus] = [], reason: String? = nil, message: String? = nil) -> KPod {
        var labels = job.metadata.labels ?? [:]
        labels["job-name"] = job.metadata.name
        labels["batch.kubernetes.io/job-name"] = job.metadata.name
        return KPod(metadata: ObjectMeta(name: job.metadata.name + "-x7k2p", namespace: job.metadata.namespace, labels: labels),
                    spec: .init(nodeName: job.metadata.label("upgrade.cattle.io/node")),
                    status: .init(phase: phase, reason: reason, message: message, initContainerStatuses: initStatuses, containerStatuses: statuses))
    }

    /// An event of the deploy controller about an Addon (k3s `pkg/deploy/controller.go`): component
    /// `rke2-deploy`, host from the server's `NODE_NAME` (nil: not set there).
    public static func addonEvent(_ addon: String, reason: String, host: String?, at time: Date, message: String? = nil,
                                  file: String? = nil) -> KEvent {
        let path = "/var/lib/rancher/rke2/server/manifests/" + (file ?? addon + ".yaml")
        let text: String
        switch reason {
        case "AppliedManifest": text = "Applied manifest at \"\(path)\""
        case "ApplyingManifest": text = "Applying manifest at \"\(path)\""
        case "ApplyManifestFailed": text = "Applying manifest at \"\(path)\" failed: \(message ?? "error")"
        case "ParseManifestFailed": text = "Parse manifest at \"\(path)\" failed: \(message ?? "error")"
        default: text = message ?? reason
        }
        let stamp = UTCTime.rfc3339(time, fraction: false)      // RFC 3339 in whole seconds, as events carry it
        var meta = ObjectMeta(name: "\(addon).\(String(format: "%llx", UInt64(time.timeIntervalSince1970 * 1000)))\(host.map { "-" + $0 } ?? "")\(reason.prefix(5).lowercased())",
                              namespace: "kube-system")
        meta.creationTimestamp = stamp
        return KEvent(metadata: meta, involvedObject: .init(kind: "Addon", name: addon, namespace: "kube-system"),
                      reason: reason, message: text, type: reason.hasSuffix("Failed") ? "Warning" : "Normal",
                      source: .init(component: "rke2-deploy", host: host), count: 1, firstTimestamp: stamp, lastTimestamp: stamp)
    }

    public static func controller(ready: Bool = true) -> KDeployment {
        KDeployment(metadata: ObjectMeta(name: "system-upgrade-controller", namespace: namespace,
                                         labels: ["app.kubernetes.io/name": "system-upgrade-controller"]),
                    spec: .init(replicas: 1), status: .init(replicas: 1, readyReplicas: ready ? 1 : 0, availableReplicas: ready ? 1 : 0))
    }

    public static func addon(_ name: String, checksum: String?, source: String = "/var/lib/rancher/rke2/server/manifests") -> KAddon {
        KAddon(metadata: ObjectMeta(name: name, namespace: "kube-system"),
               spec: .init(source: "\(source)/\(name).yaml", checksum: checksum))
    }

    public static func helmChart(_ name: String, chartVersion: String, failed: String? = nil) -> KHelmChart {
        KHelmChart(metadata: ObjectMeta(name: name, namespace: "kube-system",
                                        annotations: ["helm.cattle.io/chart-url": "https://rke2-charts.rancher.io/assets/\(name)/\(name)-\(chartVersion).tgz"]),
                   status: .init(jobName: "helm-install-\(name)",
                                 conditions: failed.map { [KCondition(type: "Failed", status: "True", reason: "Failed", message: $0)] }))
    }

    // MARK: JSON for an API server

    /// The CRDs an RKE2 cluster with SUC serves: Plans (status subresource), Addons (none), HelmCharts.
    public static let crds: [JSONValue] = [
        crd(group: "upgrade.cattle.io", kind: "Plan", plural: "plans", shortNames: [], status: true),
        crd(group: "k3s.cattle.io", kind: "Addon", plural: "addons", shortNames: [], status: false),
        crd(group: "helm.cattle.io", kind: "HelmChart", plural: "helmcharts", shortNames: ["hc"], status: true),
    ]

    public static func crd(group: String, kind: String, plural: String, shortNames: [String], status: Bool) -> JSONValue {
        var version: [(String, JSONValue)] = [("name", .text("v1")), ("served", .bool(true)), ("storage", .bool(true)),
                                              ("schema", .object([("openAPIV3Schema", .object([("type", .text("object")), ("x-kubernetes-preserve-unknown-fields", .bool(true))]))]))]
        if status { version.append(("subresources", .object([("status", .object([]))]))) }
        return .object([
            ("apiVersion", .text("apiextensions.k8s.io/v1")), ("kind", .text("CustomResourceDefinition")),
            ("metadata", .object([("name", .text("\(plural).\(group)"))])),
            ("spec", .object([("group", .text(group)), ("scope", .text("Namespaced")),
                              ("names", .object([("kind", .text(kind)), ("plural", .text(plural)), ("singular", .text(kind.lowercased())),
                                                 ("shortNames", .array(shortNames.map { .text($0) }))])),
                              ("versions", .array([.object(version)]))])),
        ])
    }

    public static func namespaceObject(_ name: String) -> JSONValue {
        .object([("apiVersion", .text("v1")), ("kind", .text("Namespace")), ("metadata", .object([("name", .text(name))]))])
    }

    /// An object as the API serves it: with `apiVersion` and `kind`.
    public static func json<T: KubeObject>(_ object: T) -> JSONValue { object.apiJSON }
}
