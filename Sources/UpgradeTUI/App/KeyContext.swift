/// Where a key is pressed: the panes, or the overlay that is open. Each context has its own bindings;
/// in the text contexts (filter, input, typed confirmation) an unbound printable key is text.
enum KeyContext: String, CaseIterable, Sendable {
    case panes, filter, input, review, typedReview, confirm, pager, picker, journal

    var title: String {
        switch self {
        case .panes: return "In the panes"
        case .filter: return "Typing a filter (/)"
        case .input: return "In the plan and swap dialogs (text goes into the input)"
        case .review: return "In a swap or rollback review"
        case .typedReview: return "In a plan review (type the target to apply it)"
        case .confirm: return "In a confirmation"
        case .pager: return "In help and details"
        case .picker: return "In the context picker (c)"
        case .journal: return "In the rke2 journal (L)"
        }
    }

    /// Printable keys that no binding takes are typed into the dialog.
    var takesText: Bool { self == .filter || self == .input || self == .typedReview }

    static func of(_ overlay: Overlay?) -> KeyContext {
        switch overlay {
        case nil: return .panes
        case .filterInput: return .filter
        case .input: return .input
        case let .review(review): return review.typeToConfirm == nil ? .review : .typedReview
        case .confirm: return .confirm
        case .help, .details: return .pager
        case .contexts: return .picker
        case .journal: return .journal
        }
    }
}
