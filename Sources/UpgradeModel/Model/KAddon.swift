import Foundation

public struct KAddon: KubeObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var source: String?
        public var checksum: String?
        public init(source: String?, checksum: String?) { self.source = source; self.checksum = checksum }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec?) { self.metadata = metadata; self.spec = spec }
}
