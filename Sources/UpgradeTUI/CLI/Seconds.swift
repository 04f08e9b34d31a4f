import ArgumentParser
import Foundation
import UpgradeModel

/// A number of seconds from the command line: NaN, infinity, zero, negative and absurd values are
/// refused (exit 2) before anything sleeps or computes a deadline with them.
enum Seconds {
    static func check(_ value: Double, option: String, within range: ClosedRange<Double>) throws {
        guard value.isFinite, value > 0, range.contains(value) else {
            let bounds = "\(format(range.lowerBound)) and \(format(range.upperBound))"
            throw ValidationError("\(option) must be a number of seconds between \(bounds) (got \(format(value)))")
        }
    }

    private static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
