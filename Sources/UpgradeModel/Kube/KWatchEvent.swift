import Foundation

/// A LIST response (one page): items, the resourceVersion to WATCH from, and the token of the next page.
struct KList<T: KubeObject>: Decodable {
    struct Meta: Decodable {
        var resourceVersion: String?
        var `continue`: String?
        var remainingItemCount: Int?
    }
    var metadata: Meta?
    var items: [T]?

    /// A page decoded object by object where `ListPageLayout` finds its parts (the decoder's index of
    /// the input stays one object's size), else whole. An object that does not decode names its index.
    static func decode(_ data: Data, _ decoder: JSONDecoder) throws -> KList {
        guard let layout = data.withUnsafeBytes({ ListPageLayout.scan($0) }) else {
            return try decoder.decode(KList.self, from: data)
        }
        let base = data.startIndex
        func slice(_ range: Range<Int>) -> Data { data[(base + range.lowerBound)..<(base + range.upperBound)] }
        var page = KList(metadata: nil, items: [])
        if let range = layout.metadata, !data.withUnsafeBytes({ $0[range].elementsEqual("null".utf8) }) {
            page.metadata = try decoder.decode(Meta.self, from: slice(range))
        }
        page.items?.reserveCapacity(layout.items.count)
        for (index, range) in layout.items.enumerated() {
            do {
                page.items?.append(try decoder.decode(T.self, from: slice(range)))
            } catch {
                throw KubeError.decoding("items[\(index)]: \(error)")
            }
        }
        return page
    }
}

/// One line of a WATCH stream.
struct KWatchEvent<T: KubeObject>: Decodable {
    let type: String
    let object: T?
    let status: KStatus?
    let bookmarkVersion: String?

    enum CodingKeys: String, CodingKey { case type, object }
    struct Bookmark: Decodable {
        struct Meta: Decodable { var resourceVersion: String? }
        var metadata: Meta?
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ERROR":
            status = try container.decodeIfPresent(KStatus.self, forKey: .object)
            object = nil
            bookmarkVersion = nil
        case "BOOKMARK":
            bookmarkVersion = try container.decodeIfPresent(Bookmark.self, forKey: .object)?.metadata?.resourceVersion
            object = nil
            status = nil
        default:
            object = try container.decode(T.self, forKey: .object)
            status = nil
            bookmarkVersion = nil
        }
    }
}
