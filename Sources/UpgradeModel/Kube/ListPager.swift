import Foundation

/// Objects per LIST page, as client-go's pager asks for.
public let kubeListPageSize = 500

extension KubeAPI {

    /// LISTs a whole collection in pages (`limit` / `continue`), so that a large cluster neither hits a
    /// response size cap nor times out as one request. The resourceVersion is the first page's (the
    /// list is consistent as of it). A continue token that expired (410) restarts the list from the
    /// first page, a few times at most.
    func listAll<T: KubeObject>(_ resource: KubeResource, query: [(String, String)] = [],
                                pageSize: Int = kubeListPageSize) async throws -> (items: [T], resourceVersion: String?) {
        var restarts = 0
        while true {
            do {
                return try await listPages(resource, query: query, pageSize: pageSize)
            } catch let error as KubeError where error.isGone && restarts < 3 {
                restarts += 1
            }
        }
    }

    private func listPages<T: KubeObject>(_ resource: KubeResource, query: [(String, String)],
                                          pageSize: Int) async throws -> (items: [T], resourceVersion: String?) {
        var items: [T] = []
        var resourceVersion: String?
        var token: String?
        repeat {
            var pageQuery = query + [("limit", String(pageSize))]
            if let token { pageQuery.append(("continue", token)) }
            let data = try await send(.GET, resource.collectionPath, query: pageQuery)
            let page: KList<T>
            do {
                page = try JSONDecoder().decode(KList<T>.self, from: data)
            } catch {
                throw KubeError.decoding("\(resource.label): cannot decode the list: \(error)")
            }
            if token == nil { resourceVersion = page.metadata?.resourceVersion }
            items += page.items ?? []
            let next = page.metadata?.continue ?? ""
            // A server that hands back the same token would loop forever.
            if !next.isEmpty, next == token {
                throw KubeError.decoding("\(resource.label): the server returned the same continue token twice")
            }
            token = next.isEmpty ? nil : next
        } while token != nil
        return (items, resourceVersion)
    }
}
