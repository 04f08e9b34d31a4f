import Foundation

/// Objects per LIST page, as client-go's pager asks for.
public let kubeListPageSize = 500

extension KubeAPI {

    /// LISTs a whole collection in pages (`limit` / `continue`), so that a large cluster neither hits a
    /// response size cap nor times out as one request. The resourceVersion is the first page's (the
    /// list is consistent as of it). A continue token that expired (410) restarts the list from the
    /// first page, a few times at most. The objects' repeated strings are shared through `interner`.
    func listAll<T: KubeObject>(_ resource: KubeResource, query: [(String, String)] = [], pageSize: Int = kubeListPageSize,
                                interner: Interner = Interner()) async throws -> (items: [T], resourceVersion: String?) {
        var restarts = 0
        while true {
            do {
                return try await listPages(resource, query: query, pageSize: pageSize, interner: interner)
            } catch let error as KubeError where error.isGone && restarts < 3 {
                restarts += 1
            }
        }
    }

    private func listPages<T: KubeObject>(_ resource: KubeResource, query: [(String, String)], pageSize: Int,
                                          interner: Interner) async throws -> (items: [T], resourceVersion: String?) {
        let decoder = JSONDecoder.kube(interner)
        var items: [T] = []
        var resourceVersion: String?
        var token: String?
        func pageQuery(_ token: String?) -> [(String, String)] {
            query + [("limit", String(pageSize))] + (token.map { [("continue", $0)] } ?? [])
        }
        // The next page is asked for before this one is decoded (when its continue token can be read
        // without decoding): the decoding overlaps the server's work on the next page.
        var prefetch: (token: String, task: Task<Data, Error>)?
        defer { prefetch?.task.cancel() }
        // Tokens already followed: a server that cycles through them would otherwise list forever.
        var seen: Set<String> = []
        repeat {
            let data: Data
            if let ahead = prefetch, ahead.token == token {
                // Cancelling the list (quit, a context switch) cancels the request it waits for.
                data = try await withTaskCancellationHandler { try await ahead.task.value } onCancel: { ahead.task.cancel() }
            } else {
                // A prefetch for another token than the one decoded is not needed: stopped, not left running.
                prefetch?.task.cancel()
                data = try await send(.GET, resource.collectionPath, query: pageQuery(token))
            }
            prefetch = nil
            if let peeked = ListContinue.peek(data), peeked != token, !seen.contains(peeked), !Task.isCancelled {
                let path = resource.collectionPath, next = pageQuery(peeked)
                prefetch = (peeked, Task { try await self.send(.GET, path, query: next) })
            }
            let page: KList<T>
            do {
                page = try KList<T>.decode(data, decoder)
            } catch {
                throw KubeError.decoding("\(resource.label): cannot decode the list: \(error)")
            }
            if token == nil { resourceVersion = page.metadata?.resourceVersion }
            // The server's count of what is left sizes the list once, instead of doubling it page by page.
            if let remaining = page.metadata?.remainingItemCount, remaining > 0, remaining < 1_000_000 {
                items.reserveCapacity(items.count + (page.items?.count ?? 0) + remaining)
            }
            items += page.items ?? []
            let next = page.metadata?.continue ?? ""
            // A server that hands back a token again would loop forever.
            if !next.isEmpty, next == token || seen.contains(next) {
                throw KubeError.decoding("\(resource.label): the server returned the same continue token twice")
            }
            if let token { seen.insert(token) }
            token = next.isEmpty ? nil : next
            // The decoded token is the truth; a prefetch for another one is dropped (the loop asks again).
        } while token != nil
        return (items, resourceVersion)
    }

}

extension JSONDecoder {
    /// The decoder of Kubernetes objects: their repeated strings are shared through `interner`.
    static func kube(_ interner: Interner) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[.interner] = interner
        return decoder
    }
}

public enum ListContinue {
    /// The list's continue token read from the raw bytes, before `items` (the API server writes `kind`,
    /// `apiVersion`, `metadata`, then `items`): nil when it is not found there, is empty, or holds an
    /// escape. Only a hint: the decoded list decides.
    public static func peek(_ data: Data) -> String? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            let key = Array(#""continue""#.utf8), items = Array(#""items""#.utf8)
            func matches(_ pattern: [UInt8], at index: Int) -> Bool {
                index + pattern.count <= bytes.count && pattern.indices.allSatisfy { bytes[index + $0] == pattern[$0] }
            }
            var index = 0
            // Only the first few kilobytes: metadata comes first, and a list without a token must not be scanned whole.
            let limit = min(bytes.count, 4096)
            while index < limit {
                if matches(items, at: index) { return nil }
                if matches(key, at: index) {
                    var at = index + key.count
                    while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
                    at += 1
                    while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
                    let start = at + 1
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                        if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
                        end += 1
                    }
                    guard end < bytes.count, end > start else { return nil }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                index += 1
            }
            return nil
        }
    }
}
