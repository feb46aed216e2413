package import Foundation
import StrictJSON

/// Why a text is not a time or an epoch zkmargin accepts.
public struct TimeSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// RFC 3339 (§5.6) date-times, read strictly and written in one form.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with ASCII
/// digits only, a real calendar date (Gregorian leap years), hour ≤ 23,
/// minute ≤ 59, second ≤ 59, at most 9 fraction digits, an offset below
/// 24 hours, and `T`/`Z` in either case as RFC 3339 allows. Nothing before
/// or after. Refused, each with its reason: minute 60 (which a lenient
/// parser took as the start of the day), day 30 of February (which it rolled
/// over into March), a leap second (POSIX time cannot represent one),
/// trailing text, non-ASCII digits, a bare date.
///
/// Written (`format`): UTC, whole seconds, `2025-11-25T12:00:00Z` — the
/// canonical form, the only one signed files may carry (`parseCanonical`).
package enum RFC3339 {
    /// Seconds since 1970-01-01T00:00:00Z of a date-time, with its fraction.
    package static func parse(_ text: String) throws(TimeSyntaxError) -> Date {
        var s = Scanner(Array(text.utf8))
        let days = try s.date()
        try s.expect(in: "Tt", "`T` between the date and the time")
        let h = try s.number(2, "the hour"), m = try s.expect(":", then: 2, "the minutes"), sec = try s.expect(":", then: 2, "the seconds")
        guard h <= 23 else { throw TimeSyntaxError(reason: "hour \(h) is out of range (00–23)") }
        guard m <= 59 else { throw TimeSyntaxError(reason: "minute \(m) is out of range (00–59)") }
        guard sec <= 59 else { throw TimeSyntaxError(reason: "second \(sec) is out of range (00–59; leap seconds are not accepted)") }
        var fraction = 0.0
        if s.peek == UInt8(ascii: ".") {
            s.offset += 1
            let digits = s.digits()
            guard !digits.isEmpty else { throw TimeSyntaxError(reason: "expected digits after the decimal point of the seconds") }
            guard digits.count <= 9 else { throw TimeSyntaxError(reason: "more than 9 digits of fractional seconds") }
            fraction = Double(digits.reduce(0) { $0 * 10 + Int($1) }) / pow(10, Double(digits.count))
        }
        var offset = 0
        switch s.peek {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"): s.offset += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = s.peek == UInt8(ascii: "-") ? -1 : 1
            s.offset += 1
            let oh = try s.number(2, "the offset's hours"), om = try s.expect(":", then: 2, "the offset's minutes")
            guard oh <= 23, om <= 59 else { throw TimeSyntaxError(reason: "the offset \(sign < 0 ? "-" : "+")\(oh):\(om) is out of range") }
            offset = sign * (oh * 3600 + om * 60)
        default:
            throw TimeSyntaxError(reason: "expected `Z` or an offset such as `+02:00` after the time")
        }
        guard s.atEnd else { throw TimeSyntaxError(reason: "unexpected text after the time") }
        let seconds = days * 86_400 + h * 3600 + m * 60 + sec - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Parses only the canonical form `format` writes (what signed files carry).
    package static func parseCanonical(_ text: String) throws(TimeSyntaxError) -> Date {
        let date = try parse(text)
        guard format(date) == text else {
            throw TimeSyntaxError(reason: "not in the canonical form: UTC, whole seconds, `Z`, e.g. \(format(date))")
        }
        return date
    }

    /// UTC, whole seconds (rounded down): `2025-11-25T12:00:00Z`.
    package static func format(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(t) / 86_400).rounded(.down))
        let rest = t - days * 86_400
        let (y, mo, d) = civil(fromDays: days)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        let year = String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y)
        return "\(year)-\(two(mo))-\(two(d))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    // MARK: Calendar (proleptic Gregorian, H. Hinnant's algorithms)

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a valid date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// A cursor over ASCII bytes.
    struct Scanner {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }
        var atEnd: Bool { offset == bytes.count }

        mutating func digits() -> [UInt8] {
            var out: [UInt8] = []
            while let c = peek, c >= 0x30, c <= 0x39 { out.append(c - 0x30); offset += 1 }
            return out
        }

        /// Exactly `count` ASCII digits.
        mutating func number(_ count: Int, _ what: String) throws(TimeSyntaxError) -> Int {
            var v = 0
            for _ in 0..<count {
                guard let c = peek, c >= 0x30, c <= 0x39 else { throw TimeSyntaxError(reason: "expected \(count) ASCII digits for \(what)") }
                v = v * 10 + Int(c - 0x30)
                offset += 1
            }
            return v
        }

        mutating func expect(_ separator: Character, then count: Int, _ what: String) throws(TimeSyntaxError) -> Int {
            guard peek == separator.asciiValue else { throw TimeSyntaxError(reason: "expected `\(separator)` before \(what)") }
            offset += 1
            return try number(count, what)
        }

        mutating func expect(in allowed: String, _ what: String) throws(TimeSyntaxError) {
            guard let c = peek, allowed.utf8.contains(c) else { throw TimeSyntaxError(reason: "expected \(what)") }
            offset += 1
        }

        /// `YYYY-MM-DD`, a real date; returns days since 1970-01-01.
        mutating func date() throws(TimeSyntaxError) -> Int {
            let y = try number(4, "the year"), mo = try expect("-", then: 2, "the month"), d = try expect("-", then: 2, "the day")
            guard (1...12).contains(mo) else { throw TimeSyntaxError(reason: "month \(mo) is out of range (01–12)") }
            guard d >= 1, d <= RFC3339.daysIn(month: mo, year: y) else {
                throw TimeSyntaxError(reason: "day \(d) is out of range for \(y)-\(mo < 10 ? "0" : "")\(mo) (it has \(RFC3339.daysIn(month: mo, year: y)) days)")
            }
            return RFC3339.days(year: y, month: mo, day: d)
        }
    }
}

