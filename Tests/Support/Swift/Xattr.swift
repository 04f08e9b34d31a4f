import CHostLibc
import Foundation

public enum Xattr {
    /// Sets a user xattr; false when the filesystem does not support them.
    public static func set(_ path: String, _ name: String, _ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return bytes.withUnsafeBytes { setxattr(path, name, $0.baseAddress, bytes.count, 0) } == 0
    }

    public static func get(_ path: String, _ name: String) -> String? {
        let size = getxattr(path, name, nil, 0)
        guard size >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: size)
        _ = getxattr(path, name, &buffer, size)
        return String(decoding: buffer, as: UTF8.self)
    }
}
