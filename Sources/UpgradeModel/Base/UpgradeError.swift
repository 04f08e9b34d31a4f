/// An error meant for the operator: it names the file, object or field at fault and says what to do.
/// Its kind decides the exit code of the command line (docs/status-json.md#exit-codes: 1 refused or failed, 2 bad input).
public struct UpgradeError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Bad usage or unreadable input: exit 2.
        case input
        /// The operation was refused (preflight, lock held, not root, unsafe path): exit 1.
        case refused
        /// The operation was attempted and failed: exit 1.
        case failed
        /// A signal or the operator stopped the operation at a safe point: exit 1.
        case interrupted
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func input(_ message: String) -> UpgradeError { .init(.input, message) }
    public static func refused(_ message: String) -> UpgradeError { .init(.refused, message) }
    public static func failed(_ message: String) -> UpgradeError { .init(.failed, message) }
    public static func interrupted(_ message: String) -> UpgradeError { .init(.interrupted, message) }

    public var exitCode: Int32 { kind == .input ? 2 : 1 }
    public var description: String { message }
}
