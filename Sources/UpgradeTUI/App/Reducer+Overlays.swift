import UpgradeModel

/// Keys while an overlay is open: filter input, dialogs, reviews, confirmations, help and details. The
/// binding table maps keys to actions per overlay (`KeyContext`); unbound printable keys are text where
/// the overlay takes text.
extension Reducer {
    static func overlayKey(_ state: inout ViewState, _ overlay: Overlay, _ key: Key, _ action: Action?, screen: Screen) -> [Effect] {
        let text: Character? = {
            if action == nil, case let .char(character) = key, !character.isNewline { return character }
            return nil
        }()
        let page = max(1, (screen.overlay?.visible ?? 11) - 1)
        switch overlay {
        case let .filterInput(previous): return filterKey(&state, previous, action, text, screen: screen)
        case let .input(dialog): return inputKey(&state, dialog, action, text)
        case let .review(review): return reviewKey(&state, review, action, text, page: page)
        case let .confirm(confirmation): return confirmKey(&state, confirmation, action)
        case .help, .details: return pagerKey(&state, overlay, action, page: page, screen: screen)
        case let .contexts(picker): return pickerKey(&state, picker, action)
        case let .journal(view): return journalKey(&state, view, action, page: page, screen: screen)
        }
    }

    /// Typing a filter: applied as it is typed; Enter keeps it, Esc restores the one before.
    static func filterKey(_ state: inout ViewState, _ previous: String, _ action: Action?, _ text: Character?, screen: Screen) -> [Effect] {
        let pane = state.focus
        switch action {
        case .accept: state.overlay = nil
        case .cancel:
            state[pane].filter = previous
            state.overlay = nil
        case .deleteBackward:
            if !state[pane].filter.isEmpty { state[pane].filter.removeLast() }
        case .clearInput: state[pane].filter = ""
        case .up, .down, .pageUp, .pageDown:
            // Keeps the filter and moves in the filtered rows.
            state.overlay = nil
            return apply(&state, action!, screen: screen)
        default:
            guard let text else { return [] }
            state[pane].filter.append(text)
        }
        state[pane].selected = 0
        state[pane].selectedID = nil
        return []
    }

