import Foundation
import UpgradeModel

/// Manifests pane: file, deploy state, Addon sync, chart version, skip marker or where it is disabled.
enum ManifestRows {
    static func stateRole(_ state: ManifestState) -> Role {
        switch state {
        case .applied: return .ok
        case .blocked, .failed: return .error
        case .outOfSync: return .warn
        case .pending: return .accent
        case .skipped: return .warn
        case .disabled, .ignored: return .dim
        case .active: return .normal
        }
    }

    static func sync(_ manifest: ManifestStatus, unicode: Bool) -> String {
        guard let checksum = manifest.addonChecksum else { return "-" }
        guard let sha = manifest.file.sha256 else { return "addon" }
        return checksum == sha ? "=" : (unicode ? "≠" : "!=")
    }

    /// What the operator must know about a manifest beyond its state, most urgent first.
    static func notes(_ manifest: ManifestStatus, now: Date = Date()) -> [String] {
        var notes: [String] = []
        if let blocked = manifest.file.blockedBy { notes.append("blocked: \(blocked)") }
        notes += manifest.elsewhereWarnings(now: now)
        if let failure = manifest.failure { notes.append("failed: \(failure)") }
        if let atRestart = manifest.file.disabledAtRestart {
            notes.append("disabled at the next restart (\(atRestart.source), changed since rke2 started)")
        }
        if manifest.notDeployedHere { notes.append("not applied from this node: disable-apiserver (etcd-only) runs no deploy controller") }
        return notes
    }

    static func note(_ manifest: ManifestStatus, now: Date = Date()) -> String {
        if let first = notes(manifest, now: now).first { return first }
        if let disabled = manifest.file.disabledBy { return "disabled by \(disabled.source)" }
        if let marker = manifest.file.skipMarker { return marker + (manifest.file.present ? "" : " (no file yet)") }
        if let failure = manifest.chartFailure { return "chart failed: \(failure)" }
        if manifest.file.viaSymlink { return "via symlinked dir" }
        return ""
    }

    static func content(_ manifests: [ManifestStatus], unicode: Bool) -> TableContent {
        let columns = [
            Column(title: "FILE", minWidth: 14, maxWidth: 44, flexible: true, comfortWidth: 24, priority: 10),
            Column(title: "STATE", minWidth: 11, maxWidth: 11, priority: 9),
            Column(title: "SYNC", minWidth: 4, maxWidth: 5, priority: 3),
            Column(title: "CHART", minWidth: 8, maxWidth: 16, priority: 4),
            Column(title: "NOTE", minWidth: 8, maxWidth: 60, flexible: true, priority: 6),
        ]
        // What is never deployed goes last: it is context, not state.
        let ordered = manifests.filter { $0.state != .ignored } + manifests.filter { $0.state == .ignored }
        let rows = ordered.map { manifest in
            TableRow(id: manifest.file.file,
                     cells: [manifest.file.file, manifest.state.rawValue, sync(manifest, unicode: unicode),
                             manifest.chartVersionText ?? "-", note(manifest)],
                     roles: [manifest.file.present ? .normal : .dim, stateRole(manifest.state),
                             manifest.state == .outOfSync ? .warn : .dim, .dim,
                             manifest.chartFailure != nil || manifest.file.blockedBy != nil || !manifest.appliedElsewhere.isEmpty ? .error : .dim])
        }
        return TableContent(columns: columns, rows: rows, emptyText: "no manifests in this node's manifests directory")
    }

    static func details(_ manifest: ManifestStatus, manifestsDir: String) -> [String] {
        let file = manifest.file
        var lines = ["Manifest \(file.file)", ""]
        lines.append("path            \(manifestsDir)/\(file.file)\(file.present ? "" : " (absent)")")
        lines.append("addon           \(file.addon) (kube-system)")
        lines.append("state           \(manifest.state.rawValue)")
        lines.append("sha256          \(file.sha256 ?? "-")")
        lines.append("addon checksum  \(manifest.addonChecksum ?? "- (no Addon)")")
        if let size = file.size { lines.append("size            \(size) bytes") }
        lines.append("chart version   \(manifest.chartVersionText ?? "-")")
        if let failure = manifest.chartFailure { lines.append("chart failure   \(failure)") }
        lines.append("skip marker     \(file.skipMarker ?? "none")")
        if let disabled = file.disabledBy { lines.append("disabled by     \(disabled.source)\(disabled.implicit ? " (implicit)" : "")") }
        for apply in manifest.appliedBy {
            lines.append("applied by      \(apply.node ?? "unknown server (no source.host)"): \(apply.reason)\(apply.at.map { " at \(UTCTime.rfc3339($0))" } ?? "")")
        }
        lines += notes(manifest).map { "note            \($0)" }
        lines.append("")
        switch manifest.state {
        case .skipped: lines.append("rke2 leaves this file alone while the marker exists (on every control-plane node).")
        case .disabled: lines.append("RKE2 deletes this manifest and what it deployed; the config controls it, not .skip.")
        case .outOfSync: lines.append("The Addon was applied from different bytes: another server's file, an edit, or a pending re-apply.")
        case .pending: lines.append("No Addon yet: the deploy controller has not applied this file.")
        case .blocked: lines.append("The deploy controller aborts its whole pass on this node: nothing is applied or deleted until the entry is fixed.")
        case .failed: lines.append("The Addon exists with an empty checksum: it was created, but applying the file never succeeded.")
        case .ignored: lines.append("Dotfiles and files that are not .yaml/.yml/.json are never deployed.")
        default: break
        }
        return lines
    }
}
