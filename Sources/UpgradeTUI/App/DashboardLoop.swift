import Foundation
import Glibc
import Logging
import UpgradeModel

/// The run loop: one thread owns the terminal and the `Dashboard` value. It sleeps in `poll` on the
/// terminal and the mailbox's wake-up pipe (no fixed tick), turns what woke it into events, performs the
/// effects the dashboard answers with, and draws when the state changed (the adapter writes only rows
/// that differ). Unchecked Sendable: after `run()` hands it to the UI thread, only that thread touches it.
final class DashboardLoop: @unchecked Sendable {
    let store: DashboardStore
    let operations: (any DashboardOperations)?
    /// The context picker's effects; nil in the demo.
    let switcher: ClusterSwitcher?
    /// This node's rke2 journal; nil in the demo.
    let journal: JournalReader?
    let logger: Logger
    let logFD: Int32?
    private var dashboard: Dashboard
    private let mailbox: Mailbox
    /// The terminal hung up (POLLHUP or an error on it): the loop ends like on SIGHUP.
    private var terminalGone = false

    init(store: DashboardStore, operations: (any DashboardOperations)?, switcher: ClusterSwitcher? = nil, journal: JournalReader? = nil,
         state: ViewState, theme: Theme, logger: Logger, logFD: Int32?) throws {
        self.journal = journal
        self.store = store
        self.operations = operations
        self.switcher = switcher
        self.logger = logger
        self.logFD = logFD
        self.mailbox = try Mailbox()
        self.dashboard = Dashboard(state: state, theme: theme, width: 0, height: 0)
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
        let terminal = try TerminalAdapter(color: dashboard.theme.color, logFD: logFD, wakeFD: mailbox.wakeWrite)
        defer { terminal.close() }
        _ = dashboard.handle(.resize(width: terminal.width, height: terminal.height))
        logger.info("dashboard started", metadata: ["readOnly": "\(dashboard.state.readOnly)", "size": "\(terminal.width)x\(terminal.height)"])
        var lastTick = Int(Date().timeIntervalSince1970)
        terminal.draw(dashboard.render())
        while true {
            if terminal.terminationSignal != 0 {
                logger.info("terminating on signal \(terminal.terminationSignal)")
                return terminal.terminationSignal
            }
            if terminalGone {
                // The ssh session or the terminal emulator went away without a SIGHUP reaching us: quit as
                // if it had, instead of polling a dead terminal forever.
                logger.info("the terminal hung up: terminating")
                return SIGHUP
            }
            var events: [Event] = []
            while let key = terminal.readKey() {
                if key == .resize {
                    terminal.resized()
                    logger.info("resized to \(terminal.width)x\(terminal.height)")
                    events.append(.resize(width: terminal.width, height: terminal.height))
                } else {
                    events.append(.key(key))
                }
            }
            events += mailbox.drain()
            // The reconnect countdown is the only text that changes with the clock alone.
            let second = Int(Date().timeIntervalSince1970)
            if dashboard.wantsTicks && second != lastTick { events.append(.tick(Date())) }
            lastTick = second
            for event in events {
                for effect in dashboard.handle(event) {
                    switch effect {
                    case .quit: return 0
                    case .repaint: terminal.repaint()
                    case .interruptAndQuit: Interruption.shared.request("the operator quitting the dashboard")
                    default: start(effect)
                    }
                }
            }
            if !events.isEmpty { terminal.draw(dashboard.render()) }
            sleep(untilNextSecond: dashboard.wantsTicks, terminal: terminal)
        }
    }

    /// Sleeps until a key, a posted event or a signal; with a countdown on screen, at most until the
    /// next whole second.
    private func sleep(untilNextSecond: Bool, terminal: TerminalAdapter) {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: mailbox.wakeRead, events: Int16(POLLIN), revents: 0)]
        let now = Date().timeIntervalSince1970
        let timeout = untilNextSecond ? Int32(max(1, (1 - now.truncatingRemainder(dividingBy: 1)) * 1000)) : -1
        if terminal.terminationSignal == 0, poll(&fds, 2, timeout) > 0,
           fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            terminalGone = true
        }
        mailbox.clearWakeUps()
    }

    /// Runs an effect in the background; its result comes back through the mailbox as an event.
    private func start(_ effect: Effect) {
        let mailbox = self.mailbox
        switch effect {
        case .listContexts, .switchContext:
            let switcher = self.switcher
            Task {
                mailbox.post(await switcher?.perform(effect) ?? .contextsUnavailable("the demo shows one simulated cluster: no contexts"))
            }
            return
        case let .readJournal(unit, errorsOnly):
            let journal = self.journal
            Task.detached {
                let outcome = journal?.read(unit: unit, errorsOnly: errorsOnly) ?? .unavailable("the demo node has no journal: on a real node this shows journalctl -u \(unit)")
                mailbox.post(.journalRead(outcome, at: Date()))
            }
            return
        default: break
        }
        guard let operations else {
            // --watch builds no operations object: what needs one is not available (mutating keys are not even bound).
            mailbox.post(.operationFinished(Message(text: "not available in --watch: run upgrade-tui runbook", severity: .info)))
            return
        }
        let store = self.store
        let snapshot = dashboard.snapshot
        let logger = self.logger
        Task {
            let event = await operations.perform(effect, snapshot: snapshot) { line in
                mailbox.post(.progress(line))
            }
            if case let .operationFinished(message) = event, !message.text.isEmpty {
                logger.info("\(effect): \(message.text)")
            }
            if effect.isMutating { await store.rescanLocal() }
            mailbox.post(event)
        }
    }
}