    /// The plan target and swap path dialogs: text, suggestions, completion.
    static func inputKey(_ state: inout ViewState, _ dialog: InputDialog, _ action: Action?, _ text: Character?) -> [Effect] {
        var dialog = dialog
        switch action {
        case .cancel:
            state.overlay = nil
            return []
        case .accept:
            let text = dialog.text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return [] }
            if dialog.kind == .planTarget {
                state.overlay = nil
                return [.preparePlan(target: text)]
            }
            // The swap dialog stays open while the path is checked: a bad path is shown in it.
            dialog.error = nil
            state.overlay = .input(dialog)
            return [.prepareSwap(path: text)]
        case .complete:
            if dialog.kind == .swapPath { return [.completePath(dialog.text.isEmpty ? "/" : dialog.text)] }
            if let first = dialog.suggestions.first(where: { $0.hasPrefix(dialog.text) }) { dialog.text = first }
        case .up, .down:
            guard !dialog.suggestions.isEmpty else { return [] }
            let index = dialog.suggestions.firstIndex(of: dialog.text).map { $0 + (action == .down ? 1 : -1) } ?? 0
            dialog.text = dialog.suggestions[(index + dialog.suggestions.count) % dialog.suggestions.count]
        case .deleteBackward:
            if !dialog.text.isEmpty { dialog.text.removeLast() }
        case .clearInput: dialog.text = ""
        case .quit: return [.quit]
        default:
            guard let text else { return [] }
            dialog.text.append(text)
        }
        state.overlay = .input(dialog)
        return []
    }

    /// A review: y (swap, rollback) or the typed target and Enter (plan) performs exactly what it shows.
    static func reviewKey(_ state: inout ViewState, _ review: Review, _ action: Action?, _ text: Character?, page: Int) -> [Effect] {
        var review = review
        switch action {
        case .cancel:
            state.overlay = nil
            state.message = Message(text: "cancelled: nothing was changed", severity: .info)
            if case let .swap(prepared) = review.kind { return [.discardSwap(prepared)] }
            return []
        case .up: review.scroll = max(0, review.scroll - 1)
        case .down: review.scroll += 1
        case .pageUp: review.scroll = max(0, review.scroll - page)
        case .pageDown: review.scroll += page
        case .quit: return [.quit]
        case .accept:
            guard !review.blocked else {
                state.message = Message(text: "failed checks block this: fix them, or use `upgrade-tui plan --force REASON`", severity: .error)
                return []
            }
            guard review.typed == review.typeToConfirm else {
                state.message = Message(text: "type \(review.typeToConfirm ?? "the target") exactly to confirm", severity: .warn)
                return []
            }
            guard case let .plan(prepared) = review.kind else { return [] }
            state.overlay = nil
            return [.applyPlan(prepared)]
        case .confirm:
            let effect: Effect
            switch review.kind {
            case .plan: return []
            case let .swap(prepared): effect = .swap(prepared)
            case let .rollback(prepared): effect = .rollback(prepared)
            case let .snapshot(prepared): effect = .takeSnapshot(prepared)
            }
            guard !review.blocked else {
                state.message = Message(text: "failed checks block this: fix them, or use the CLI's --force REASON", severity: .error)
                return []
            }
            state.overlay = nil
            return [effect]
        case .deleteBackward:
            if !review.typed.isEmpty { review.typed.removeLast() }
        case .clearInput: review.typed = ""
        default:
            guard let text, review.typeToConfirm != nil else { return [] }
            review.typed.append(text)
        }
        state.overlay = .review(review)
        return []
    }

    static func confirmKey(_ state: inout ViewState, _ confirmation: Confirmation, _ action: Action?) -> [Effect] {
        switch action {
        case .confirm:
            state.overlay = nil
            return [confirmation.effect]
        case .cancel:
            state.overlay = nil
            state.message = Message(text: "cancelled", severity: .info)
        default: break
        }
        return []
    }

    /// Help and details scroll; `normalize` clamps to the box's last line.
    static func pagerKey(_ state: inout ViewState, _ overlay: Overlay, _ action: Action?, page: Int, screen: Screen) -> [Effect] {
        var next = overlay.scroll
        switch action {
        case .close:
            state.overlay = nil
            return []
        case .up: next -= 1
        case .down: next += 1
        case .pageUp: next -= page
        case .pageDown: next += page
        case .top: next = 0
        case .bottom: next = screen.overlay?.maxScroll ?? 0
        case .quit: return [.quit]
        default: return []
        }
        state.overlay = overlay.scrolled(to: max(0, next))
        return []
    }

    /// The context picker: a switch is refused while an operation runs (it would act on the cluster
    /// it was started for, while the screen shows another).
    static func pickerKey(_ state: inout ViewState, _ picker: ContextPicker, _ action: Action?) -> [Effect] {
        var picker = picker
        switch action {
        case .up: picker.selected = max(0, picker.selected - 1)
        case .down: picker.selected = min(picker.names.count - 1, picker.selected + 1)
        case .cancel:
            state.overlay = nil
            return []
        case .quit: return [.quit]
        case .accept:
            let name = picker.names[picker.selected]
            state.overlay = nil
            if name == picker.current { return [] }
            guard !state.mutationRunning else {
                state.message = Message(text: "an operation is running: switch contexts when it has finished", severity: .warn)
                return []
            }
            return [.switchContext(name)]
        default: return []
        }
        state.overlay = .contexts(picker)
        return []
    }

    /// The journal: scrolling up stops following the newest line; End follows again; e reads again
    /// with or without `-p err`.
    static func journalKey(_ state: inout ViewState, _ view: JournalView, _ action: Action?, page: Int, screen: Screen) -> [Effect] {
        var view = view
        let last = screen.overlay?.maxScroll ?? 0
        let current = view.follow ? last : min(view.scroll, last)
        switch action {
        case .close:
            state.overlay = nil
            return []
        case .quit: return [.quit]
        case .toggleErrors:
            view.errorsOnly.toggle()
            view.follow = true
            state.overlay = .journal(view)
            return [.readJournal(unit: view.unit, errorsOnly: view.errorsOnly)]
        case .up, .pageUp, .top:
            view.follow = false
            view.scroll = action == .top ? 0 : max(0, current - (action == .up ? 1 : page))
        case .down, .pageDown:
            view.scroll = min(last, current + (action == .down ? 1 : page))
            view.follow = view.scroll >= last
        case .bottom:
            view.follow = true
        default: return []
        }
        state.overlay = .journal(view)
        return []
    }
}
