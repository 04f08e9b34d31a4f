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
            effects = Reducer.reduce(&state, event, screen: screen)
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
    var wantsTicks: Bool {
        if case .journal = state.overlay { return true }
        return snapshot?.cluster.retryAt != nil
    }

    func render() -> Grid {
        ScreenRenderer.render(state, screen, now: now)
    }

    private mutating func refresh() {
        screen = Screen.make(snapshot: snapshot, state: state, theme: theme, width: width, height: height, previous: screen)
        Reducer.normalize(&state, screen: screen)
    }
}
