import UpgradeModel

/// Keys while an overlay is open: filter input, dialogs, reviews, confirmations, help and details.
extension Reducer {
    static func overlayKey(_ state: inout ViewState, _ overlay: Overlay, _ key: Key, model: ScreenModel, layout: ScreenLayout) -> [Effect] {
        let pane = state.focus
        switch overlay {
        case let .filterInput(previous):
            switch key {
            case .enter: state.overlay = nil
            case .escape:
                state[pane].filter = previous
                state.overlay = nil
            case .backspace, .delete:
                if !state[pane].filter.isEmpty { state[pane].filter.removeLast() }
            case .ctrl("u"): state[pane].filter = ""
            case let .char(character) where !character.isNewline:
                state[pane].filter.append(character)
            case .up, .down, .pageUp, .pageDown:
                state.overlay = nil
                return reduce(&state, .key(key), model: model, layout: layout)
            default: break
            }
            state[pane].selected = 0
            state[pane].selectedID = nil
            return []
        case var .input(dialog):
            switch key {
            case .escape:
                state.overlay = nil
            case .enter:
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
            case .tab:
                if dialog.kind == .swapPath { return [.completePath(dialog.text.isEmpty ? "/" : dialog.text)] }
                if let first = dialog.suggestions.first(where: { $0.hasPrefix(dialog.text) }) { dialog.text = first }
                state.overlay = .input(dialog)
            case .down, .up:
                guard !dialog.suggestions.isEmpty else { return [] }
                let index = dialog.suggestions.firstIndex(of: dialog.text).map { $0 + (key == .down ? 1 : -1) } ?? 0
                dialog.text = dialog.suggestions[(index + dialog.suggestions.count) % dialog.suggestions.count]
                state.overlay = .input(dialog)
            case .backspace, .delete:
                if !dialog.text.isEmpty { dialog.text.removeLast() }
                state.overlay = .input(dialog)
            case .ctrl("u"):
                dialog.text = ""
                state.overlay = .input(dialog)
            case .ctrl("c"):
                return [.quit]
            case let .char(character) where !character.isNewline:
                dialog.text.append(character)
                state.overlay = .input(dialog)
            default: break
            }
            return []
        case var .review(review):
            let discard: [Effect]
            if case let .swap(prepared) = review.kind { discard = [.discardSwap(prepared)] } else { discard = [] }
            switch key {
            case .escape:
                state.overlay = nil
                state.message = Message(text: "cancelled: nothing was changed", severity: .info)
                return discard
            case .up: review.scroll = max(0, review.scroll - 1)
            case .down: review.scroll += 1
            case .pageUp: review.scroll = max(0, review.scroll - 10)
            case .pageDown: review.scroll += 10
            case .ctrl("c"): return [.quit]
            case .enter where review.typeToConfirm != nil:
                guard !review.blocked else {
                    state.message = Message(text: "failed checks block this: fix them, or use `upgrade-tui plan --force REASON`", severity: .error)
                    return []
                }
                guard review.typed == review.typeToConfirm else {
                    state.message = Message(text: "type \(review.typeToConfirm!) exactly to confirm", severity: .warn)
                    return []
                }
                guard case let .plan(prepared) = review.kind else { break }
                state.overlay = nil
                return [.applyPlan(prepared)]
            case .backspace where review.typeToConfirm != nil:
                if !review.typed.isEmpty { review.typed.removeLast() }
            case let .char(character) where review.typeToConfirm != nil:
                review.typed.append(character)
            case .char("y"), .char("Y"):
                let effect: Effect
                switch review.kind {
                case .plan: state.overlay = .review(review); return []
                case let .swap(prepared): effect = .swap(prepared)
                case let .rollback(prepared): effect = .rollback(prepared)
                }
                guard !review.blocked else {
                    state.message = Message(text: "failed checks block this: fix them, or use the CLI's --force REASON", severity: .error)
                    return []
                }
                state.overlay = nil
                return [effect]
            case .char("n"), .char("N"), .char("q"):
                state.overlay = nil
                state.message = Message(text: "cancelled: nothing was changed", severity: .info)
                return discard
            default: break
            }
            state.overlay = .review(review)
            return []
        case let .confirm(confirmation):
            switch key {
            case .char("y"), .char("Y"):
                state.overlay = nil
                return [confirmation.effect]
            case .char("n"), .char("N"), .escape, .char("q"):
                state.overlay = nil
                state.message = Message(text: "cancelled", severity: .info)
            default: break
            }
            return []
        case let .help(scroll), let .details(_, _, scroll):
            var next = scroll
            switch key {
            case .escape, .char("q"), .enter, .char("?"):
                state.overlay = nil
                return []
            case .up, .char("k"): next -= 1
            case .down, .char("j"): next += 1
            case .pageUp: next -= 10
            case .pageDown, .char(" "): next += 10
            case .home, .char("g"): next = 0
            case .ctrl("c"): return [.quit]
            default: return []
            }
            next = max(0, next)
            if case let .details(title, lines, _) = overlay {
                state.overlay = .details(title: title, lines: lines, scroll: min(next, max(0, lines.count - 1)))
            } else {
                state.overlay = .help(scroll: min(next, Keymap.all.count))
            }
            return []
        }
    }

    /// Moves the selection by `delta` selectable rows.
}
