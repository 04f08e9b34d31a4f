import Foundation
import XCTest

/// The one golden-file helper: text compared with a file kept beside the tests (`__Golden__` for the
/// Plan YAML, `__Snapshots__` for the render snapshots). `RECORD_SNAPSHOTS=1` rewrites the files
/// instead; review the diff.
public enum Golden {
    public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil }

    /// Why `text` does not match `dir/name` (the first differing lines and the whole text), or nil when
    /// it matches or was recorded.
    public static func mismatch(_ text: String, named name: String, dir: String) -> String? {
        let path = dir + "/\(name)"
        if recording {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { return "cannot record \(path): \(error)" }
            return nil
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "no golden file \(path); run with RECORD_SNAPSHOTS=1 and review it"
        }
        guard expected != text else { return nil }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let actualLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(_ lines: [String], _ index: Int) -> String? { lines.indices.contains(index) ? lines[index] : nil }
        var differing: [String] = []
        for index in 0..<max(expectedLines.count, actualLines.count) where differing.count < 5 {
            let want = line(expectedLines, index), got = line(actualLines, index)
            guard want != got else { continue }
            differing.append("line \(index + 1):\n  expected: \(want ?? "(none)")\n  actual:   \(got ?? "(none)")")
        }
        var diff = differing.joined(separator: "\n")
        if diff.isEmpty { diff = "(the same lines; whitespace or the final newline differs)" }
        return "\(name) differs from its golden file \(path):\n\(diff)\n\nfull text:\n\(text)"
    }

    /// XCTest: fails the test with `mismatch`'s message.
    public static func assert(_ text: String, named name: String, dir: String, file: StaticString = #filePath, line: UInt = #line) {
        if let problem = mismatch(text, named: name, dir: dir) { XCTFail(problem, file: file, line: line) }
    }
}
