import Foundation

/// What applying the desired plans would change (fields upgrade-tui does not manage are kept, so they
/// are never a change), as a short description and as a line diff of YAML.
public enum PlanDiff {
    static func find(_ plans: [JSONValue], named name: String) -> JSONValue? {
        plans.first { $0["metadata"]?["name"]?.stringValue == name }
    }

    static func target(_ spec: JSONValue?) -> String {
        spec?["version"]?.stringValue ?? spec?["channel"]?.stringValue ?? "?"
    }

    public static func describe(existing: [JSONValue], desired: [KPlan]) -> [String] {
        desired.compactMap { plan in
            guard let current = find(existing, named: plan.metadata.name) else { return nil }
            let merged = PlanBuilder.merged(existing: current, desired: plan, resourceVersion: nil)
            guard PlanBuilder.comparable(current) != PlanBuilder.comparable(merged) else { return nil }
            let before = target(current["spec"]), after = target(merged["spec"])
            return before == after ? "\(plan.metadata.name) spec" : "\(plan.metadata.name) \(before) → \(after)"
        }
    }

    /// A unified-style diff (`-`/`+`/` ` lines) of the existing and resulting plans' YAML.
    public static func diff(existing: [JSONValue], desired: [KPlan]) -> [String] {
        var lines: [String] = []
        for plan in desired {
            guard let current = find(existing, named: plan.metadata.name) else {
                lines.append("+ new Plan \(plan.metadata.name)")
                continue
            }
            let merged = PlanBuilder.merged(existing: current, desired: plan, resourceVersion: nil)
            let before = YAMLText.render(PlanBuilder.comparable(current)).split(separator: "\n").map(String.init)
            let after = YAMLText.render(PlanBuilder.comparable(merged)).split(separator: "\n").map(String.init)
            if before == after { continue }
            lines.append("~ Plan \(plan.metadata.name)")
            lines += lineDiff(before, after).map { "  " + $0 }
        }
        return lines
    }

    /// The largest longest-common-subsequence table computed (cells), and the most diff lines shown:
    /// a Plan is anyone's object, and one with tens of thousands of lines must not stall a preview.
    static let maxCells = 4_000_000
    static let maxLines = 400

    /// Changed lines with two lines of context around each change (`-` before `+`). The common head and
    /// tail are set aside first; a middle too large to compare is summarised, and a long diff is cut.
    static func lineDiff(_ a: [String], _ b: [String], context: Int = 2) -> [String] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let middleA = Array(a[head..<(a.count - tail)]), middleB = Array(b[head..<(b.count - tail)])
        guard middleA.count * middleB.count <= maxCells else {
            return ["… too large to compare line by line: from line \(head + 1), \(middleA.count) lines before and \(middleB.count) after differ"]
        }
        let all = a[..<head].map { (Character(" "), $0) } + lcs(middleA, middleB) + a[(a.count - tail)...].map { (Character(" "), $0) }
        var keep = [Bool](repeating: false, count: all.count)
        for index in all.indices where all[index].0 != " " {
            for near in max(0, index - context)...min(all.count - 1, index + context) { keep[near] = true }
        }
        var result: [String] = []
        var last = -1
        for index in all.indices where keep[index] {
            if last >= 0 && index > last + 1 { result.append("  …") }
            result.append("\(all[index].0) \(all[index].1)")
            last = index
        }
        if result.count > maxLines {
            let hidden = result.count - maxLines
            result = Array(result.prefix(maxLines)) + ["… \(hidden) more lines of diff not shown"]
        }
        return result
    }

    /// The edit script of two line lists (longest common subsequence).
    private static func lcs(_ a: [String], _ b: [String]) -> [(Character, String)] {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var all: [(Character, String)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { all.append((" ", a[i])); i += 1; j += 1 }
            else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] { all.append(("-", a[i])); i += 1 }
            else { all.append(("+", b[j])); j += 1 }
        }
        return all
    }
}
