import Foundation

/// How one resource's list+watch is doing.
public enum ResourceHealth: Sendable, Equatable {
    /// Not asked yet.
    case pending
    case ok
    /// 404 on the collection: the CRD is not installed (for Plans: no system-upgrade-controller).
    case missing
    case unauthorized(String)
    /// No answer; `retryAt` is when the next attempt starts.
    case unreachable(String, retryAt: Date?)
}

public enum ReflectorUpdate<T: KubeObject>: Sendable {
    case replace([T])
    case upsert(T)
    case delete(T)
    case health(ResourceHealth)
}

/// LIST then WATCH from the list's resourceVersion (with bookmarks), like client-go's reflector:
/// a dropped stream resumes from the last resourceVersion seen (no events lost or repeated), `410 Gone`
/// relists, errors back off with jitter up to `maxBackoff`. Runs until its task is cancelled.
public struct Reflector<T: KubeObject>: Sendable {
    public let client: KubeClient
    public let resource: KubeResource
    public let query: [(String, String)]
    public var watchTimeout = 300
    public var maxBackoff: TimeInterval = 4
    public var missingRetry: TimeInterval = 10

    public init(client: KubeClient, resource: KubeResource, query: [(String, String)] = []) {
        self.client = client
        self.resource = resource
        self.query = query
    }

    public func run(_ sink: @escaping @Sendable (ReflectorUpdate<T>) async -> Void) async {
        var resourceVersion: String?
        var failures = 0
        // Whether the last health reported was `ok`: a resumed watch must say so too, not only a relist.
        var healthy = false
        while !Task.isCancelled {
            var connected = false
            do {
                if resourceVersion == nil {
                    let data = try await client.send(.GET, resource.collectionPath, query: query)
                    let list: KList<T>
                    do {
                        list = try JSONDecoder().decode(KList<T>.self, from: data)
                    } catch {
                        throw KubeError.decoding("\(resource.label): cannot decode the list: \(error)")
                    }
                    resourceVersion = list.metadata?.resourceVersion ?? "0"
                    await sink(.replace(list.items ?? []))
                    await sink(.health(.ok))
                    healthy = true
                    failures = 0
                }
                let stream = client.watchLines(resource.collectionPath,
                                               query: query + [("resourceVersion", resourceVersion ?? "0"), ("allowWatchBookmarks", "true")],
                                               timeoutSeconds: watchTimeout)
                for try await line in stream {
                    if line.isEmpty {
                        connected = true
                        failures = 0
                        if !healthy {
                            await sink(.health(.ok))
                            healthy = true
                        }
                        continue
                    }
                    let event: KWatchEvent<T>
                    do {
                        event = try JSONDecoder().decode(KWatchEvent<T>.self, from: line)
                    } catch {
                        throw KubeError.decoding("\(resource.label): cannot decode a watch event: \(error)")
                    }
                    switch event.type {
                    case "ADDED", "MODIFIED":
                        if let object = event.object {
                            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                            await sink(.upsert(object))
                        }
                    case "DELETED":
                        if let object = event.object {
                            resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                            await sink(.delete(object))
                        }
                    case "BOOKMARK":
                        resourceVersion = event.bookmarkVersion ?? resourceVersion
                    case "ERROR":
                        let code = event.status?.code ?? 500
                        throw KubeError.status(code: code, reason: event.status?.reason ?? "Error", message: event.status?.message ?? "watch error")
                    default:
                        break
                    }
                }
                // A clean end (the server's timeoutSeconds): watch again from where we are.
            } catch let error as KubeError {
                if error.isGone {
                    resourceVersion = nil          // too old: relist
                    continue
                }
                if error.isNotFound {
                    resourceVersion = nil
                    healthy = false
                    await sink(.replace([]))
                    await sink(.health(.missing))
                    try? await Task.sleep(nanoseconds: UInt64(missingRetry * 1e9))
                    continue
                }
                if connected {
                    // The stream dropped after it had worked: resume at once, without alarming anyone.
                    failures = 0
                    try? await Task.sleep(nanoseconds: 50_000_000)
                    continue
                }
                failures += 1
                healthy = false
                let delay = Self.backoff(failures: failures, cap: maxBackoff)
                if case .unauthorized = error {
                    await sink(.health(.unauthorized(error.description)))
                } else {
                    await sink(.health(.unreachable(error.description, retryAt: Date().addingTimeInterval(delay))))
                }
                if case .decoding = error { resourceVersion = nil }
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            } catch {
                if Task.isCancelled { return }
                failures += 1
                healthy = false
                let delay = Self.backoff(failures: failures, cap: maxBackoff)
                await sink(.health(.unreachable("\(error)", retryAt: Date().addingTimeInterval(delay))))
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
        }
    }

    /// Exponential from 250 ms, capped, with ±50 % jitter so that many dashboards do not reconnect in step.
    static func backoff(failures: Int, cap: TimeInterval) -> TimeInterval {
        let base = min(cap, 0.25 * pow(2, Double(max(0, failures - 1))))
        return min(cap, base * Double.random(in: 0.5...1.5))
    }
}
