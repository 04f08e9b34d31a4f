import Foundation

/// Where the host half of a snapshot comes from: this node (`LocalInspector`) or the demo's node.
public protocol LocalSource: Sendable {
    var paths: HostPaths { get }
    func read() throws -> (LocalNode, [ManifestFile])
    /// The directories whose changes may change what `read` returns, for `HostChangeMonitor`. Empty (the
    /// default): no change detection, the store rescans at every interval.
    func watchedDirectories(_ node: LocalNode, _ files: [ManifestFile]) -> [String]
}

extension LocalSource {
    public func watchedDirectories(_ node: LocalNode, _ files: [ManifestFile]) -> [String] { [] }
}

extension LocalInspector: LocalSource {
    public func read() throws -> (LocalNode, [ManifestFile]) { try LocalSnapshot.read(self) }

    /// The manifests tree, the config file's directory and drop-in directory, the data dir and
    /// upgrade-tui's state (backups), and every directory a binary is or may be found in.
    public func watchedDirectories(_ node: LocalNode, _ files: [ManifestFile]) -> [String] {
        let paths = node.paths
        func parent(_ path: String) -> String { (path as NSString).deletingLastPathComponent }
        var directories = [paths.dataDir, parent(paths.manifestsDir), paths.manifestsDir, paths.stateDir, paths.backupsDir,
                           parent(paths.configFile), paths.configFile + ".d"]
        for file in files where file.file.contains("/") {
            directories.append(file.file.hasPrefix("/") ? parent(file.file) : paths.manifestsDir + "/" + parent(file.file))
        }
        let binaries = [paths.rke2Binary, node.binary?.path, node.running?.process.exe].compactMap { $0 } + HostPaths.binarySearchPath
        directories += binaries.filter { !$0.isEmpty }.map(parent)
        var seen = Set<String>()
        return directories.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
