/// How a mutating operation ended, as the audit log records it. The intent record says `started`.
public enum AuditResult: String, Sendable, Equatable {
    case started, ok, noOp = "no-op", refused, failed, interrupted
}

/// Which of an operation's two records: the `intent` written before it acts, the `result` after.
public enum AuditPhase: String, Sendable, Equatable {
    case intent, result
}
