import CHostLibc
import Foundation

public enum HostArch {
    /// The release's architecture name: amd64, arm64, s390x.
    public static var current: String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafePointer(to: info.machine) { $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) } }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        default: return machine
        }
    }
}
