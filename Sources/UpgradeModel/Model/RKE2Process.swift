import Foundation

/// A running rke2 `server` or `agent` process, as `/proc` shows it.
public struct RKE2Process: Sendable, Equatable {
    public struct Child: Sendable, Equatable {
        public let pid: Int32
        /// `containerd` or `kubelet` (the process' comm, as `pgrep -l` prints it).
        public let name: String
        /// Its start time (clock ticks since boot): with the pid, the identity that a signal is pinned to.
        public let startTicks: UInt64

        public init(pid: Int32, name: String, startTicks: UInt64 = 0) {
            self.pid = pid
            self.name = name
            self.startTicks = startTicks
        }

        public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }
    }

    public init(pid: Int32, startTicks: UInt64 = 0, role: NodeRole, arguments: [String], argv0: String, exe: String, exeDeleted: Bool,
                children: [Child]) {
        self.pid = pid
        self.startTicks = startTicks
        self.role = role
        self.arguments = arguments
        self.argv0 = argv0
        self.exe = exe
        self.exeDeleted = exeDeleted
        self.children = children
    }

    public let pid: Int32
    /// Its start time (clock ticks since boot): a reused pid has another one.
    public let startTicks: UInt64
    /// `server` or `agent`.
    public let role: NodeRole
    /// argv, without argv[0].
    public let arguments: [String]
    /// argv[0] as upgrade.sh reads it from `/proc/PID/cmdline`.
    public let argv0: String
    /// The target of `/proc/PID/exe`, with a ` (deleted)` suffix removed.
    public let exe: String
    /// The executable the process runs was deleted or replaced on disk.
    public let exeDeleted: Bool
    /// Its containerd and kubelet children, which upgrade.sh signals together with it.
    public let children: [Child]
    /// Its `RKE2_*`/`RKE_*` environment (`/proc/PID/environ`: what systemd loaded from
    /// `/etc/default/rke2-server` and the unit's env files), which selects the CNI and ingress.
    public var environment: [String: String] = [:]
    /// When it started (boot time + start ticks): config written after it is not what it runs with.
    public var startTime: Date?

    /// The file upgrade.sh replaces: argv[0] when absolute, else the exe path.
    public var binaryPath: String { argv0.hasPrefix("/") ? argv0 : exe }
    public var procExe: String { "/proc/\(pid)/exe" }
    public var identity: ProcessIdentity { ProcessIdentity(pid: pid, startTicks: startTicks) }

    /// The arguments after the subcommand (what rke2 parses as flags).
    public var flags: [String] {
        guard let index = arguments.firstIndex(of: role.rawValue) else { return arguments }
        return Array(arguments[(index + 1)...])
    }
}
