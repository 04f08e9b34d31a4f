import Foundation

/// The node upgrade-tui "runs on" in `--demo`: a real directory tree (config, manifests, markers, audit
/// log) in a private directory under the temp directory, so skip toggling really creates and removes files, and a simulated
/// rke2 whose version follows the demo cluster (its SUC Job upgrades it).
public struct DemoNode: LocalSource {
    public let root: String
    public let cluster: DemoCluster

    public var paths: HostPaths {
        HostPaths(dataDir: root + "/var/lib/rancher/rke2", configFile: root + "/etc/rancher/rke2/config.yaml",
                  auditLog: root + "/var/log/upgrade-tui/audit.jsonl", rke2Binary: root + "/usr/local/bin/rke2")
    }

    /// For operations on the demo's files (skip markers): explicit paths, so nothing on the host is touched.
    public var inspector: LocalInspector { LocalInspector(paths: paths) }

    static let charts: [(String, String)] = [
        ("rke2-canal", "v3.29.2-build2025030500"), ("rke2-coredns", "1.39.101"), ("rke2-metrics-server", "3.12.200"),
        ("rke2-runtimeclasses", "0.1.000"), ("rke2-snapshot-controller", "3.0.601"), ("rke2-snapshot-controller-crd", "3.0.601"),
    ]

    /// Writes a fresh demo tree in a new private directory (`mkdtemp`, 0700: never a predictable /tmp
    /// name someone else could have prepared) and seeds the cluster's Addons.
    public static func create(cluster: DemoCluster, in parent: String = NSTemporaryDirectory()) throws -> DemoNode {
        let template = (parent.hasSuffix("/") ? parent : parent + "/") + "upgrade-tui-demo-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw POSIX.fail("cannot create a demo directory in", parent) }
        let root = String(cString: bytes)
        do {
            return try populate(DemoNode(root: root, cluster: cluster))
        } catch {
            remove(root: root)
            throw error
        }
    }

    /// Where the demo's newer rke2 "binary" waits to be swapped in.
    public var downloadPath: String { root + "/downloads/rke2.linux-amd64" }

    /// Removes a demo tree (when the dashboard exits).
    public static func remove(root: String) {
        try? FileManager.default.removeItem(atPath: root)
    }

    private static func populate(_ node: DemoNode) throws -> DemoNode {
        let root = node.root
        let cluster = node.cluster
        let manifests = node.paths.manifestsDir
        for dir in [manifests, root + "/etc/rancher/rke2/config.yaml.d", root + "/var/log/upgrade-tui", root + "/usr/local/bin", root + "/downloads"] {
            try POSIX.makeDirectories(dir, mode: 0o755)
        }
        // The "release" the demo's swap installs: a file that stands for rke2 \(DemoCluster.to).
        try write(node.downloadPath, "demo: stands for the rke2 \(DemoCluster.to) binary\n")
        try write(node.paths.configFile, "# demo node config\nwrite-kubeconfig-mode: \"0600\"\ndisable:\n  - rke2-ingress-nginx\n")
        try write(node.paths.configFile + ".d/50-metrics.yaml", "disable+: []\n")
        var addons: [KAddon] = []
        var helmCharts: [KHelmChart] = []
        for (name, version) in charts {
            let path = manifests + "/\(name).yaml"
            try write(path, """
                apiVersion: helm.cattle.io/v1
                kind: HelmChart
                metadata:
                  name: \(name)
                  namespace: kube-system
                  annotations:
                    helm.cattle.io/chart-url: https://rke2-charts.rancher.io/assets/\(name)/\(name)-\(version).tgz
                spec:
                  bootstrap: \(name == "rke2-canal" || name == "rke2-coredns")

                """)
            let sha = try ManifestScanner.sha256(ofFile: path)
            switch name {
            case "rke2-metrics-server": break                                           // pending: not applied yet
            case "rke2-coredns": addons.append(ObjectFactory.addon(name, checksum: String(sha.reversed())))   // out of sync
            default: addons.append(ObjectFactory.addon(name, checksum: sha))
            }
            helmCharts.append(ObjectFactory.helmChart(name, chartVersion: version))
        }
        try write(manifests + "/rke2-snapshot-controller.yaml.skip", "# skipped: we run our own snapshot controller\n")
        try write(manifests + "/custom/team-app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: team-app, namespace: default}\ndata: {hello: world}\n")
        try write(manifests + "/README.txt", "Files here are applied by the RKE2 deploy controller.\n")
        // An etcd snapshot taken three hours ago, so the plan's preflight finds one.
        let snapshot = node.paths.snapshotsDir + "/pre-upgrade-demo-server-3"
        try write(snapshot, "demo: stands for an etcd snapshot\n")
        var times = [timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, snapshot, &times, 0)
        cluster.setAddons(addons, charts: helmCharts)
        return node
    }

    /// A new file, never through a symlink and never over an existing file.
    static func write(_ path: String, _ text: String) throws {
        try POSIX.makeDirectories((path as NSString).deletingLastPathComponent)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIX.fail("cannot create", path) }
        defer { close(fd) }
        try POSIX.writeAll(fd: fd, Data(text.utf8), path: path)
    }

    public func read() throws -> (LocalNode, [ManifestFile]) {
        let config = try RKE2Config.load(configFile: paths.configFile, version: RKE2Version(DemoCluster.to))
        let files = try ManifestScanner(directory: paths.manifestsDir, disabled: config.disabled).scan().files
        let versions = cluster.localVersions
        let installed = versions.installed.flatMap(RKE2Version.init)
        let runningVersion = versions.running.flatMap(RKE2Version.init)
        let sha = { (version: RKE2Version?) in String(repeating: String((version?.patch ?? 0) % 10), count: 64) }
        let binary = InstalledBinary(path: paths.rke2Binary ?? "", version: installed, commit: "demo", goVersion: "go1.24.11", sha256: sha(installed))
        let pending = installed != runningVersion
        let process = RKE2Process(pid: pending ? 31337 : 31337 + Int32(runningVersion?.patch ?? 0), role: .server, arguments: ["server"],
                                  argv0: "/usr/local/bin/rke2", exe: "/usr/local/bin/rke2", exeDeleted: pending,
                                  children: [.init(pid: 31340, name: "containerd"), .init(pid: 31341, name: "kubelet")])
        let running = RunningRKE2(process: process, runningSha256: sha(runningVersion), restartPending: pending, runningVersion: runningVersion)
        let node = LocalNode(role: .server, hostname: cluster.localNodeName, paths: paths, binary: binary, running: running,
                             config: config, problems: [])
        return (node, files)
    }
}
