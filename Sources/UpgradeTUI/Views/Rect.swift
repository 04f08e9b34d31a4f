import UpgradeModel

struct Rect: Equatable {
    var x: Int, y: Int, width: Int, height: Int
}
