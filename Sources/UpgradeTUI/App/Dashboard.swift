import Foundation
import UpgradeModel

/// The dashboard as one value: the snapshot on screen, the view state and the terminal's size. Every
/// change is an `Event` given to `handle`, which answers with the effects to perform; `render` draws it.
/// The screen (tables, layout, the open overlay's wrapped lines) is computed once per state, after each
/// event, and the view state is kept consistent with it (selection, scrolling).
struct Dashboard {
    let theme: Theme
    private(set) var snapshot: DashboardSnapshot?
    private(set) var state: ViewState
    private(set) var width: Int
    private(set) var height: Int
    private(set) var now: Date
    private(set) var screen: Screen

    init(state: ViewState, theme: Theme, width: Int, height: Int, snapshot: DashboardSnapshot? = nil, now: Date = Date()) {
        self.theme = theme
        self.state = state
        self.width = width
        self.height = height
        self.snapshot = snapshot
        self.now = now
        self.screen = Screen.make(snapshot: snapshot, state: state, theme: theme, width: width, height: height)
        refresh()
    }

    /// Applies one event; returns what the run loop must perform.
    @discardableResult
    mutating func handle(_ event: Event) -> [Effect] {
        var effects: [Effect] = []
        switch event {
        case let .snapshot(next):
            // Shown in the order the store published them: an older one never replaces a newer.
            if let snapshot, next.sequence <= snapshot.sequence { return [] }
            snapshot = next
        case let .resize(width, height):
            self.width = width
            self.height = height
        case let .tick(date):
            now = date
        default:
            effects = Reducer.reduce(&state, event, screen: screen)
        }
        refresh()
        return effects
    }

    /// Sets the view state directly (a test's precondition), then recomputes the screen.
    mutating func modify(_ body: (inout ViewState) -> Void) {
        body(&state)
        refresh()
    }

    /// Whether the screen changes with the clock alone (the reconnect countdown): the loop sends ticks then.
    var wantsTicks: Bool { snapshot?.cluster.retryAt != nil }

    func render() -> Grid {
        ScreenRenderer.render(state, screen, now: now)
    }

    private mutating func refresh() {
        screen = Screen.make(snapshot: snapshot, state: state, theme: theme, width: width, height: height)
        Reducer.normalize(&state, screen: screen)
    }
}

/// What one state looks like at one size: the tables after sorting and filtering, where every pane goes,
/// and the open overlay laid out. Pure; rebuilt once per event.
struct Screen {
    let model: ScreenModel
    let layout: ScreenLayout
    let overlay: OverlayBox?

    var width: Int { layout.width }
    var height: Int { layout.height }

    static func make(snapshot: DashboardSnapshot?, state: ViewState, theme: Theme, width: Int, height: Int) -> Screen {
        let model = ScreenModel.make(snapshot, state, theme: theme)
        let layout = ScreenLayout.compute(width: width, height: height, focus: state.focus, model: model)
        let overlay = state.overlay.flatMap { OverlayBox.make($0, state: state, theme: theme, width: width, height: height) }
        return Screen(model: model, layout: layout, overlay: overlay)
    }
}
