import UpgradeModel

struct PaneState: Equatable {
    /// The selected row's id: the selection follows the object across snapshots.
    var selectedID: String?
    var selected = 0
    var scroll = 0
    var filter = ""
    /// Horizontal scroll of the first (name) column, for long names.
    var nameOffset = 0
}
