import UpgradeModel

/// `reduce(&state, event, screen) -> [Effect]`: decides, never draws, never performs I/O. `screen` is
/// what the operator sees while pressing the key; `Dashboard` recomputes it and normalizes afterwards.
enum Reducer {
    static func reduce(_ state: inout ViewState, _ event: Event, screen: Screen) -> [Effect] {
        var effects = decide(&state, event, screen: screen)
        if state.mutationRunning, effects.contains(.quit) {
            // Quitting in the middle of a swap or a restart would cut it between two steps: ask first.
            state.overlay = .confirm(Confirmation(
                title: "An operation is running",
                lines: ["\(state.busy ?? "an operation") is still running.",
                        "y: stop it at its next safe step, record it as interrupted in the audit log, then quit.",
                        "n: keep it running."],
                effect: .interruptAndQuit))
            effects.removeAll { $0 == .quit }
        }
        if effects.contains(.interruptAndQuit) {
            // The operation may have finished while the question was open.
            guard state.mutationRunning else { return [.quit] }
            state.quitWhenIdle = true
        }
        // What runs in the background says so on the message line until it answers.
        for effect in effects {
            if let text = effect.busyText { state.busy = text }
            if effect.isMutating { state.mutationRunning = true }
        }
        return effects
    }

    static func decide(_ state: inout ViewState, _ event: Event, screen: Screen) -> [Effect] {
        switch event {
        case let .operationFinished(message):
            state.mutationRunning = false
            state.busy = nil
            state.message = message
            return state.quitWhenIdle ? [.quit] : []
        case let .progress(text):
            state.busy = text
            return []
        case let .reviewReady(review):
            state.busy = nil
            state.overlay = .review(review)
            return []
        case let .inputRejected(reason):
            state.busy = nil
            if case var .input(dialog) = state.overlay {
                dialog.error = reason
                state.overlay = .input(dialog)
            } else {
                state.message = Message(text: reason, severity: .error)
            }
            return []
        case let .completion(result):
            if case var .input(dialog) = state.overlay {
                dialog.text = result.text
                if !result.candidates.isEmpty { dialog.note = result.candidates.prefix(12).joined(separator: "  ") }
                state.overlay = .input(dialog)
            }
            return []
        case let .key(key):
            // Nothing can be answered or typed that is not on screen: a terminal too small for the
            // layout shows only "too small", so only quitting works (resizing is the terminal's).
            if screen.layout.tooSmall {
                return key == .char("q") || key == .ctrl("c") ? [.quit] : []
            }
            let context = KeyContext.of(state.overlay)
            let action = Keymap.action(for: key, context: context, focus: state.focus, in: state.bindings)
            if let overlay = state.overlay {
                return overlayKey(&state, overlay, key, action, screen: screen)
            }
            guard let action else { return [] }
            // A passing remark ("cancelled", "sorted by …") does not outlive the next action; results,
            // warnings and errors stay until replaced or Esc.
            if state.message?.severity == .info && action != .showMessage { state.message = nil }
            return apply(&state, action, screen: screen)
        case let .document(title, lines):
            state.busy = nil
            state.overlay = .details(title: title, lines: lines, scroll: 0)
            return []
        case let .journalRead(outcome, at):
            guard case var .journal(view) = state.overlay else { return [] }
            view.lastRead = at
            switch outcome {
            case let .lines(lines):
                view.lines = lines
                view.problem = nil
            case let .unavailable(reason):
                view.lines = []
                view.problem = reason
            }
            state.overlay = .journal(view)
            return []
        case let .tick(date):
            // The open journal is read again every two seconds.
            guard case var .journal(view) = state.overlay, view.problem == nil || view.lastRead == nil,
                  date.timeIntervalSince(view.lastRead ?? .distantPast) >= 2 else { return [] }
            view.lastRead = date
            state.overlay = .journal(view)
            return [.readJournal(unit: view.unit, errorsOnly: view.errorsOnly)]
        case let .contextsListed(picker):
            state.overlay = .contexts(picker)
            return []
        case let .contextsUnavailable(reason):
            state.message = Message(text: reason, severity: .info)
            return []
        case .snapshot, .resize:
            return []
        }
    }

