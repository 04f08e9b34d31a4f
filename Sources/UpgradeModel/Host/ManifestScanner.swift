import Crypto
import Foundation

public struct ManifestScan: Sendable, Equatable {
    public let files: [ManifestFile]
    /// Every `.skip` marker (relative path), by the base name it skips.
    public let markers: [String: [String]]
    /// What the walk could not look at (a walk bound reached, a broken symlink), each naming the entry.
    public var problems: [String] = []
    /// Why the deploy controller's pass aborts on this node, naming the entry; nil when it completes.
    public var blocked: String?
}

/// Scans the manifests directory with the deploy controller's rules (k3s `pkg/deploy/controller.go`,
/// docs/rke2-rules.md#deploy-controller-the-walk): walk recursively in path order; disabled (`shouldDisableFile`) by a parent
/// path prefix (`a`, `a/b` for `a/b/c.yaml`, whatever the file's type) or, for `.yaml`/`.yml`/`.json`
/// files only, by the base name without its extension; skipped by a sibling `<base>.skip` anywhere in
/// the tree (skip names are collected by base name); dotfiles and non-YAML/JSON ignored; `.skip`
/// markers are not rows.
///
/// Symlinked directories are followed as `walkFiles` does: its outer `filepath.Walk` sees every entry of
/// the real tree, and a symlink to a directory met there (at any depth) is walked with an inner
/// `filepath.Walk`, whose callback records nested symlinks without following them ("only top-level
/// links are followed": links that are not inside a followed link). A walk error aborts the whole pass
/// (`listFilesIn` returns before applying or deleting anything): a symlink of the real tree whose target
/// cannot be `stat`ed, or an entry that cannot be read; every row is then `blocked`, naming the entry. The walk is bounded (depth and entries), because the
/// dashboard rescans every few seconds as root: `ln -s / manifests/x` must cost a problem line naming
/// `x`, not a hash of the whole filesystem. A file that vanishes during the scan is left out.
public struct ManifestScanner: Sendable {
    public let directory: String
    public let disabled: [DisabledComponent]
    /// Disables that take effect at the next restart (`RKE2Config.disabledAtRestart`).
    public var disabledAtRestart: [DisabledComponent] = []
    /// Directory levels below the manifests directory.
    public var maxDepth = 16
    /// Directory entries looked at in one scan.
    public var maxEntries = 10_000

    public init(directory: String, disabled: [DisabledComponent]) {
        self.directory = directory
        self.disabled = disabled
    }

    struct Entry {
        let relative: String
        let viaSymlink: Bool
        let st: stat
    }

    struct Walk {
        var entries: [Entry] = []
        var markers: [String] = []
        var visited = Set<[UInt64]>()
        var seen = 0
        var problems: [String] = []
        var stopped = false
        var blocked: String?
    }