/// The epoch a bundle is for, bound into every statement and proof made
/// against it. Three forms, each with one canonical text:
///
/// * an integer: ASCII digits, no sign, no leading zero, at most 18 digits
///   (`0`, `42`, `202511251200`);
/// * a date: `YYYY-MM-DD`, a real calendar date;
/// * a timestamp: an RFC 3339 date-time, canonically in UTC with `T` and
///   `Z` and the fraction of a second without trailing zeros
///   (`2025-11-25T12:00:00Z`, `2025-11-25T12:00:00.5Z`).
///
/// `init(_:)` reads any of the forms RFC 3339 allows for a timestamp and
/// gives its canonical text (a command-line argument); `init(canonical:)`
/// also refuses any text that is not already canonical (what files carry:
/// two texts for one epoch would be two epochs to a proof).
public struct Epoch: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public var description: String { text }

    public init(_ input: String) throws(TimeSyntaxError) {
        let bytes = Array(input.utf8)
        guard !bytes.isEmpty else { throw TimeSyntaxError(reason: "an epoch cannot be empty") }
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard bytes.count == 1 || bytes[0] != 0x30 else { throw TimeSyntaxError(reason: "an integer epoch has no leading zero") }
            guard bytes.count <= 18 else { throw TimeSyntaxError(reason: "an integer epoch has at most 18 digits") }
            text = input
            return
        }
        if bytes.count == 10 {
            var s = RFC3339.Scanner(bytes)
            _ = try s.date()
            text = input
            return
        }
        let date: Date
        do { date = try RFC3339.parse(input) } catch {
            throw TimeSyntaxError(reason: "an epoch is an integer, a date (2025-11-25) or an RFC 3339 time (2025-11-25T12:00:00Z): \(error.reason)")
        }
        var canonical = RFC3339.format(date)
        // The fraction, exactly as written but without trailing zeros.
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            var digits = bytes[(dot + 1)...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            while digits.last == 0x30 { digits.removeLast() }
            if !digits.isEmpty { canonical = String(canonical.dropLast()) + "." + String(decoding: digits, as: UTF8.self) + "Z" }
        }
        text = canonical
    }

    public init(canonical input: String) throws(TimeSyntaxError) {
        let epoch = try Epoch(input)
        guard epoch.text.utf8.elementsEqual(input.utf8) else {
            throw TimeSyntaxError(reason: "not in canonical form (it would be \(epoch.text))")
        }
        self = epoch
    }
}

extension FieldReader {
    /// An RFC 3339 time in the canonical form zkmargin writes
    /// (`2025-11-25T12:00:00Z`); anything else names the field.
    mutating func time(_ key: String) throws(SolvencyError) -> Date {
        let s = try string(key, maxLength: 64)
        do { return try RFC3339.parseCanonical(s) } catch {
            throw .field(fieldPath(key), "\(jsonQuoted(s)) is not an RFC 3339 time zkmargin accepts: \(error.reason)")
        }
    }

    /// `time(key)` if the member is present.
    mutating func optionalTime(_ key: String) throws(SolvencyError) -> Date? {
        guard optional(key) != nil else { return nil }
        return try time(key)
    }

    /// An epoch in its canonical text (`Epoch`).
    mutating func epoch(_ key: String) throws(SolvencyError) -> String {
        let s = try string(key, maxLength: 64)
        do { return try Epoch(canonical: s).text } catch {
            throw .field(fieldPath(key), "\(jsonQuoted(s)) is not an epoch: \(error.reason)")
        }
    }
}
