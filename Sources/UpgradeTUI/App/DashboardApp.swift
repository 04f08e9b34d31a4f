import Foundation
import Logging
import UpgradeModel

/// Messages from background work to the UI thread. Nothing but the UI thread draws.
final class Mailbox: @unchecked Sendable {
    enum Item {
        case snapshot(DashboardSnapshot)
        case event(Event)
    }

    private let lock = NSLock()
    private var items: [Item] = []

    func post(_ item: Item) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    func drain() -> [Item] {
        lock.lock()
        defer { lock.unlock() }
        let drained = items
        items.removeAll()
        return drained
    }
}

/// The run loop: one thread owns the terminal; it reads keys (100 ms tick), takes snapshots and
/// operation results from the mailbox, reduces, performs effects, and redraws only when something changed.
/// Unchecked Sendable: after `run()` hands it to the UI thread, only that thread touches its state.
final class DashboardApp: @unchecked Sendable {
    let store: DashboardStore
    let operations: (any DashboardOperations)?
    let theme: Theme
    let logger: Logger
    let logFD: Int32?
    var state: ViewState
    private let mailbox = Mailbox()
    private var snapshot: DashboardSnapshot?

    init(store: DashboardStore, operations: (any DashboardOperations)?, readOnly: Bool, readOnlyReason: String? = nil,
         swapSuggestions: [String] = [], theme: Theme, logger: Logger, logFD: Int32?) {
        self.store = store
        self.operations = operations
        self.theme = theme
        self.logger = logger
        self.logFD = logFD
        self.state = ViewState(readOnly: readOnly, readOnlyReason: readOnlyReason)
        self.state.swapSuggestions = swapSuggestions
    }

    /// Runs until quit; returns the signal that ended it, if any (the caller exits 128+signal).
    func run() async throws -> Int32 {
        await store.start()
        let updates = await store.updates()
        let mailbox = self.mailbox
        let feeder = Task {
            for await snapshot in updates { mailbox.post(.snapshot(snapshot)) }
        }
        defer { feeder.cancel() }
        let result: Result<Int32, Error> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                continuation.resume(returning: Result { try self.loop() })
            }
            thread.name = "upgrade-tui-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
        await store.stop()
        return try result.get()
    }

    private func loop() throws -> Int32 {
        let terminal = try TerminalAdapter(color: theme.color, logFD: logFD)
        defer { terminal.close() }
        logger.info("dashboard started", metadata: ["readOnly": "\(state.readOnly)", "size": "\(terminal.width)x\(terminal.height)"])
        var dirty = true
        var lastSecond = -1
        var quitWhenIdle = false
        while true {
            if terminal.terminationSignal != 0 {
                logger.info("terminating on signal \(terminal.terminationSignal)")
                return terminal.terminationSignal
            }
            let key = terminal.readKey()
            for item in mailbox.drain() {
                switch item {
                case let .snapshot(next):
                    if Self.accepts(next, after: snapshot) {
                        snapshot = next
                        dirty = true
                    }
                case let .event(event):
                    _ = reduce(event, terminal)
                    dirty = true
                    if quitWhenIdle && !state.mutationRunning { return 0 }
                }
            }
            if let key {
                if key == .resize {
                    terminal.resized()
                    logger.info("resized to \(terminal.width)x\(terminal.height)")
                } else {
                    for effect in reduce(.key(key), terminal) {
                        switch effect {
                        case .quit: return 0
                        case .repaint: terminal.repaint()
                        case .interruptAndQuit:
                            guard state.mutationRunning else { return 0 }
                            Interruption.shared.request("the operator quitting the dashboard")
                            quitWhenIdle = true
                            state.busy = "stopping at the next safe step, then quitting"
                        default: start(effect)
                        }
                    }
                }
                dirty = true
            }
            // Time-dependent text (the reconnect countdown) changes once a second.
            let second = Int(Date().timeIntervalSince1970)
            if second != lastSecond, snapshot?.cluster.retryAt != nil {
                dirty = true
            }
            lastSecond = second
            if dirty {
                let model = ScreenModel.make(snapshot, state, theme: theme)
                let layout = ScreenLayout.compute(width: terminal.width, height: terminal.height, focus: state.focus, model: model)
                Reducer.normalize(&state, model: model, layout: layout)
                terminal.draw(ScreenRenderer.render(state, model, width: terminal.width, height: terminal.height))
                dirty = false
            }
        }
    }

    /// Snapshots are shown in the order the store published them: an older one never replaces a newer.
    static func accepts(_ next: DashboardSnapshot, after current: DashboardSnapshot?) -> Bool {
        guard let current else { return true }
        return next.sequence > current.sequence
    }

    private func reduce(_ event: Event, _ terminal: TerminalAdapter) -> [Effect] {
        let model = ScreenModel.make(snapshot, state, theme: theme)
        let layout = ScreenLayout.compute(width: terminal.width, height: terminal.height, focus: state.focus, model: model)
        return Reducer.reduce(&state, event, model: model, layout: layout)
    }

    /// Runs an effect in the background; its result comes back through the mailbox as an event.
    private func start(_ effect: Effect) {
        guard let operations else { return }
        let mailbox = self.mailbox
        let store = self.store
        let snapshot = self.snapshot
        let logger = self.logger
        switch effect {
        case let .skip(file): state.busy = "skipping \(file)"
        case let .unskip(file): state.busy = "unskipping \(file)"
        case let .preparePlan(target): state.busy = "checking \(target)"
        case let .applyPlan(prepared): state.busy = "applying the plans for \(prepared.targetText)"
        case let .prepareSwap(path): state.busy = "checking \(path)"
        case .swap: state.busy = "swapping the binary"
        case .restart: state.busy = "restarting rke2"
        case .prepareRollback: state.busy = "checking the backups"
        case .rollback: state.busy = "rolling back"
        default: break
        }
        if effect.isMutating { state.mutationRunning = true }
        Task {
            let event = await operations.perform(effect, snapshot: snapshot) { line in
                mailbox.post(.event(.progress(line)))
            }
            if case let .operationFinished(message) = event, !message.text.isEmpty {
                logger.info("\(effect): \(message.text)")
            }
            if effect.isMutating { await store.rescanLocal() }
            mailbox.post(.event(event))
        }
    }
}
