import UpgradeModel

struct Message: Equatable {
    enum Severity: Equatable { case info, ok, warn, error }
    var text: String
    var severity: Severity
}
