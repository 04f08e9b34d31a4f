import Foundation

/// This node's rke2 log from journald: `journalctl -u rke2-server` (or `rke2-agent`), the last lines,
/// optionally errors only (`-p err`). journalctl runs only from a root-owned path (`TrustedPath`),
/// through its checked descriptor, with a deadline; without it, the answer says there is no journald.
public struct JournalReader: Sendable {
    public enum Outcome: Sendable, Equatable {
        case lines([String])
        /// Why there is nothing to show (no journald, journalctl not trusted, or journalctl's own error).
        case unavailable(String)
    }

    public static let defaultCandidates = ["/usr/bin/journalctl", "/bin/journalctl"]
    public let candidates: [String]

    public init(candidates: [String] = JournalReader.defaultCandidates) {
        self.candidates = candidates
    }

    /// The unit rke2 runs as for a role (the rke2 packages' unit names).
    public static func unit(for role: NodeRole) -> String { role == .agent ? "rke2-agent" : "rke2-server" }

    public func read(unit: String, errorsOnly: Bool, lines: Int = 300) -> Outcome {
        let existing = candidates.filter { POSIX.fileInfo($0) != nil }
        guard let path = existing.first else {
            return .unavailable("no journald on this node: journalctl is not installed (looked in \(candidates.joined(separator: ", "))); rke2 logs where its supervisor sends it")
        }
        if let problem = TrustedPath.problem(executable: path) {
            return .unavailable("\(path) was not run: \(problem)")
        }
        var arguments = ["-u", unit, "-n", String(lines), "--no-pager", "-o", "short-iso"]
        if errorsOnly { arguments += ["-p", "err"] }
        do {
            let result = try TrustedExec.run(path, arguments, timeout: 10)
            let output = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trimmed = output.last == "" ? Array(output.dropLast()) : output
            guard result.status == 0 else {
                return .unavailable("journalctl -u \(unit) failed (exit \(result.status)): \(trimmed.prefix(3).joined(separator: " "))")
            }
            return .lines(Array(trimmed.suffix(lines)))
        } catch {
            return .unavailable("journalctl -u \(unit): \((error as? UpgradeError)?.message ?? "\(error)")")
        }
    }
}
