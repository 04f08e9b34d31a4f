import Foundation

/// A LIST response (one page): items, the resourceVersion to WATCH from, and the token of the next page.
struct KList<T: KubeObject>: Decodable {
    struct Meta: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    var metadata: Meta?
    var items: [T]?
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
