import Testing
import Foundation
import UpgradeModel

/// `UTCTime` writes what Foundation's formatters wrote, and reads what they read, without ICU.
@Suite struct UTCTimeTests {
    /// Seeded dates from 1970 to 2200, with milliseconds, against the formatters the code used before.
    @Test func agreesWithFoundationsFormatters() {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let whole = ISO8601DateFormatter()
        let compact = DateFormatter()
        compact.locale = Locale(identifier: "en_US_POSIX")
        compact.timeZone = TimeZone(identifier: "UTC")
        compact.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var seed: UInt64 = 0x5eed
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 17 }
        // Whole milliseconds, so that neither side has a rounding question to answer.
        let edges: [Int64] = [0, 86_399_999, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 1_798_761_600_000]
        for millis in edges + (0..<2000).map({ _ in Int64(next() % 7_258_118_400_000) }) {
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(UTCTime.rfc3339(date) == iso.string(from: date), "\(millis)")
            #expect(UTCTime.rfc3339(date, fraction: false) == whole.string(from: date), "\(millis)")
            #expect(UTCTime.compact(date, millis: false) == compact.string(from: date), "\(millis)")
            #expect(UTCTime.parse(iso.string(from: date)) == date, "\(millis)")
            #expect(UTCTime.parse(whole.string(from: date)) == whole.date(from: whole.string(from: date)), "\(millis)")
        }
    }

    @Test(arguments: [
        ("2026-11-30T05:26:12Z", 1_796_016_372.0),
        ("2026-11-30T05:26:12.5Z", 1_796_016_372.5),
        ("2026-11-30T07:26:12+02:00", 1_796_016_372.0),
        ("2026-11-30T00:26:12-05:00", 1_796_016_372.0),
        ("2024-02-29T00:00:00z", 1_709_164_800.0),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(UTCTime.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: ["", "2026-11-30", "2026-11-30T05:26:12", "2026-11-30 05:26:12Z", "2026-13-01T00:00:00Z",
                      "2025-02-29T00:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T05:26:12.Z", "2026-11-30T05:26:12Zjunk",
                      "2026-11-30T05:26:12+0200", "２026-11-30T05:26:12Z"])
    func refuses(_ text: String) {
        #expect(UTCTime.parse(text) == nil)
    }

    @Test func compactWithMillisecondsSortsAndDoesNotCollide() {
        let date = Date(timeIntervalSince1970: 1_796_016_372.345)
        #expect(UTCTime.compact(date, millis: true) == "20261130T052612.345Z")
        #expect(UTCTime.compact(date.addingTimeInterval(0.001), millis: true) > UTCTime.compact(date, millis: true))
    }

    /// A modification time far off (`touch -d @100000000000000000`), infinite or NaN: shown at the
    /// nearest end of the years 1–9999, never a trap.
    @Test(arguments: [
        (1e17, "9999-12-31T23:59:59.999Z"), (-1e17, "0001-01-01T00:00:00.000Z"), (Double.infinity, "9999-12-31T23:59:59.999Z"),
        (-Double.infinity, "0001-01-01T00:00:00.000Z"), (Double.nan, "0001-01-01T00:00:00.000Z"), (-1.5, "1969-12-31T23:59:58.500Z"),
    ])
    func extremeDates(_ seconds: Double, _ text: String) {
        #expect(UTCTime.rfc3339(Date(timeIntervalSince1970: seconds)) == text)
    }

    /// Whole-second layouts keep the second a date is in (Foundation's formatters did), not the nearest one.
    @Test func wholeSecondsAreNotRoundedUp() {
        let date = Date(timeIntervalSince1970: 1_796_016_372.9996)
        #expect(UTCTime.rfc3339(date, fraction: false) == "2026-11-30T05:26:12Z")
        #expect(UTCTime.compact(date, millis: false) == "20261130T052612Z")
        #expect(UTCTime.rfc3339(date) == "2026-11-30T05:26:13.000Z")
    }
}
