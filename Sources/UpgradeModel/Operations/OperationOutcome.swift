/// Result lines of a mutating operation, for the CLI and the dashboard's message line.
public struct OperationOutcome: Sendable, Equatable {
    public let changed: Bool
    public let summary: String
    public let details: [String]

    public init(changed: Bool, summary: String, details: [String]) {
        self.changed = changed
        self.summary = summary
        self.details = details
    }
}