    static func apply(_ state: inout ViewState, _ action: Action, screen: Screen) -> [Effect] {
        let (model, layout) = (screen.model, screen.layout)
        let pane = state.focus
        switch action {
        case .quit: return [.quit]
        case .repaint: return [.repaint]
        case .nextPane, .previousPane:
            let all = PaneID.allCases
            let index = all.firstIndex(of: pane)!
            state.focus = all[(index + (action == .nextPane ? 1 : all.count - 1)) % all.count]
        case .up:
            move(&state, pane, by: -1, model: model)
            state[pane].nameOffset = 0
        case .down:
            move(&state, pane, by: 1, model: model)
            state[pane].nameOffset = 0
        case .pageUp: move(&state, pane, by: -max(1, layout.visibleRows(pane) - 1), model: model)
        case .pageDown: move(&state, pane, by: max(1, layout.visibleRows(pane) - 1), model: model)
        case .top: move(&state, pane, by: -Int.max / 2, model: model)
        case .bottom: move(&state, pane, by: Int.max / 2, model: model)
        case .scrollLeft: state[pane].nameOffset = max(0, state[pane].nameOffset - 4)
        case .scrollRight:
            let name = model.selectedRow(state, pane)?.cells.first ?? ""
            state[pane].nameOffset = min(max(0, DisplayWidth.of(name) - 4), state[pane].nameOffset + 4)
        case .filter:
            state.overlay = .filterInput(previous: state[pane].filter)
        case .details:
            guard let row = model.selectedRow(state, pane), let snapshot = model.snapshot else { return [] }
            let lines = details(pane, row, snapshot)
            state.overlay = .details(title: lines.first ?? row.id, lines: Array(lines.dropFirst(2)), scroll: 0)
        case .help:
            state.overlay = .help(scroll: 0)
        case .showMessage:
            guard let message = state.message else { return [] }
            state.overlay = .details(title: "Message", lines: [message.text], scroll: 0)
        case .close:
            if !state[pane].filter.isEmpty {
                state[pane].filter = ""
            } else {
                state.message = nil
            }
        case .sort:
            state.sort = state.sort.next
            state.message = Message(text: "nodes sorted by \(state.sort.rawValue)", severity: .info)
        case .toggleSkip:
            return toggleSkip(&state, model: model)
        case .plan:
            state.overlay = .input(planDialog(model.snapshot))
        case .swap:
            state.overlay = .input(InputDialog(kind: .swapPath, title: "Swap the rke2 binary on this node",
                                               prompt: "new binary: ", text: "", suggestions: state.swapSuggestions,
                                               note: "Tab completes; Enter checks it (nothing is changed before you confirm)"))
        case .restart:
            return restartConfirmation(&state, model: model)
        case .rollback:
            return [.prepareRollback]
        case .snapshot:
            guard let snapshot = model.snapshot else { return [] }
            if let refusal = SnapshotOperation.refusal(snapshot.local) {
                state.message = Message(text: refusal, severity: .warn)
                return []
            }
            return [.prepareSnapshot(target: plansTarget(snapshot))]
        case .runbook:
            guard let target = model.snapshot.flatMap(plansTarget) else {
                state.message = Message(text: "no Plan has a target yet: plan the upgrade (p), or run upgrade-tui runbook --version V", severity: .info)
                return []
            }
            return [.prepareRunbook(target: target.description)]
        case .injectFailure:
            return [.injectFailure]
        case .contexts:
            return [.listContexts]
        case .journal:
            let unit = JournalReader.unit(for: model.snapshot?.local.role ?? .server)
            state.overlay = .journal(JournalView(unit: unit))
            return [.readJournal(unit: unit, errorsOnly: false)]
        case .toggleErrors:
            break
        case .accept, .confirm, .cancel, .complete, .deleteBackward, .clearInput:
            break
        }
        return []
    }

