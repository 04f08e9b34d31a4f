import Foundation
import Yams

/// What a skip or unskip did, or would do with `dryRun`, for one manifest.
public struct SkipOutcome: Sendable, Equatable {
    public enum Action: String, Sendable {
        case created = "created"
        case alreadySkipped = "already-skipped"
        case removed = "removed"
        case notSkipped = "not-skipped"
        /// The marker held a renamed manifest and `<file>` was absent: it was renamed back.
        case restored = "restored"
        /// The marker held a renamed manifest but `<file>` exists: it was moved aside as a dotfile backup.
        case keptAsBackup = "kept-as-backup"
    }

    public let file: String
    public let action: Action
    /// The markers (relative paths) acted on.
    public let markers: [String]
    public let detail: String
    public let dryRun: Bool

    public var changed: Bool { !dryRun && action != .alreadySkipped && action != .notSkipped }
}

/// Creates and removes `.skip` markers following the safety rules (docs/architecture.md#skip-and-unskip): the manifest itself is never
/// renamed, edited or deleted; markers are created exclusively, without following symlinks (not even
/// through a symlinked sub-directory), and fsynced with their directory; names that could escape the
/// manifests directory are refused.
public struct SkipMarkers: Sendable {
    public let manifestsDir: String
    public let scan: ManifestScan
    /// What the config disables: a file not written yet is refused by its addon name as well.
    public let disabled: [DisabledComponent]

    public init(manifestsDir: String, scan: ManifestScan, disabled: [DisabledComponent] = []) {
        self.manifestsDir = manifestsDir
        self.scan = scan
        self.disabled = disabled
    }

    /// Names RKE2 itself writes into the manifests directory (its packaged charts): only these can be
    /// skipped before the file exists, by their full file name.
    public static func isPackagedName(_ name: String) -> Bool {
        let packaged = ["rke2-", "rancher-vsphere-", "harvester-"]
        return packaged.contains { name.hasPrefix($0) } && [".yaml", ".yml"].contains { name.hasSuffix($0) }
    }

    /// A manifest named by its file name (`rke2-canal.yaml`) or addon name (`rke2-canal`).
    public struct Target: Sendable, Equatable {
        /// Relative path of the manifest.
        public let file: String
        public let row: ManifestFile?
    }

