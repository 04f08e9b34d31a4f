import Foundation

/// Who may mutate this node: root, or a user who can write the data dir (sandboxes and demos).
public enum Privilege {
    public static func mayWrite(dataDir: String) -> Bool {
        POSIX.effectiveUID == 0 || access(dataDir, W_OK) == 0
    }

    public static func requireWriteAccess(dataDir: String, command: String) throws {
        if mayWrite(dataDir: dataDir) { return }
        throw UpgradeError.refused("\(command) changes this node and needs root (run it with sudo); \(dataDir) is not writable by uid \(POSIX.effectiveUID)")
    }
}