    /// The newest version the Plans target: what the snapshot is named after and the runbook is for.
    static func plansTarget(_ snapshot: DashboardSnapshot) -> RKE2Version? {
        snapshot.cluster.plans.compactMap(\.target).compactMap(RKE2Version.init).max()
    }

    /// The plan dialog offers the plans' target, the cluster's newest version and the next minor's
    /// channel, and stable; never a version the plan's own checks would refuse (a downgrade of any
    /// node, or a minor skip from the lowest one).
    static func planDialog(_ snapshot: DashboardSnapshot?) -> InputDialog {
        var suggestions: [String] = []
        let versions = snapshot?.cluster.nodes.compactMap(\.version) ?? []
        func acceptable(_ version: RKE2Version) -> Bool {
            guard let lowest = versions.min(), let highest = versions.max() else { return true }
            return !(version < highest && !version.sameRelease(as: highest)) && lowest.minorDistance(to: version) <= 1
        }
        for target in (snapshot?.cluster.plans.compactMap(\.target) ?? []) where RKE2Version(target).map(acceptable) ?? true {
            if !suggestions.contains(target) { suggestions.append(target) }
        }
        if let lowest = versions.min(), let highest = versions.max() {
            // The newest version some nodes run (finishing an upgrade); not when every node runs it already.
            if lowest != highest && !suggestions.contains(highest.description) && acceptable(highest) { suggestions.append(highest.description) }
            if lowest.minor == highest.minor { suggestions.append("v\(lowest.major).\(lowest.minor + 1)") }
        }
        suggestions.append("stable")
        return InputDialog(kind: .planTarget, title: "Plan the upgrade", prompt: "target: ", text: "", suggestions: suggestions,
                           note: "a version (v1.32.2+rke2r1) or a channel (stable, v1.32); Tab takes the first suggestion")
    }

    static func restartConfirmation(_ state: inout ViewState, model: ScreenModel) -> [Effect] {
        guard let local = model.snapshot?.local else { return [] }
        guard let running = local.running else {
            state.message = Message(text: "rke2 is not running on this node: nothing to restart", severity: .warn)
            return []
        }
        var lines = ["Sends SIGTERM to rke2 (pid \(running.process.pid)) and its containerd/kubelet children, as rke2-upgrade does;",
                     "the supervisor (systemd) starts the installed binary again. This node's API server restarts too:",
                     "the dashboard reconnects."]
        if running.restartPending {
            lines.append("")
            lines.append("running \(running.runningVersion?.description ?? "?") → installed \(local.binary?.version?.description ?? "?")")
        } else {
            lines.append("")
            lines.append("rke2 already runs the installed binary: the restart will report that and change nothing.")
        }
        state.overlay = .confirm(Confirmation(title: "Restart rke2 on this node?", lines: lines, effect: .restart(running.process.identity)))
        return []
    }

    static func details(_ pane: PaneID, _ row: TableRow, _ snapshot: DashboardSnapshot) -> [String] {
        switch pane {
        case .nodes:
            return snapshot.cluster.node(named: row.id).map(NodeRows.details) ?? [row.id]
        case .manifests:
            return snapshot.manifests.first { $0.file.file == row.id }
                .map { ManifestRows.details($0, manifestsDir: snapshot.local.paths.manifestsDir) } ?? [row.id]
        case .plans:
            return PlanRows.details(id: row.id, cluster: snapshot.cluster)
        }
    }