    public func scan() throws -> ManifestScan {
        guard let top = POSIX.fileInfo(directory) else { return ManifestScan(files: [], markers: [:]) }
        guard POSIX.isDirectory(top) else {
            throw UpgradeError.input("\(directory) is not a directory")
        }
        var state = Walk()
        try walk(relative: "", viaSymlink: false, depth: 0, &state)
        let entries = state.entries, markerPaths = state.markers

        // Skip markers by base name (they apply across the tree), remembering where each one lives.
        var allMarkers: [String: [String]] = [:]
        for marker in markerPaths.sorted() {
            let base = (marker as NSString).lastPathComponent
            allMarkers[String(base.dropLast(5)), default: []].append(marker)
        }
        let markers = allMarkers.mapValues { $0[0] }
        let disabledByName = Dictionary(disabled.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let atRestartByName = Dictionary(disabledAtRestart.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var rows: [ManifestFile] = []
        var presentBases = Set<String>()
        for entry in entries {
            let base = (entry.relative as NSString).lastPathComponent
            presentBases.insert(base)
            let disabledBy = Self.disabling(entry.relative, in: disabledByName)
            let state: ManifestState
            if disabledBy != nil {
                state = .disabled
            } else if markers[base] != nil {
                state = .skipped
            } else if Self.isIgnored(base) {
                state = .ignored
            } else {
                state = .active
            }
            var hash: String?
            if state != .ignored {
                hash = try FileFacts.shared.sha256IfPresent(directory + "/" + entry.relative)
                if hash == nil { continue }         // removed since the walk saw it
            }
            var row = ManifestFile(
                file: entry.relative, addon: Self.addonName(base), present: true, sha256: hash,
                size: Int64(entry.st.st_size),
                modified: Date(timeIntervalSince1970: TimeInterval(entry.st.st_mtim.tv_sec) + TimeInterval(entry.st.st_mtim.tv_nsec) / 1e9),
                skipMarker: state == .ignored ? nil : markers[base], disabledBy: disabledBy,
                viaSymlink: entry.viaSymlink, localState: state)
            if disabledBy == nil { row.disabledAtRestart = Self.disabling(entry.relative, in: atRestartByName) }
            row.skipMarkerSince = row.skipMarker.flatMap { markerTime($0) }
            if let hash, state != .ignored { row.chartVersion = ChartVersionOnDisk.version(of: directory + "/" + entry.relative, sha256: hash) }
            rows.append(row)
        }
        // Markers whose manifest is absent: still "skipped" (the file may be written at the next start).
        for (base, marker) in markers.sorted(by: { $0.value < $1.value }) where !presentBases.contains(base) {
            guard !Self.isIgnored(base) else { continue }
            let relative = ((marker as NSString).deletingLastPathComponent as NSString).appendingPathComponent(base)
            let disabledBy = Self.disabling(relative, in: disabledByName)
            var row = ManifestFile(
                file: relative, addon: Self.addonName(base), present: false, sha256: nil, size: nil, modified: nil,
                skipMarker: marker, disabledBy: disabledBy, viaSymlink: false,
                localState: disabledBy != nil ? .disabled : .skipped)
            if disabledBy == nil { row.disabledAtRestart = Self.disabling(relative, in: atRestartByName) }
            row.skipMarkerSince = markerTime(marker)
            rows.append(row)
        }
        // Explicitly disabled components are listed even when RKE2 already deleted their file, and so are
        // those that will be at the next restart.
        var addons = Set(rows.map { ($0.baseName as NSString).deletingPathExtension })
        for component in disabled where !component.implicit && !addons.contains(component.name) {
            rows.append(ManifestFile(
                file: component.name + ".yaml", addon: Self.addonName(component.name), present: false,
                sha256: nil, size: nil, modified: nil, skipMarker: nil, disabledBy: component,
                viaSymlink: false, localState: .disabled))
            addons.insert(component.name)
        }
        if let blocked = state.blocked {
            rows = rows.map { row in
                var row = row
                row.blockedBy = blocked
                return row.with(localState: .blocked)
            }
        }
        return ManifestScan(files: rows.sorted { $0.file < $1.file }, markers: allMarkers, problems: state.problems, blocked: state.blocked)
    }

    private func markerTime(_ relative: String) -> Date? {
        POSIX.linkInfo(directory + "/" + relative).map {
            Date(timeIntervalSince1970: TimeInterval($0.st_mtim.tv_sec) + TimeInterval($0.st_mtim.tv_nsec) / 1e9)
        }
    }

    /// k3s `shouldDisableFile`: a parent path prefix (`a`, then `a/b`) in the map disables any file
    /// below it; otherwise only a `.yaml`/`.yml`/`.json` file (any case) is disabled, by its base name
    /// without the last extension.
    static func disabling(_ relative: String, in map: [String: DisabledComponent]) -> DisabledComponent? {
        let parts = relative.split(separator: "/").map(String.init)
        for index in parts.indices.dropLast() {
            if let component = map[parts[...index].joined(separator: "/")] { return component }
        }
        let base = parts.last ?? relative
        let ext = (base as NSString).pathExtension.lowercased()
        guard ["yaml", "yml", "json"].contains(ext) else { return nil }
        return map[(base as NSString).deletingPathExtension]
    }

    private func walk(relative: String, viaSymlink: Bool, depth: Int, _ state: inout Walk) throws {
        let path = relative.isEmpty ? directory : directory + "/" + relative
        guard let dirStat = POSIX.fileInfo(path) else { return }
        // Visit each directory inode once (a symlink back into the tree).
        guard state.visited.insert([UInt64(dirStat.st_dev), UInt64(dirStat.st_ino)]).inserted else { return }
        guard depth <= maxDepth else {
            state.problems.append("manifests: \(path) is more than \(maxDepth) directories deep; not scanned (as seen from \(topEntry(relative)))")
            return
        }
        let names: [String]
        do {
            names = try POSIX.listDirectory(path)
        } catch where !relative.isEmpty && POSIX.fileInfo(path) == nil {
            return                          // removed since it was listed
        } catch let error as UpgradeError where POSIX.effectiveUID == 0 {
            // The controller (root) could not read it either: `filepath.Walk` returns the error.
            if state.blocked == nil {
                state.blocked = "\(path) cannot be read (\(error.message)): the deploy controller applies and deletes nothing on this node until it is fixed"
                state.problems.append("manifests: " + state.blocked!)
            }
            return
        }
        for name in names {
            if state.stopped { return }
            state.seen += 1
            if state.seen > maxEntries {
                state.stopped = true
                state.problems.append("manifests: stopped after \(maxEntries) entries in \(directory + "/" + topEntry(relative)); the rest of the manifests directory is not shown (a symlink to a large tree?)")
                return
            }
            let child = relative.isEmpty ? name : relative + "/" + name
            guard let lst = POSIX.linkInfo(directory + "/" + child) else { continue }
            // The controller collects skip names from every entry, whatever its type.
            if name.hasSuffix(".skip") { state.markers.append(child) }
            if POSIX.isSymlink(lst) {
                guard let st = POSIX.fileInfo(directory + "/" + child) else {
                    // The controller stats every symlink of the real tree; a broken one stops its whole pass.
                    if !viaSymlink, state.blocked == nil {
                        state.blocked = "\(directory)/\(child) is a broken symlink: the deploy controller applies and deletes nothing on this node until it is removed or fixed"
                        state.problems.append("manifests: " + state.blocked!)
                    }
                    continue
                }
                if POSIX.isDirectory(st) {
                    // Only symlinks met in the real tree are followed, not those inside a followed one.
                    if !viaSymlink { try walk(relative: child, viaSymlink: true, depth: depth + 1, &state) }
                } else if POSIX.isRegular(st) && !name.hasSuffix(".skip") {
                    state.entries.append(Entry(relative: child, viaSymlink: true, st: st))
                }
            } else if POSIX.isDirectory(lst) {
                try walk(relative: child, viaSymlink: viaSymlink, depth: depth + 1, &state)
            } else if POSIX.isRegular(lst) && !name.hasSuffix(".skip") {
                state.entries.append(Entry(relative: child, viaSymlink: viaSymlink, st: lst))
            }
        }
    }

    /// The entry of the manifests directory a path is under: what the operator has to look at.
    private func topEntry(_ relative: String) -> String {
        relative.split(separator: "/").first.map(String.init) ?? "."
    }

    /// Dotfiles and anything that is not `.yaml`, `.yml` or `.json` (case-insensitive).
    public static func isIgnored(_ baseName: String) -> Bool {
        if baseName.hasPrefix(".") { return true }
        let ext = (baseName as NSString).pathExtension.lowercased()
        return !["yaml", "yml", "json"].contains(ext)
    }

    /// The deploy controller names an Addon after the file name up to its first `.`.
    public static func addonName(_ baseName: String) -> String {
        String(baseName.prefix { $0 != "." })
    }

    /// The sha256 of a regular file (a FIFO or device is refused, never read).
    public static func sha256(ofFile path: String) throws -> String {
        guard let hash = try sha256IfPresent(ofFile: path) else {
            throw UpgradeError.input("cannot read \(path): \(POSIX.errorText(ENOENT))")
        }
        return hash
    }

    /// The sha256 of a regular file, or nil when it does not exist.
    public static func sha256IfPresent(ofFile path: String) throws -> String? {
        guard let fd = try POSIX.openRegularFile(path) else { return nil }
        defer { close(fd) }
        return try sha256(fd: fd, path: path)
    }

    public static func sha256(fd: Int32, path: String) throws -> String {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw UpgradeError.input("cannot read \(path): \(POSIX.errorText())")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
