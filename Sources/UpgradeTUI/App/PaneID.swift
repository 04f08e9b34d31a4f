enum PaneID: String, CaseIterable, Sendable {
    case nodes, manifests, plans

    var title: String {
        switch self {
        case .nodes: return "Nodes"
        case .manifests: return "Manifests"
        case .plans: return "Plans & Jobs"
        }
    }
}
