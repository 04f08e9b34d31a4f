import UpgradeModel

enum NodeSort: String, CaseIterable, Equatable {
    case name, version, state

    var next: NodeSort {
        let all = NodeSort.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