    static func toggleSkip(_ state: inout ViewState, model: ScreenModel) -> [Effect] {
        guard state.focus == .manifests, let row = model.selectedRow(state, .manifests), let snapshot = model.snapshot,
              let manifest = snapshot.manifests.first(where: { $0.file.file == row.id }) else { return [] }
        let file = manifest.file
        let base = file.baseName
        switch manifest.state {
        case .disabled:
            state.message = Message(text: "\(base) is disabled by \(file.disabledBy?.source ?? "the config"): the config controls it, not .skip", severity: .warn)
            return []
        case .ignored where file.skipMarker == nil && manifest.notDeployedHere:
            state.message = Message(text: "this server runs no deploy controller (disable-apiserver): \(base) is never applied from here, skip it on the servers that apply it",
                                    severity: .info)
            return []
        case .ignored where file.skipMarker == nil:
            state.message = Message(text: "\(base) is never deployed (dotfile or not YAML/JSON): nothing to skip", severity: .info)
            return []
        default: break
        }
        let others = ThisNode.otherControlPlaneNodes(snapshot.local, in: snapshot.cluster)
        let reminder: [String]
        if snapshot.cluster.api != .ok {
            reminder = ["Every control-plane node needs the same marker; the cluster cannot be asked",
                        "which nodes those are right now: check them yourself."]
        } else if others.isEmpty {
            reminder = ["No other control-plane node: this node's marker is enough."]
        } else {
            reminder = ["Every control-plane node needs the same marker, or another server applies the file:",
                        "  " + others.joined(separator: ", ")]
        }
        // What the deploy controllers' events say other servers still do with this file.
        let elsewhere = manifest.elsewhereWarnings(now: snapshot.takenAt)
        let drift = elsewhere.isEmpty ? [] : [""] + elsewhere
        if file.skipMarker != nil {
            state.overlay = .confirm(Confirmation(
                title: "Unskip \(base)?",
                lines: ["Removes \(file.skipMarker!). rke2 applies \(base) again at its next scan",
                        "(within about 15 s on a running server)."] + [""] + reminder + drift,
                effect: .unskip(file: file.file)))
        } else {
            state.overlay = .confirm(Confirmation(
                title: "Skip \(base)?",
                lines: ["Creates \(file.file).skip beside it. rke2 stops applying \(base) on this node;",
                        "the file stays, and what it deployed is not removed. An upgrade will not update it."] + [""] + reminder + drift,
                effect: .skip(file: file.file)))
        }
        return []
    }

    static func move(_ state: inout ViewState, _ pane: PaneID, by delta: Int, model: ScreenModel) {
        let rows = model.table(pane).rows
        let selectable = rows.indices.filter { rows[$0].selectable }
        guard !selectable.isEmpty else { return }
        let current = selectable.firstIndex { $0 >= state[pane].selected } ?? selectable.count - 1
        let target = max(0, min(selectable.count - 1, current + max(-selectable.count, min(selectable.count, delta))))
        state[pane].selected = selectable[target]
        state[pane].selectedID = rows[selectable[target]].id
    }

    /// Keeps selection and scroll valid for the current rows, pane heights and overlay box (pure, after every event).
    static func normalize(_ state: inout ViewState, screen: Screen) {
        let (model, layout) = (screen.model, screen.layout)
        for pane in PaneID.allCases {
            let table = model.table(pane)
            let rows = table.rows
            var pstate = state[pane]
            if table.selectableCount == 0 {
                pstate.selected = 0
                pstate.selectedID = nil
            } else if let id = pstate.selectedID, rows.indices.contains(pstate.selected), rows[pstate.selected].selectable,
                      rows[pstate.selected].id == id {
                // The selected row is where it was (every event comes here; most change nothing above it).
            } else if let id = pstate.selectedID, let index = rows.firstIndex(where: { $0.id == id && $0.selectable }) {
                pstate.selected = index
            } else {
                let index = rows.indices[max(0, min(pstate.selected, rows.count - 1))...].first { rows[$0].selectable }
                    ?? rows.indices.last { rows[$0].selectable }!
                pstate.selected = index
                pstate.selectedID = rows[index].id
            }
            let visible = max(1, layout.visibleRows(pane))
            if pstate.selected < pstate.scroll { pstate.scroll = pstate.selected }
            if pstate.selected >= pstate.scroll + visible { pstate.scroll = pstate.selected - visible + 1 }
            pstate.scroll = max(0, min(pstate.scroll, max(0, rows.count - visible)))
            if state[pane] != pstate { state[pane] = pstate }
        }
        // An overlay scrolls no further than its last line (its text is wrapped in the box).
        if let box = screen.overlay, let overlay = state.overlay, overlay.scroll > box.maxScroll {
            state.overlay = overlay.scrolled(to: box.maxScroll)
        }
    }
}
