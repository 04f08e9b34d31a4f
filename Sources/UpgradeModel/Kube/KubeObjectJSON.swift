import Foundation

extension KubeObject {
    /// The object as the API serves it: with `apiVersion` and `kind`.
    public var apiJSON: JSONValue {
        let (apiVersion, kind): (String, String)
        switch self {
        case is KNode: (apiVersion, kind) = ("v1", "Node")
        case is KPlan: (apiVersion, kind) = ("upgrade.cattle.io/v1", "Plan")
        case is KJob: (apiVersion, kind) = ("batch/v1", "Job")
        case is KAddon: (apiVersion, kind) = ("k3s.cattle.io/v1", "Addon")
        case is KHelmChart: (apiVersion, kind) = ("helm.cattle.io/v1", "HelmChart")
        case is KDeployment: (apiVersion, kind) = ("apps/v1", "Deployment")
        case is KPod: (apiVersion, kind) = ("v1", "Pod")
        case is KEvent: (apiVersion, kind) = ("v1", "Event")
        default: (apiVersion, kind) = ("v1", "Unknown")
        }
        let encoded = (try? JSONEncoder().encode(self)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } ?? .object([])
        guard case let .object(fields) = encoded else { return encoded }
        return .object([("apiVersion", .text(apiVersion)), ("kind", .text(kind))] + fields.filter { $0.0 != "apiVersion" && $0.0 != "kind" })
    }
}

extension JSONValue {
    /// The value at a path of object keys (`["metadata", "name"]`).
    public subscript(path path: [String]) -> JSONValue? {
        path.reduce(Optional(self)) { value, key in value?[key] }
    }

    /// This object with `path` set to `value` (objects are created on the way; key order is kept).
    public func setting(_ path: [String], to value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var fields: [(String, JSONValue)] = []
        if case let .object(existing) = self { fields = existing }
        let rest = Array(path.dropFirst())
        if let index = fields.firstIndex(where: { $0.0 == key }) {
            fields[index].1 = fields[index].1.setting(rest, to: value)
        } else {
            fields.append((key, JSONValue.object([]).setting(rest, to: value)))
        }
        return .object(fields)
    }
}
