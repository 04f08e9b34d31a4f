import Foundation

/// The host half of a snapshot: this node and its manifests, read fresh from disk and /proc.
public enum LocalSnapshot {
    public static func read(_ inspector: LocalInspector) throws -> (LocalNode, [ManifestFile]) {
        let node = try inspector.inspect()
        let files = node.role == "agent"
            ? []
            : try ManifestScanner(directory: node.paths.manifestsDir, disabled: node.config.disabled).scan().files
        return (node, files)
    }
}
