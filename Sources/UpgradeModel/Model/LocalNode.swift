import Foundation

/// The rke2 binary installed on this node.
public struct InstalledBinary: Sendable, Equatable {
    public let path: String
    public let version: RKE2Version?
    public let commit: String?
    public let goVersion: String?
    public let sha256: String?
    /// Why the version or hash is missing (not executable, timed out, unparsable output).
    public let problem: String?

    public init(path: String, version: RKE2Version?, commit: String? = nil, goVersion: String? = nil, sha256: String?, problem: String? = nil) {
        self.path = path
        self.version = version
        self.commit = commit
        self.goVersion = goVersion
        self.sha256 = sha256
        self.problem = problem
    }
}

/// The running rke2 process with what upgrade-tui derives from it.
public struct RunningRKE2: Sendable, Equatable {
    public let process: RKE2Process
    /// sha256 of `/proc/PID/exe`: the bytes actually running, even when the file was replaced.
    public let runningSha256: String?
    /// The installed file differs from the running one: a swap happened, the restart did not.
    public let restartPending: Bool
    /// The running version when it differs from the installed one (from `/proc/PID/exe --version`).
    public let runningVersion: RKE2Version?

    public init(process: RKE2Process, runningSha256: String?, restartPending: Bool, runningVersion: RKE2Version?) {
        self.process = process
        self.runningSha256 = runningSha256
        self.restartPending = restartPending
        self.runningVersion = runningVersion
    }
}

/// Everything upgrade-tui knows about this node without asking the cluster.
public struct LocalNode: Sendable, Equatable {
    /// `server`, `agent` or `unknown` (no process running).
    public let role: NodeRole
    public let hostname: String
    public let paths: HostPaths
    public let binary: InstalledBinary?
    public let running: RunningRKE2?
    public let config: RKE2Config
    /// Problems met while looking (ambiguous process, unreadable binary); shown, never fatal.
    public let problems: [String]

    public init(role: NodeRole, hostname: String, paths: HostPaths, binary: InstalledBinary?, running: RunningRKE2?,
                config: RKE2Config, problems: [String]) {
        self.role = role
        self.hostname = hostname
        self.paths = paths
        self.binary = binary
        self.running = running
        self.config = config
        self.problems = problems
    }

    /// The version this node runs now: the running one if known, else the installed one.
    public var currentVersion: RKE2Version? { running?.runningVersion ?? binary?.version }
}
