import Foundation

/// `upgrade-tui skip|unskip NAME...`: resolve every name first (a bad name changes nothing), then act
/// under the node lock and write one audit record for the whole command.
public struct SkipOperation: Sendable {
    public enum Mode: String, Sendable { case skip, unskip }

    public let mode: Mode
    public let names: [String]
    public let dryRun: Bool
    public let inspector: LocalInspector

    public init(mode: Mode, names: [String], dryRun: Bool, inspector: LocalInspector) {
        self.mode = mode
        self.names = names
        self.dryRun = dryRun
        self.inspector = inspector.resolved()
    }

    public func run(user: AuditUser = .current, now: Date = Date()) throws -> [SkipOutcome] {
        let paths = inspector.paths
        if dryRun { return try perform(user: user, now: now) }
        return try Audited.run(paths: paths, command: mode.rawValue, arguments: names, user: user, time: now) { record in
            let outcomes = try perform(user: user, now: now)
            record.result = outcomes.contains(where: \.changed) ? .ok : .noOp
            for outcome in outcomes {
                record.details[outcome.file] = "\(outcome.action.rawValue): \(outcome.detail)"
            }
            return outcomes
        }
    }

    private func perform(user: AuditUser, now: Date) throws -> [SkipOutcome] {
        let node = try inspector.inspect()
        guard POSIX.fileInfo(node.paths.manifestsDir) != nil else {
            throw UpgradeError.input("\(node.paths.manifestsDir) does not exist: is this a server node, and is --data-dir right?")
        }
        let scan = try ManifestScanner(directory: node.paths.manifestsDir, disabled: node.config.disabled).scan()
        let markers = SkipMarkers(manifestsDir: node.paths.manifestsDir, scan: scan, disabled: node.config.disabled)
        let targets = try names.map(markers.resolve)
        let stamp = UTCTime.rfc3339(now)
        return try targets.map { target in
            switch mode {
            case .skip:
                let note = "# Created by upgrade-tui (\(user.name), \(stamp)). While this file exists, rke2 does not apply \((target.file as NSString).lastPathComponent).\n"
                return try markers.skip(target, dryRun: dryRun, note: note)
            case .unskip:
                return try markers.unskip(target, dryRun: dryRun, now: now)
            }
        }
    }
}
