import Foundation
import NIOHTTP1

/// An API server in memory, behind the same `KubeAPI` seam as the HTTP client: objects by collection
/// with resourceVersions; LIST (label "exists"/"=" and field "=" selectors, the ones upgrade-tui sends),
/// GET, POST, PUT with optimistic concurrency (409 on a stale resourceVersion), and WATCH from a
/// resourceVersion. `--demo` runs its simulated cluster on it, so the dashboard and the real operations
/// see the demo through the same code as a real cluster.
public final class InMemoryKubeAPI: KubeAPI, @unchecked Sendable {
    public let server: String
    public var insecurity: KubeAccess.Insecurity? { nil }
    public var context: String? { nil }
    /// What `GET /version` answers.
    public var gitVersion: String

    /// An object's place: `/api/v1` or `/apis/<group>/<version>`, the plural, the namespace, the name.
    struct Address: Hashable {
        var prefix: String
        var plural: String
        var namespace: String?
        var name: String?

        /// Parses `/api/v1[/namespaces/NS]/PLURAL[/NAME]` and `/apis/G/V[/namespaces/NS]/PLURAL[/NAME]`.
        init?(path: String) {
            var parts = path.split(separator: "/").map(String.init)
            guard let first = parts.first else { return nil }
            let prefixCount = first == "api" ? 2 : first == "apis" ? 3 : 0
            guard prefixCount > 0, parts.count > prefixCount else { return nil }
            prefix = "/" + parts.prefix(prefixCount).joined(separator: "/")
            parts.removeFirst(prefixCount)
            if parts.first == "namespaces", parts.count >= 3 {
                namespace = parts[1]
                parts.removeFirst(2)
            }
            guard (1...2).contains(parts.count) else { return nil }
            plural = parts[0]
            name = parts.count == 2 ? parts[1] : nil
        }

        init(prefix: String, plural: String, namespace: String?, name: String?) {
            (self.prefix, self.plural, self.namespace, self.name) = (prefix, plural, namespace, name)
        }

        var collection: String { prefix + "/" + plural }
        var label: String {
            let group = prefix.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            return prefix.hasPrefix("/apis/") ? "\(plural).\(group)" : plural
        }
    }

    private struct Stored {
        var address: Address
        var object: JSONValue
    }

    private struct WatchEvent {
        var revision: UInt64
        var type: String
        var address: Address
        var object: JSONValue
    }

    /// What a LIST or a WATCH asks for: a collection, narrowed by label and field selectors.
    private struct Query {
        var collection: Address
        var labelSelector: String?
        var fieldSelector: String?
    }

    private struct Watcher {
        var query: Query
        var continuation: AsyncThrowingStream<Data, Error>.Continuation
    }

    private let lock = NSLock()
    private var revision: UInt64 = 1
    private var objects: [Address: Stored] = [:]
    /// Recent changes, for watches that resume from a resourceVersion.
    private var history: [WatchEvent] = []
    private var watchers: [UUID: Watcher] = [:]
    private static let historyLimit = 20_000

    public init(server: String = "demo", gitVersion: String = "v1.32.2+rke2r1") {
        self.server = server
        self.gitVersion = gitVersion
    }

    public func shutdown() async {
        let open = lock.withLock { () -> [Watcher] in
            defer { watchers.removeAll() }
            return Array(watchers.values)
        }
        open.forEach { $0.continuation.finish() }
    }

