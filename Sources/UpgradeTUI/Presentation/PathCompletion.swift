/// Tab completion of a file path, as a shell does it: complete the last component to the longest
/// common prefix of the entries that start with it; list them when there is more than one.
enum PathCompletion {
    struct Result: Equatable {
        var text: String
        var candidates: [String]
    }

    /// `list` returns a directory's entries (name, isDirectory); it is injected so this stays pure.
    static func complete(_ text: String, list: (String) -> [(String, Bool)]) -> Result {
        let slash = text.lastIndex(of: "/")
        let dir = slash.map { String(text[...$0]) } ?? ""
        let prefix = slash.map { String(text[text.index(after: $0)...]) } ?? text
        let entries = list(dir.isEmpty ? "." : dir).filter { $0.0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.0.hasPrefix(".")) }
            .sorted { $0.0 < $1.0 }
        guard !entries.isEmpty else { return Result(text: text, candidates: []) }
        if entries.count == 1 {
            let (name, isDirectory) = entries[0]
            return Result(text: dir + name + (isDirectory ? "/" : ""), candidates: [])
        }
        var common = entries[0].0
        for (name, _) in entries.dropFirst() {
            while !name.hasPrefix(common) { common.removeLast() }
        }
        return Result(text: dir + common, candidates: entries.map { $0.0 + ($0.1 ? "/" : "") })
    }
}
