import Foundation

/// UTC timestamps, written and read with arithmetic. Foundation's `ISO8601DateFormatter` and
/// `DateFormatter` open an ICU calendar on first use, which makes megabytes of ICU code and data
/// resident for one `generatedAt`; these layouts need none of it.
public enum UTCTime {
    /// RFC 3339 in UTC: `2026-11-30T05:26:12.345Z` (to the millisecond), or `…:12Z`.
    public static func rfc3339(_ date: Date, fraction: Bool = true) -> String {
        let (f, millis) = split(date, fraction: fraction)
        let text = pad(f.year, 4) + "-" + pad(f.month, 2) + "-" + pad(f.day, 2) + "T"
            + pad(f.hour, 2) + ":" + pad(f.minute, 2) + ":" + pad(f.second, 2)
        return text + (fraction ? "." + pad(millis, 3) : "") + "Z"
    }

    /// Sorts by name, for file names: `20261130T052612.345Z`, or `20261130T052612Z`.
    public static func compact(_ date: Date, millis withMillis: Bool) -> String {
        let (f, millis) = split(date, fraction: withMillis)
        return pad(f.year, 4) + pad(f.month, 2) + pad(f.day, 2) + "T" + pad(f.hour, 2) + pad(f.minute, 2) + pad(f.second, 2)
            + (withMillis ? "." + pad(millis, 3) : "") + "Z"
    }

    /// RFC 3339 as the API server writes it (`2026-11-30T05:26:12Z`, with an optional fraction, `Z` or
    /// `±hh:mm`); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func number(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for byte in b[at..<(at + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ at: Int, _ expected: Character...) -> Bool { at < b.count && expected.contains(Character(UnicodeScalar(b[at]))) }
        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
              byte(10, "T", "t"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"),
              let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 61 else { return nil }
        var at = 19
        var fraction = 0.0
        if byte(at, ".") {
            at += 1
            var scale = 0.1
            let start = at
            while at < b.count, b[at] >= 0x30, b[at] <= 0x39 { fraction += Double(b[at] - 0x30) * scale; scale /= 10; at += 1 }
            guard at > start else { return nil }
        }
        var offset = 0
        if byte(at, "Z", "z") {
            at += 1
        } else if byte(at, "+", "-"), let oh = number(at + 1, 2), byte(at + 3, ":"), let om = number(at + 4, 2), oh < 24, om < 60 {
            offset = (oh * 3600 + om * 60) * (b[at] == UInt8(ascii: "-") ? -1 : 1)
            at += 6
        } else {
            return nil
        }
        guard at == b.count else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    // MARK: civil calendar (proleptic Gregorian; Howard Hinnant's days_from_civil and civil_from_days)

    struct Fields: Equatable { var year, month, day, hour, minute, second: Int }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: a date outside (a file's modification time
    /// set far off, a NaN) is shown at the nearest end, never trapped on.
    static let earliest: TimeInterval = -62_135_596_800
    static let latest: TimeInterval = 253_402_300_799.999

    static func split(_ date: Date, fraction: Bool) -> (Fields, millis: Int) {
        var t = date.timeIntervalSince1970
        if !t.isFinite { t = t > 0 ? latest : earliest }
        t = min(max(t, earliest), latest)
        // With a fraction, to the nearest millisecond (a date made from whole milliseconds is not exact
        // in binary); without one, the whole second it is in, as Foundation's formatters wrote it.
        let all = fraction ? Int((t * 1000).rounded()) : Int(t.rounded(.down)) * 1000
        let millis = all >= 0 ? all % 1000 : (all % 1000 + 1000) % 1000
        let total = (all - millis) / 1000
        let dayNumber = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - dayNumber * 86_400
        let (year, month, day) = civil(days: dayNumber)
        return (Fields(year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
                       second: secondOfDay % 60), millis)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
