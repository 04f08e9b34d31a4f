import Foundation

/// Where the host half of a snapshot comes from: this node (`LocalInspector`) or the demo's node.
public protocol LocalSource: Sendable {
    var paths: HostPaths { get }
    func read() throws -> (LocalNode, [ManifestFile])
}

extension LocalInspector: LocalSource {
    public func read() throws -> (LocalNode, [ManifestFile]) { try LocalSnapshot.read(self) }
}
