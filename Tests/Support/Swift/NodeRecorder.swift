import Foundation
import UpgradeModel

/// What a node reflector reported, for the reflector tests: the names it holds, every update, health.
public actor NodeRecorder {
    public private(set) var names: [String] = []
    public private(set) var events: [String] = []
    public private(set) var health: [ResourceHealth] = []
    public private(set) var replaces = 0

    public init() {}

    public func record(_ update: ReflectorUpdate<KNode>) {
        switch update {
        case let .replace(items):
            replaces += 1
            names = items.map(\.metadata.name).sorted()
            events.append("replace:\(items.count)")
        case let .upsert(node):
            if !names.contains(node.metadata.name) { names.append(node.metadata.name); names.sort() }
            events.append("upsert:\(node.metadata.name):\(node.metadata.label("step") ?? "")")
        case let .delete(node):
            names.removeAll { $0 == node.metadata.name }
            events.append("delete:\(node.metadata.name)")
        case let .health(state):
            health.append(state)
        }
    }

    public func upserts() -> [String] { events.filter { $0.hasPrefix("upsert:") } }

    /// A node reflector against the emulator (mTLS), recording into a new recorder; backoff capped low.
    public static func start(_ emulator: Emulator) throws -> (NodeRecorder, Task<Void, Never>, KubeClient) {
        let client = try KubeClient(access: Kubeconfig.load(path: emulator.writeMTLSKubeconfig()))
        let recorder = NodeRecorder()
        var reflector = Reflector<KNode>(client: client, resource: .nodes)
        reflector.maxBackoff = 0.5
        let task = Task { await reflector.run { await recorder.record($0) } }
        return (recorder, task, client)
    }
}