    // MARK: KubeAPI

    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?, contentType: String?) async throws -> Data {
        if path == "/metrics", method == .GET {
            // The demo's API server was never asked for a deprecated API.
            return Data("# in-memory API server: no apiserver_requested_deprecated_apis samples\n".utf8)
        }
        if path == "/version", method == .GET {
            return Data(JSONValue.object([("gitVersion", .text(gitVersion))]).serialized().utf8)
        }
        guard let address = Address(path: path) else { throw Self.notFound("the server could not find the requested resource (\(path))") }
        let value = { (key: String) in query.last { $0.0 == key }?.1 }
        switch (method, address.name) {
        case (.GET, nil):
            return Data(list(address, labelSelector: value("labelSelector"), fieldSelector: value("fieldSelector")).serialized().utf8)
        case let (.GET, name?):
            guard let stored = lock.withLock({ objects[address] }) else { throw Self.notFound("\(address.label) \"\(name)\" not found") }
            return Data(stored.object.serialized().utf8)
        case (.POST, nil):
            let object = try Self.decode(body, path: path)
            guard let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
                throw KubeError.status(code: 422, reason: "Invalid", message: "\(address.label): metadata.name: Required value")
            }
            let target = Address(prefix: address.prefix, plural: address.plural, namespace: address.namespace, name: name)
            return Data(try write(target, object, create: true).serialized().utf8)
        case (.PUT, _?):
            return Data(try write(address, try Self.decode(body, path: path), create: false).serialized().utf8)
        case let (.DELETE, name?):
            guard remove(address) else { throw Self.notFound("\(address.label) \"\(name)\" not found") }
            return Data("{}".utf8)
        default:
            throw KubeError.status(code: 405, reason: "MethodNotAllowed", message: "\(method) \(path) is not supported by the in-memory API")
        }
    }

    public func watchLines(_ path: String, query: [(String, String)], timeoutSeconds: Int) -> AsyncThrowingStream<Data, Error> {
        let value = { (key: String) in query.last { $0.0 == key }?.1 }
        let (stream, continuation) = AsyncThrowingStream<Data, Error>.makeStream()
        guard let collection = Address(path: path), collection.name == nil else {
            continuation.finish(throwing: Self.notFound("the server could not find the requested resource (\(path))"))
            return stream
        }
        let id = UUID()
        let watcher = Watcher(query: Query(collection: collection, labelSelector: value("labelSelector"), fieldSelector: value("fieldSelector")),
                              continuation: continuation)
        let from = value("resourceVersion").flatMap(UInt64.init) ?? 0
        lock.withLock {
            continuation.yield(Data())
            if from > 0 {
                if let oldest = history.first, oldest.revision > from + 1 {
                    continuation.finish(throwing: KubeError.status(code: 410, reason: "Expired", message: "too old resource version: \(from)"))
                    return
                }
                for event in history where event.revision > from && Self.matches(watcher.query, event.address, event.object) {
                    continuation.yield(Self.line(event.type, event.object))
                }
            }
            watchers[id] = watcher
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Typed access, for the demo's simulated controllers

    public func objects<T: KubeObject>(_ resource: KubeResource) -> [T] {
        guard let collection = Address(path: resource.collectionPath) else { return [] }
        let found = lock.withLock { objects.values.filter { Self.inCollection($0.address, collection) } }
        return found.compactMap { try? JSONDecoder().decode(T.self, from: Data($0.object.serialized().utf8)) }
            .sorted { $0.metadata.key < $1.metadata.key }
    }

    /// Creates or replaces an object as a controller would (no resourceVersion check).
    public func upsert<T: KubeObject>(_ object: T, in resource: KubeResource) {
        guard let collection = Address(path: resource.collectionPath) else { return }
        let address = Address(prefix: collection.prefix, plural: collection.plural,
                              namespace: object.metadata.namespace ?? collection.namespace, name: object.metadata.name)
        var json = object.apiJSON
        if address.namespace != nil { json = json.setting(["metadata", "namespace"], to: .text(address.namespace!)) }
        json = json.setting(["metadata", "resourceVersion"], to: .null)
        _ = try? write(address, json, create: nil)
    }

    /// Deletes an object as a controller would; false if it was not there.
    @discardableResult
    public func delete<T: KubeObject>(_ object: T, in resource: KubeResource) -> Bool {
        guard let collection = Address(path: resource.collectionPath) else { return false }
        return remove(Address(prefix: collection.prefix, plural: collection.plural,
                              namespace: object.metadata.namespace ?? collection.namespace, name: object.metadata.name))
    }

    // MARK: Storage

    private func list(_ collection: Address, labelSelector: String?, fieldSelector: String?) -> JSONValue {
        let query = Query(collection: collection, labelSelector: labelSelector, fieldSelector: fieldSelector)
        let (items, current) = lock.withLock { () -> ([Stored], UInt64) in
            (objects.values.filter { Self.matches(query, $0.address, $0.object) }, revision)
        }
        let sorted = items.sorted { ($0.address.namespace ?? "", $0.address.name ?? "") < ($1.address.namespace ?? "", $1.address.name ?? "") }
        return .object([("apiVersion", .text("v1")), ("kind", .text("List")),
                        ("metadata", .object([("resourceVersion", .text(String(current)))])),
                        ("items", .array(sorted.map(\.object)))])
    }

    /// `create`: true for POST (409 if it exists), false for PUT (404 if it does not; 409 on a stale
    /// resourceVersion), nil for a controller's upsert.
    private func write(_ address: Address, _ object: JSONValue, create: Bool?) throws -> JSONValue {
        try lock.withLock {
            let existing = objects[address]
            let name = address.name ?? ""
            switch create {
            case true? where existing != nil:
                throw KubeError.status(code: 409, reason: "AlreadyExists", message: "\(address.label) \"\(name)\" already exists")
            case false? where existing == nil:
                throw Self.notFound("\(address.label) \"\(name)\" not found")
            case false?:
                if let sent = object[path: ["metadata", "resourceVersion"]]?.stringValue,
                   sent != existing?.object[path: ["metadata", "resourceVersion"]]?.stringValue {
                    throw KubeError.status(code: 409, reason: "Conflict",
                                           message: "Operation cannot be fulfilled on \(address.label) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again")
                }
            default: break
            }
            revision += 1
            var stored = object.setting(["metadata", "resourceVersion"], to: .text(String(revision)))
            if let namespace = address.namespace { stored = stored.setting(["metadata", "namespace"], to: .text(namespace)) }
            if let previous = existing?.object {
                for key in ["uid", "creationTimestamp"] {
                    stored = stored.setting(["metadata", key], to: previous[path: ["metadata", key]] ?? .null)
                }
            } else {
                stored = stored.setting(["metadata", "uid"], to: .text(UUID().uuidString.lowercased()))
                    .setting(["metadata", "creationTimestamp"], to: .text(UTCTime.rfc3339(Date())))
            }
            objects[address] = Stored(address: address, object: stored)
            record(existing == nil ? "ADDED" : "MODIFIED", address, stored)
            return stored
        }
    }

    private func remove(_ address: Address) -> Bool {
        lock.withLock {
            guard let existing = objects.removeValue(forKey: address) else { return false }
            revision += 1
            record("DELETED", address, existing.object.setting(["metadata", "resourceVersion"], to: .text(String(revision))))
            return true
        }
    }

    /// Under the lock: remembers the change and sends it to the watches it matches.
    private func record(_ type: String, _ address: Address, _ object: JSONValue) {
        history.append(WatchEvent(revision: revision, type: type, address: address, object: object))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        for watcher in watchers.values where Self.matches(watcher.query, address, object) {
            watcher.continuation.yield(Self.line(type, object))
        }
    }

    // MARK: Matching

    private static func inCollection(_ address: Address, _ collection: Address) -> Bool {
        address.prefix == collection.prefix && address.plural == collection.plural
            && (collection.namespace == nil || collection.namespace == address.namespace)
    }

    private static func matches(_ query: Query, _ address: Address, _ object: JSONValue) -> Bool {
        guard inCollection(address, query.collection) else { return false }
        for term in (query.labelSelector ?? "").split(separator: ",") {
            let parts = term.split(separator: "=", maxSplits: 1).map(String.init)
            let label = object[path: ["metadata", "labels", parts[0]]]?.stringValue
            if parts.count == 1 ? label == nil : label != parts[1] { return false }
        }
        for term in (query.fieldSelector ?? "").split(separator: ",") {
            let parts = term.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, object[path: parts[0].split(separator: ".").map(String.init)]?.stringValue == parts[1] else { return false }
        }
        return true
    }

    private static func line(_ type: String, _ object: JSONValue) -> Data {
        Data(JSONValue.object([("type", .text(type)), ("object", object)]).serialized().utf8)
    }

    private static func decode(_ body: Data?, path: String) throws -> JSONValue {
        guard let body, let object = try? JSONValue.parse(String(decoding: body, as: UTF8.self)), object["metadata"] != nil else {
            throw KubeError.status(code: 400, reason: "BadRequest", message: "\(path): the body is not a Kubernetes object")
        }
        return object
    }

    private static func notFound(_ message: String) -> KubeError {
        .status(code: 404, reason: "NotFound", message: message)
    }
}
