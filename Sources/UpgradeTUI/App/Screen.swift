import Foundation
import UpgradeModel

/// What one state looks like at one size: the tables after sorting and filtering, where every pane goes,
/// and the open overlay laid out. Pure; rebuilt once per event.
struct Screen {
    let model: ScreenModel
    let layout: ScreenLayout
    let overlay: OverlayBox?

    var width: Int { layout.width }
    var height: Int { layout.height }

    static func make(snapshot: DashboardSnapshot?, state: ViewState, theme: Theme, width: Int, height: Int,
                     previous: Screen? = nil) -> Screen {
        let model = ScreenModel.make(snapshot, state, theme: theme, previous: previous?.model)
        let layout = ScreenLayout.compute(width: width, height: height, focus: state.focus, model: model)
        let overlay = state.overlay.flatMap { OverlayBox.make($0, state: state, theme: theme, width: width, height: height) }
        return Screen(model: model, layout: layout, overlay: overlay)
    }
}
