import Foundation

/// Runs a swap candidate's `--version` without trusting it (SECURITY.md "Swap"): in its own session
/// (no controlling terminal: it cannot type into the operator's prompt or draw on the screen), in new
/// pid, mount (with its own /proc), network, IPC and UTS namespaces (it sees and reaches no process
/// and no network; when the deadline kills `unshare`, every process it started dies with it), as a
/// fresh uid and gid that no process or file has, with no supplementary groups and no new privileges.
/// util-linux's `unshare`, `setsid` and `setpriv` do it; without them the candidate is not run.
/// Unprivileged callers run it as themselves: they have nothing to lose to it that they did not have.
public enum CandidateSandbox {
    static func freshID() -> UInt32 { UInt32.random(in: 2_147_400_000..<2_147_480_000) }

    public static func run(_ path: String, _ arguments: [String], id: UInt32, timeout: TimeInterval) throws -> Subprocess.Result {
        let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        guard POSIX.effectiveUID == 0 else { return try Subprocess.run(path, arguments, timeout: timeout, environment: environment) }
        var tools: [String] = []
        for name in ["unshare", "setsid", "setpriv"] {
            guard let tool = ["/usr/bin/\(name)", "/bin/\(name)"].first(where: { TrustedPath.problem(executable: $0) == nil }) else {
                throw UpgradeError.refused("\(name) (util-linux) is needed to run an unverified binary in a sandbox; it was not run")
            }
            tools.append(tool)
        }
        closeOnExecEverything()
        return try Subprocess.run(tools[0], ["--fork", "--kill-child", "--pid", "--mount-proc", "--net", "--ipc", "--uts", "--",
                                             tools[1], "--wait", tools[2], "--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--no-new-privs",
                                             "--", path] + arguments,
                                  timeout: timeout, environment: environment)
    }

    /// Every descriptor of ours above stderr gets FD_CLOEXEC, so the candidate inherits none of them
    /// (the terminal, the log, a kubeconfig), whoever opened them without it.
    static func closeOnExecEverything() {
        for name in (try? POSIX.listDirectory("/proc/self/fd")) ?? [] {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
