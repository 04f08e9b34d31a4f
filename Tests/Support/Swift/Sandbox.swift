import Foundation
import UpgradeModel

/// A throwaway directory tree that mirrors `/etc/rancher/rke2`, `/var/lib/rancher/rke2` and
/// `/usr/local/bin`, so model tests and CLI tests touch real files without touching the host.
public final class Sandbox: @unchecked Sendable {
    public let root: String

    public init(_ label: String = "sandbox") throws {
        root = Self.base + "/\(label)-\(UUID().uuidString.prefix(8))"
        for dir in ["etc/rancher/rke2", "var/lib/rancher/rke2/server/manifests", "var/lib/rancher/rke2/server/db/snapshots",
                    "usr/local/bin", "var/log/upgrade-tui"] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Where sandboxes live: a directory of this user's in a chain no other user can write (root:
    /// `/run`; others: `$XDG_RUNTIME_DIR` or `~/.cache`), so that the trust rules (SECURITY.md: no
    /// file under a world-writable directory such as `/tmp` is run) hold for the binaries tests put
    /// there. Readable by all, so tests that drop to `nobody` can read it.
    public static let base: String = {
        let environment = ProcessInfo.processInfo.environment
        let parent = geteuid() == 0 ? "/run" : environment["XDG_RUNTIME_DIR"] ?? (NSHomeDirectory() + "/.cache")
        mkdir(parent, 0o755)
        var template = Array((parent + "/upgrade-tui-tests.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("cannot create a sandbox base in \(parent): \(String(cString: strerror(errno)))") }
        let base = String(cString: made)
        chmod(base, 0o755)
        atexit { Sandbox.removeBase() }
        return base
    }()

    private static func removeBase() { try? FileManager.default.removeItem(atPath: base) }

    public var dataDir: String { root + "/var/lib/rancher/rke2" }
    public var manifestsDir: String { dataDir + "/server/manifests" }
    public var configFile: String { root + "/etc/rancher/rke2/config.yaml" }
    public var auditLog: String { root + "/var/log/upgrade-tui/audit.jsonl" }
    public var binaryPath: String { root + "/usr/local/bin/rke2" }

    public var paths: HostPaths {
        HostPaths(dataDir: dataDir, configFile: configFile, auditLog: auditLog, rke2Binary: nil, processScope: TestProcesses.scope)
    }

    public var inspector: LocalInspector { LocalInspector(paths: paths) }

    /// The options that point the CLI at this sandbox.
    public var cliOptions: [String] {
        ["--data-dir", dataDir, "--config", configFile, "--audit-log", auditLog]
    }

    @discardableResult
    public func write(_ relative: String, _ content: String) throws -> String {
        let path = relative.hasPrefix("/") ? relative : root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    public func manifest(_ name: String, _ content: String = Sandbox.helmChart("x")) throws -> String {
        try write(manifestsDir + "/" + name, content)
    }

    public func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// A packaged-style HelmChart manifest.
    public static func helmChart(_ name: String, chartVersion: String = "1.0.0") -> String {
        """
        apiVersion: helm.cattle.io/v1
        kind: HelmChart
        metadata:
          name: \(name)
          namespace: kube-system
          annotations:
            helm.cattle.io/chart-url: https://rke2-charts.rancher.io/assets/\(name)/\(name)-\(chartVersion).tgz
        spec:
          bootstrap: false

        """
    }
}
