import Foundation
import UpgradeModel

extension PathCompletion {
    static func listDirectory(_ dir: String) -> [(String, Bool)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            return (name, isDirectory.boolValue)
        }
    }
}
