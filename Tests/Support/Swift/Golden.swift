import Foundation
import XCTest

/// Compares text with a golden file beside the test (RECORD_SNAPSHOTS=1 rewrites it; review the diff).
public enum Golden {
    public static func assert(_ text: String, named name: String, dir: String, file: StaticString = #filePath, line: UInt = #line) {
        let path = dir + "/\(name)"
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            XCTFail("no golden file \(path); run with RECORD_SNAPSHOTS=1 and review it", file: file, line: line)
            return
        }
        XCTAssertEqual(text, expected, "\(name) differs from its golden file", file: file, line: line)
    }
}
