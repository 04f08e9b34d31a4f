import Foundation

/// One sample of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`.
public struct MetricSample: Sendable, Equatable {
    public let name: String
    public let labels: [String: String]
    public let value: Double
    /// The line it came from (1-based), for errors.
    public let line: Int
}

/// The Prometheus text format (version 0.0.4), as kube-apiserver serves `/metrics`: enough of it to
/// read gauges. Comments (`# HELP`, `# TYPE`) and blank lines are skipped; anything else that is not a
/// sample is an error naming the source and the line, never a guess.
public enum PrometheusText {
    public static func parse(_ text: String, source: String) throws -> [MetricSample] {
        var samples: [MetricSample] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                samples.append(try sample(Array(trimmed.unicodeScalars), line: number))
            } catch let problem as Problem {
                let shown = TerminalText.line(String(trimmed.prefix(120)))
                throw UpgradeError.input("\(source) line \(number): \(problem.text): \(shown)\(trimmed.count > 120 ? "…" : "")")
            }
        }
        return samples
    }

    struct Problem: Error { let text: String }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == ":"
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") }

    private static func sample(_ s: [Unicode.Scalar], line: Int) throws -> MetricSample {
        var i = 0
        guard i < s.count, isNameStart(s[i]) else { throw Problem(text: "not a metric sample (a name must start the line)") }
        while i < s.count, isNameChar(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[0..<i]))
        var labels: [String: String] = [:]
        if i < s.count, s[i] == "{" {
            i += 1
            while true {
                while i < s.count, s[i] == " " || s[i] == "," { i += 1 }
                guard i < s.count else { throw Problem(text: "unterminated label set") }
                if s[i] == "}" { i += 1; break }
                let start = i
                guard isNameStart(s[i]) else { throw Problem(text: "bad label name") }
                while i < s.count, isNameChar(s[i]) { i += 1 }
                let key = String(String.UnicodeScalarView(s[start..<i]))
                while i < s.count, s[i] == " " { i += 1 }
                guard i < s.count, s[i] == "=" else { throw Problem(text: "label \(key) has no '='") }
                i += 1
                while i < s.count, s[i] == " " { i += 1 }
                guard i < s.count, s[i] == "\"" else { throw Problem(text: "label \(key) has no quoted value") }
                i += 1
                var value = String.UnicodeScalarView()
                var closed = false
                while i < s.count {
                    let c = s[i]
                    if c == "\\" {
                        guard i + 1 < s.count else { break }
                        let next = s[i + 1]
                        value.append(next == "n" ? "\n" : next)
                        i += 2
                    } else if c == "\"" {
                        closed = true
                        i += 1
                        break
                    } else {
                        value.append(c)
                        i += 1
                    }
                }
                guard closed else { throw Problem(text: "label \(key) has an unterminated value") }
                labels[key] = String(value)
            }
        }
        guard i < s.count, s[i] == " " || s[i] == "\t" else { throw Problem(text: "no value after \(name)") }
        let rest = String(String.UnicodeScalarView(s[i...])).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = rest.first, rest.count <= 2 else { throw Problem(text: "expected a value and an optional timestamp") }
        let value: Double
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(first) else { throw Problem(text: "'\(first.prefix(40))' is not a number") }
            value = parsed
        }
        if rest.count == 2, Int64(rest[1]) == nil { throw Problem(text: "'\(rest[1].prefix(40))' is not a timestamp") }
        return MetricSample(name: name, labels: labels, value: value, line: line)
    }
}
