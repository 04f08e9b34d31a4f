/// Failed checks refuse an operation unless `--force` gives a reason; the reason is audited.
enum Forcing {
    static func check(_ failures: [PreflightCheck], force: String?, what: String, record: inout AuditRecord) throws {
        guard !failures.isEmpty else { return }
        guard let force, !force.isEmpty else {
            throw UpgradeError.refused("\(what) refused: " + failures.map { "\($0.name): \($0.reason)" }.joined(separator: "; ") + " (--force REASON overrides)")
        }
        record.details["forced"] = failures.map(\.name).joined(separator: ", ")
        record.details["forceReason"] = force
    }
}
