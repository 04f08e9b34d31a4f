/// What rke2 runs as on a node (`rke2 server` or `rke2 agent`); unknown while no rke2 runs.
public enum NodeRole: String, Sendable, Equatable {
    case server, agent, unknown
}