    /// Resolves a name given by the operator: a file name (`rke2-canal.yaml`), an addon name
    /// (`rke2-canal`), or a relative path as `status` prints it (`custom/team-app.yaml`). Throws
    /// `input` errors for unsafe or unknown names, suggesting the closest manifest.
    public func resolve(_ name: String) throws -> Target {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw UpgradeError.input("'\(name)': give a manifest file name (rke2-canal.yaml), an addon name (rke2-canal) or a path inside the manifests directory as status prints it, without '..'")
        }
        guard !components.contains(where: { $0.hasPrefix(".") }) else {
            throw UpgradeError.input("'\(name)': names with a leading '.' are refused (dotfiles are never deployed anyway)")
        }
        if name.hasSuffix(".skip") {
            throw UpgradeError.input("'\(name)': name the manifest, not its marker (\(name.dropLast(5)))")
        }
        let byPath = scan.files.filter { $0.file == name }
        let byFile = byPath.isEmpty ? scan.files.filter { $0.baseName == name } : byPath
        let byAddon = byFile.isEmpty ? scan.files.filter { $0.addon == name || ($0.baseName as NSString).deletingPathExtension == name } : []
        let matches = byFile.isEmpty ? byAddon : byFile
        if let row = matches.first {
            return Target(file: row.file, row: row)
        }
        // A marker may be placed ahead of a file RKE2 has not written yet: only for RKE2's own
        // packaged charts, by their full file name, and not for what the config disables.
        if components.count == 1, Self.isPackagedName(name) {
            let addon = (name as NSString).deletingPathExtension
            if let disabled = disabled.first(where: { $0.name == addon }) {
                throw UpgradeError.refused("\(addon) is disabled by \(disabled.source): the deploy controller deletes it whatever the .skip marker says; change the config instead")
            }
            return Target(file: name, row: nil)
        }
        throw UpgradeError.input("no manifest named '\(name)' in \(manifestsDir)" + suggestionText(for: name))
    }

    /// "did you mean rke2-coredns?", or the names there are.
    func suggestionText(for name: String) -> String {
        let candidates = scan.files.filter { $0.localState != .ignored }.flatMap { [$0.addon, $0.baseName, $0.file] }
        let lowered = name.lowercased()
        let scored = Set(candidates).map { ($0, EditDistance.between(lowered, $0.lowercased())) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        if let best = scored.first, best.1 <= max(2, name.count / 3) || best.0.lowercased().contains(lowered) {
            return "; did you mean \(best.0)?"
        }
        let known = scan.files.filter { $0.localState != .ignored }.map(\.baseName)
        return known.isEmpty ? " (the directory holds no manifests)" : " (there: " + known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", …)" : ")")
    }

    // MARK: skip

    public func skip(_ target: Target, dryRun: Bool, note: String) throws -> SkipOutcome {
        let base = (target.file as NSString).lastPathComponent
        if let row = target.row, let disabled = row.disabledBy {
            throw UpgradeError.refused("\(row.file) is disabled by \(disabled.source): the deploy controller deletes it whatever the .skip marker says; change the config instead")
        }
        if let row = target.row, row.localState == .ignored, !(scan.markers[base]?.isEmpty == false) {
            throw UpgradeError.refused("\(row.file) is never deployed (a dotfile, or not .yaml/.yml/.json): nothing to skip")
        }
        if let existing = scan.markers[base], !existing.isEmpty {
            for marker in existing {
                let (dirFD, dirPath) = try openParent(of: marker)
                defer { close(dirFD) }
                let name = (marker as NSString).lastPathComponent
                let found = try kind(of: name, in: dirFD)
                if found != .regular && found != .missing {
                    throw UpgradeError.refused("\(dirPath)/\(name) exists and is \(found.description), not a marker file; remove it by hand and retry")
                }
            }
            return SkipOutcome(file: target.file, action: .alreadySkipped, markers: existing,
                               detail: "already skipped by \(existing.joined(separator: ", "))", dryRun: dryRun)
        }
        if target.row?.viaSymlink == true {
            throw UpgradeError.refused("\(target.file) is reached through a symlinked directory; upgrade-tui does not write through symlinks")
        }
        let marker = target.file + ".skip"
        if dryRun {
            return SkipOutcome(file: target.file, action: .created, markers: [marker],
                               detail: "would create \(manifestsDir)/\(marker)", dryRun: true)
        }
        let (dirFD, dirPath) = try openParent(of: marker)
        defer { close(dirFD) }
        let markerName = (marker as NSString).lastPathComponent
        let fd = openat(dirFD, markerName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 {
            let code = errno
            if code == EEXIST {
                // Created since the scan, or not a regular file: look without following.
                switch try kind(of: markerName, in: dirFD) {
                case .regular:
                    return SkipOutcome(file: target.file, action: .alreadySkipped, markers: [marker],
                                       detail: "already skipped by \(marker)", dryRun: false)
                case let other:
                    throw UpgradeError.refused("\(dirPath)/\(markerName) already exists and is \(other.description); remove it by hand and retry")
                }
            }
            throw UpgradeError.failed("cannot create \(dirPath)/\(markerName): \(POSIX.errorText(code))")
        }
        do {
            defer { close(fd) }
            try POSIX.writeAll(fd: fd, Data(note.utf8), path: dirPath + "/" + markerName)
            guard fsync(fd) == 0 else { throw POSIX.fail("cannot fsync", dirPath + "/" + markerName) }
        } catch {
            // Half-written is still a marker (content is irrelevant), but leave nothing we cannot vouch for.
            unlinkat(dirFD, markerName, 0)
            throw error
        }
        guard fsync(dirFD) == 0 else { throw POSIX.fail("cannot fsync directory", dirPath) }
        return SkipOutcome(file: target.file, action: .created, markers: [marker],
                           detail: "created \(dirPath)/\(markerName)", dryRun: false)
    }

    // MARK: unskip

    public func unskip(_ target: Target, dryRun: Bool, now: Date = Date()) throws -> SkipOutcome {
        let base = (target.file as NSString).lastPathComponent
        let markers = scan.markers[base] ?? []
        guard !markers.isEmpty else {
            return SkipOutcome(file: target.file, action: .notSkipped, markers: [], detail: "not skipped", dryRun: dryRun)
        }
        var actions: [(SkipOutcome.Action, String)] = []
        for marker in markers {
            actions.append(try removeMarker(marker, dryRun: dryRun, now: now))
        }
        let action = actions.map(\.0).first { $0 != .removed } ?? .removed
        return SkipOutcome(file: target.file, action: action, markers: markers,
                           detail: actions.map(\.1).joined(separator: "; "), dryRun: dryRun)
    }

    private func removeMarker(_ marker: String, dryRun: Bool, now: Date) throws -> (SkipOutcome.Action, String) {
        let (dirFD, dirPath) = try openParent(of: marker)
        defer { close(dirFD) }
        let markerName = (marker as NSString).lastPathComponent
        let manifestName = String(markerName.dropLast(5))
        let markerPath = dirPath + "/" + markerName
        switch try kind(of: markerName, in: dirFD) {
        case .missing:
            return (.removed, "\(markerPath) is already gone")
        case .regular:
            break
        case let other:
            throw UpgradeError.refused("\(markerPath) is \(other.description), not a marker file; remove it by hand")
        }
        let content = try readAt(dirFD, markerName, path: markerPath)
        guard Self.holdsManifest(content) else {
            if dryRun { return (.removed, "would remove \(markerPath)") }
            guard unlinkat(dirFD, markerName, 0) == 0 else { throw POSIX.fail("cannot remove", markerPath) }
            guard fsync(dirFD) == 0 else { throw POSIX.fail("cannot fsync directory", dirPath) }
            return (.removed, "removed \(markerPath)")
        }
        // A manifest renamed to `<file>.skip` by hand: put it back, never over an existing file.
        let manifestPath = dirPath + "/" + manifestName
        if try kind(of: manifestName, in: dirFD) == .missing {
            if dryRun { return (.restored, "would rename \(markerPath) back to \(manifestPath)") }
            guard linkat(dirFD, markerName, dirFD, manifestName, 0) == 0 else {
                throw POSIX.fail("cannot restore \(markerPath) to", manifestPath)
            }
            guard unlinkat(dirFD, markerName, 0) == 0 else { throw POSIX.fail("cannot remove", markerPath) }
            guard fsync(dirFD) == 0 else { throw POSIX.fail("cannot fsync directory", dirPath) }
            return (.restored, "\(markerPath) held a renamed manifest; renamed it back to \(manifestPath)")
        }
        let stamp = UTCTime.compact(now, millis: false)
        let backupName = ".\(markerName).\(stamp).bak"
        if dryRun {
            return (.keptAsBackup, "\(markerPath) holds a manifest and \(manifestPath) exists: would keep it as \(dirPath)/\(backupName)")
        }
        guard linkat(dirFD, markerName, dirFD, backupName, 0) == 0 else {
            throw POSIX.fail("cannot keep a backup of \(markerPath) as", dirPath + "/" + backupName)
        }
        guard unlinkat(dirFD, markerName, 0) == 0 else { throw POSIX.fail("cannot remove", markerPath) }
        guard fsync(dirFD) == 0 else { throw POSIX.fail("cannot fsync directory", dirPath) }
        return (.keptAsBackup, "\(markerPath) held a manifest that differs from the existing \(manifestPath); kept it as \(dirPath)/\(backupName) (a dotfile, never deployed)")
    }

    /// True when the marker's content is a Kubernetes manifest (someone renamed `<file>` to `<file>.skip`).
    static func holdsManifest(_ data: Data) -> Bool {
        guard let text = String(data: data, encoding: .utf8), text.contains("apiVersion") || text.contains("\"kind\"") || text.contains("kind:") else {
            return false
        }
        guard let documents = try? YAMLText.composeAll(text) else { return false }
        for document in documents {
            if case let .mapping(mapping) = document, mapping["kind"] != nil, mapping["apiVersion"] != nil { return true }
        }
        return false
    }

    // MARK: no-follow directory access

    enum Kind: Equatable, CustomStringConvertible {
        case missing, regular, directory, symlink(String), other
        var description: String {
            switch self {
            case .missing: return "missing"
            case .regular: return "a regular file"
            case .directory: return "a directory"
            case let .symlink(target): return "a symlink to \(target)"
            case .other: return "not a regular file"
            }
        }
    }

    private func kind(of name: String, in dirFD: Int32) throws -> Kind {
        var st = stat()
        guard fstatat(dirFD, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return .missing }
            throw UpgradeError.failed("cannot inspect \(name): \(POSIX.errorText())")
        }
        if POSIX.isRegular(st) { return .regular }
        if POSIX.isDirectory(st) { return .directory }
        if POSIX.isSymlink(st) {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(dirFD, name, &buffer, buffer.count - 1)
            let target = n >= 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            return .symlink(target)
        }
        return .other
    }

    private func readAt(_ dirFD: Int32, _ name: String, path: String) throws -> Data {
        // A marker is anyone's file: a FIFO in its place must not block the read.
        guard let fd = try POSIX.openRegularFile(path, in: dirFD, name: name, noFollow: true) else {
            throw POSIX.fail("cannot read", path, ENOENT)
        }
        defer { close(fd) }
        return try POSIX.readAll(fd: fd, path: path, limit: 64 << 20)
    }

    /// Opens the directory that holds `relative` (a path below the manifests directory), refusing to
    /// follow a symlink at any component below the manifests directory itself.
    private func openParent(of relative: String) throws -> (Int32, String) {
        var fd = open(manifestsDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw UpgradeError.failed("cannot open \(manifestsDir): \(POSIX.errorText())")
        }
        var path = manifestsDir
        let components = relative.split(separator: "/").dropLast().map(String.init)
        for component in components {
            guard component != "..", component != "." else {
                close(fd)
                throw UpgradeError.refused("\(relative) escapes \(manifestsDir)")
            }
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(fd)
            guard next >= 0 else {
                if code == ELOOP || code == ENOTDIR {
                    throw UpgradeError.refused("\(path)/\(component) is a symlink or not a directory; upgrade-tui does not write through symlinks")
                }
                throw UpgradeError.failed("cannot open \(path)/\(component): \(POSIX.errorText(code))")
            }
            fd = next
            path += "/" + component
        }
        return (fd, path)
    }
}
