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

struct Message: Equatable {
    enum Severity: Equatable { case info, ok, warn, error }
    var text: String
    var severity: Severity
}

/// A question the operator must answer before an effect runs.
struct Confirmation: Equatable {
    var title: String
    var lines: [String]
    var effect: Effect
}

enum Overlay: Equatable {
    case help(scroll: Int)
    case details(title: String, lines: [String], scroll: Int)
    case confirm(Confirmation)
    /// Editing the focused pane's filter; the text is applied as it is typed.
    case filterInput(previous: String)
}

/// What the run loop performs; the reducer only decides.
enum Effect: Equatable, Sendable {
    case quit
    case repaint
    case skip(file: String)
    case unskip(file: String)
}

/// Everything the screen shows that is not the snapshot.
struct ViewState: Equatable {
    var focus: PaneID = .nodes
    var panes: [PaneID: PaneState] = Dictionary(uniqueKeysWithValues: PaneID.allCases.map { ($0, PaneState()) })
    var sort: NodeSort = .name
    var overlay: Overlay?
    var message: Message?
    let readOnly: Bool
    /// An operation in progress, shown on the message line.
    var busy: String?

    init(readOnly: Bool) {
        self.readOnly = readOnly
    }

    subscript(pane: PaneID) -> PaneState {
        get { panes[pane] ?? PaneState() }
        set { panes[pane] = newValue }
    }

    var bindings: [Binding] { Keymap.table(readOnly: readOnly) }
}
