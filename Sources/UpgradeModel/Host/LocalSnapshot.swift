import Foundation

/// The host half of a snapshot: this node and its manifests, read fresh from disk and /proc.
public enum LocalSnapshot {
    public static func read(_ inspector: LocalInspector) throws -> (LocalNode, [ManifestFile]) {
        let node = try inspector.inspect()
        guard node.role != .agent else { return (node, []) }
        var scanner = ManifestScanner(directory: node.paths.manifestsDir, disabled: node.config.disabled)
        scanner.disabledAtRestart = node.config.disabledAtRestart
        let scan = try scanner.scan()
        return (node.adding(problems: scan.problems), scan.files)
    }
}

extension LocalNode {
    /// The same node with more problem lines (the manifests walk's).
    public func adding(problems more: [String]) -> LocalNode {
        guard !more.isEmpty else { return self }
        return LocalNode(role: role, hostname: hostname, paths: paths, binary: binary, running: running, config: config,
                         problems: problems + more)
    }
}
