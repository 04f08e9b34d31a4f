/// Where things live on this node. Defaults are RKE2's own (docs/rke2-rules.md#rke2-paths-and-defaults); every path can be moved
/// so that tests and `--demo` run on a sandbox that mirrors `/var/lib/rancher/rke2` and `/etc/rancher/rke2`.
public struct HostPaths: Sendable, Equatable {
    public static let defaultDataDir = "/var/lib/rancher/rke2"
    public static let defaultConfigFile = "/etc/rancher/rke2/config.yaml"
    public static let defaultAuditLog = "/var/log/upgrade-tui/audit.jsonl"
    /// Where upgrade.sh and install.sh put the binary, in the order upgrade-tui looks.
    public static let binarySearchPath = ["/usr/local/bin/rke2", "/usr/bin/rke2", "/opt/rke2/bin/rke2"]

    public var dataDir: String
    public var configFile: String
    public var auditLog: String
    /// `--rke2-binary`: overrides discovery of the installed binary.
    public var rke2Binary: String?
    /// The process table; tests point it at `/proc` too, but it stays a parameter.
    public var procRoot: String
    /// Which processes of it count: all of them on a node; tests narrow it to their own process tree.
    public var processScope: ProcessScope

    public init(dataDir: String = HostPaths.defaultDataDir, configFile: String = HostPaths.defaultConfigFile,
                auditLog: String = HostPaths.defaultAuditLog, rke2Binary: String? = nil, procRoot: String = "/proc",
                processScope: ProcessScope = .all) {
        self.dataDir = dataDir
        self.configFile = configFile
        self.auditLog = auditLog
        self.rke2Binary = rke2Binary
        self.procRoot = procRoot
        self.processScope = processScope
    }

    public var manifestsDir: String { dataDir + "/server/manifests" }
    public var snapshotsDir: String { dataDir + "/server/db/snapshots" }
    /// upgrade-tui's own state on this node: the lock and binary backups.
    public var stateDir: String { dataDir + "/upgrade-tui" }
    public var lockFile: String { stateDir + "/lock" }
    public var backupsDir: String { stateDir + "/backups" }
}
