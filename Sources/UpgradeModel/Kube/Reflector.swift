import Foundation

public enum ReflectorUpdate<T: KubeObject>: Sendable {
    case replace([T])
    case upsert(T)
    case delete(T)
    case health(ResourceHealth)
}

/// LIST then WATCH from the list's resourceVersion (with bookmarks), like client-go's reflector:
/// a dropped stream resumes from the last resourceVersion seen (no events lost or repeated), `410 Gone`
/// relists, errors back off with jitter up to `maxBackoff`. Runs until its task is cancelled.
///
/// A watch that the server refuses relists as client-go's `ListAndWatch` does (`reflector.go`: any
/// watch error but a refused connection or 429 ends the watch and lists again): at once for
/// `ResourceVersionTooLarge` (504), which is what an etcd restore makes of every resourceVersion we
/// hold, and after a second error answer for anything else (an unreachable server is waited for). Until the relist answers, the resource
/// is reported unreachable, so that nothing on screen looks current when it may not be.
public struct Reflector<T: KubeObject>: Sendable {
    public let client: any KubeAPI
    public let resource: KubeResource
    public let query: [(String, String)]
    public var watchTimeout = 300
    public var maxBackoff: TimeInterval = 4
    public var missingRetry: TimeInterval = 10
    /// A watch that ends sooner than this (closed at once, cut, 410 again) counts as a quick end:
    /// consecutive quick ends back off like failures, so a server that closes every watch is not hammered.
    public var minWatchDuration: TimeInterval = 1
    public var pageSize = kubeListPageSize

    public init(client: any KubeAPI, resource: KubeResource, query: [(String, String)] = []) {
        self.client = client
        self.resource = resource
        self.query = query
    }

    public func run(_ sink: @escaping @Sendable (ReflectorUpdate<T>) async -> Void) async {
        var resourceVersion: String?
        var failures = 0
        // Whether the last health reported was `ok`: a resumed watch must say so too, not only a relist.
        var healthy = false
        var quickEnds = 0
        // One interner for a LIST and the events after it (a changed object shares the strings of the
        // others); a new one at each LIST, so that what it holds is never older than the last list.
        var interner = Interner()
        var decoder = JSONDecoder.kube(interner)
        while !Task.isCancelled {
            var connected = false
            var watchStarted = Date()
            /// After a watch ended without an error on our side: back off if it was a quick end.
            func pauseIfQuick() async {
                if Date().timeIntervalSince(watchStarted) < minWatchDuration {
                    quickEnds += 1
                    try? await Task.sleep(nanoseconds: UInt64(Self.backoff(failures: quickEnds, cap: maxBackoff) * 1e9))
                } else {
                    quickEnds = 0
                }
            }
            do {
                if resourceVersion == nil {
                    interner = Interner()
                    decoder = JSONDecoder.kube(interner)
                    let list: (items: [T], resourceVersion: String?) = try await client.listAll(resource, query: query, pageSize: pageSize, interner: interner)
                    resourceVersion = list.resourceVersion ?? "0"
                    await sink(.replace(list.items))
                    await sink(.health(.ok))
                    healthy = true
                    failures = 0
                }
                watchStarted = Date()
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
                    resourceVersion = try await deliver(line, decoder: decoder, resumingFrom: resourceVersion, to: sink)
                }
                // A clean end (the server's timeoutSeconds): watch again from where we are.
                await pauseIfQuick()
            } catch let error as KubeError {
                if error.isGone {
                    resourceVersion = nil          // too old: relist
                    await pauseIfQuick()
                    continue
                }
                if error.isResourceVersionTooLarge {
                    // The API's history went backwards (an etcd snapshot was restored): what we hold is
                    // newer than the API; say so, and relist now.
                    resourceVersion = nil
                    healthy = false
                    failures += 1
                    await sink(.health(.unreachable("\(resource.label): the API server is behind the resourceVersion last seen (an etcd restore?); listing again",
                                                    retryAt: Date())))
                    await pauseIfQuick()
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
                // (Not an undecodable or oversized event: resuming would read the same event again.)
                if connected, !error.isDecoding {
                    // The stream dropped after it had worked: resume at once, without alarming anyone.
                    failures = 0
                    try? await Task.sleep(nanoseconds: 50_000_000)
                    await pauseIfQuick()
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
                // A watch the server keeps refusing (it answers, with an error) relists; one it cannot be
                // reached for resumes, as client-go retries a refused connection from the same resourceVersion.
                if case .decoding = error { resourceVersion = nil }
                if case .status = error, failures >= 2 { resourceVersion = nil }
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

    /// One watch event: its change goes to `sink`; returns the resourceVersion to resume from. An ERROR
    /// event becomes the `KubeError` it carries.
    private func deliver(_ line: Data, decoder: JSONDecoder, resumingFrom resourceVersion: String?,
                         to sink: @Sendable (ReflectorUpdate<T>) async -> Void) async throws -> String? {
        let event: KWatchEvent<T>
        do {
            event = try decoder.decode(KWatchEvent<T>.self, from: line)
        } catch {
            throw KubeError.decoding("\(resource.label): cannot decode a watch event: \(error)")
        }
        switch event.type {
        case "ADDED", "MODIFIED", "DELETED":
            guard let object = event.object else { return resourceVersion }
            await sink(event.type == "DELETED" ? .delete(object) : .upsert(object))
            return object.metadata.resourceVersion ?? resourceVersion
        case "BOOKMARK":
            return event.bookmarkVersion ?? resourceVersion
        case "ERROR":
            let code = event.status?.code ?? 500
            throw KubeError.status(code: code, reason: event.status?.reason ?? "Error",
                                   message: (event.status?.message ?? "watch error") + (event.status?.causeSuffix ?? ""))
        default:
            return resourceVersion
        }
    }

    /// Exponential from 250 ms, capped, with ±50 % jitter so that many dashboards do not reconnect in step.
    static func backoff(failures: Int, cap: TimeInterval) -> TimeInterval {
        let base = min(cap, 0.25 * pow(2, Double(max(0, failures - 1))))
        return min(cap, base * Double.random(in: 0.5...1.5))
    }
}
