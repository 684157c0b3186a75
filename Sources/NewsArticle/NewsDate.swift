import Foundation

/// Dates in headers: RFC 5322 `date-time`, parsed leniently, written strictly.
///
/// ```
/// Date: Wed, 25 Nov 2026 17:28:35 +0000
/// ```
/// - SeeAlso: [RFC 5322 §3.3](https://datatracker.ietf.org/doc/html/rfc5322#section-3.3)
public enum NewsDate {
    /// Parses RFC 5322 dates including the obsolete forms of §4.3: optional day name, optional
    /// seconds, two- and three-digit years, named zones (UT, GMT, EST/EDT, CST/CDT, MST/MDT,
    /// PST/PDT, military letters as -0000), comments such as `(UTC)`, extra white space, and
    /// month names in any case. Also the asctime-like order `Wed Nov 25 17:28:35 2026` of old
    /// articles. `nil` when it does not parse or names an impossible date.
    public static func parse(_ text: String) -> Date? {
        var tokens = DateTokenizer(Array(text.utf8))
        guard let fields = tokens.parse() else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(fields))
    }

    /// Formats `date` as `Wed, 25 Nov 2026 17:28:35 +0000` (always UTC, English names).
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (civil, secondOfDay) = CivilDate.utc(secondsSince1970: seconds)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        var text = Self.dayNames[civil.weekday] + ", " + String(civil.day) + " " + Self.monthNames[civil.month - 1]
        text += " " + String(civil.year) + " " + Self.twoDigits(hour) + ":" + Self.twoDigits(minute) + ":"
        text += Self.twoDigits(second) + " +0000"
        return text
    }

    /// `date` as `2026-10-01` (UTC), the form error messages use.
    public static func formatDay(_ date: Date) -> String {
        let civil = CivilDate.utc(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down))).date
        var yearText = String(civil.year)
        while yearText.count < 4 { yearText = "0" + yearText }
        return yearText + "-" + Self.twoDigits(civil.month) + "-" + Self.twoDigits(civil.day)
    }

    // MARK: - Names

    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}

// MARK: - Tokenizer

/// A small tokenizer and parser for `date-time` (RFC 5322 §3.3 and §4.3):
///
/// ```
/// date-time = [ day-of-week "," ] date time [CFWS]
/// date      = day month year
/// time      = hour ":" minute [ ":" second ] FWS zone
/// ```
private struct DateTokenizer {
    enum Token: Equatable {
        case number(Int64, digits: Int)
        case word(ArraySlice<UInt8>)
        case colon
        case comma
        case sign(Int64)  // +1 or -1, directly followed by a number
        case other
    }

    private let bytes: [UInt8]
    private var tokens: [Token] = []
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Seconds since 1970 in UTC, or `nil`.
    mutating func parse() -> Int64? {
        guard self.tokenize() else { return nil }
        // Optional day name, with or without a comma.
        if case .word(let word) = self.peek(), Self.dayIndex(word) != nil {
            self.position += 1
            if self.peek() == .comma { self.position += 1 }
        }
        var day: Int64
        var month: Int
        var year: Int64
        var time: (hour: Int64, minute: Int64, second: Int64)
        if case .word(let word) = self.peek() {
            // asctime-like: month day time year [zone]
            guard let parsedMonth = Self.monthIndex(word) else { return nil }
            self.position += 1
            guard case .number(let parsedDay, let dayDigits) = self.next(), dayDigits <= 2 else { return nil }
            guard let parsedTime = self.parseTime() else { return nil }
            guard case .number(let parsedYear, let yearDigits) = self.next() else { return nil }
            guard let fullYear = Self.fullYear(parsedYear, digits: yearDigits) else { return nil }
            (day, month, year, time) = (parsedDay, parsedMonth, fullYear, parsedTime)
        } else {
            guard case .number(let parsedDay, let dayDigits) = self.next(), dayDigits <= 2 else { return nil }
            guard case .word(let monthWord) = self.next(), let parsedMonth = Self.monthIndex(monthWord) else {
                return nil
            }
            guard case .number(let parsedYear, let yearDigits) = self.next() else { return nil }
            guard let fullYear = Self.fullYear(parsedYear, digits: yearDigits) else { return nil }
            guard let parsedTime = self.parseTime() else { return nil }
            (day, month, year, time) = (parsedDay, parsedMonth, fullYear, parsedTime)
        }
        guard day >= 1, day <= Int64(CivilDate.daysInMonth(month, year: Int(year))) else { return nil }
        guard time.hour <= 23, time.minute <= 59, time.second <= 60 else { return nil }
        guard let offset = self.parseZone() else { return nil }
        // Anything after the zone must be words (a zone name after a numeric zone) or commas.
        while self.position < self.tokens.count {
            switch self.tokens[self.position] {
            case .word, .comma: self.position += 1
            default: return nil
            }
        }
        let days = CivilDate(year: Int(year), month: month, day: Int(day)).daysSince1970
        return days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - offset
    }

    // time-of-day = hour ":" minute [ ":" second ]
    private mutating func parseTime() -> (hour: Int64, minute: Int64, second: Int64)? {
        guard case .number(let hour, let hourDigits) = self.next(), hourDigits <= 2 else { return nil }
        guard self.next() == .colon else { return nil }
        guard case .number(let minute, let minuteDigits) = self.next(), minuteDigits == 2 else { return nil }
        var second: Int64 = 0
        if self.peek() == .colon {
            self.position += 1
            guard case .number(let parsedSecond, let secondDigits) = self.next(), secondDigits == 2 else {
                return nil
            }
            second = parsedSecond
        }
        return (hour, minute, second)
    }

    /// The zone's offset east of UTC in seconds; a missing zone counts as UTC; `nil` when the
    /// zone is malformed.
    // zone = ( "+" / "-" ) 4DIGIT / obs-zone
    private mutating func parseZone() -> Int64? {
        switch self.peek() {
        case nil:
            return 0
        case .sign(let sign):
            self.position += 1
            guard case .number(let value, let digits) = self.next(), digits == 4 else { return nil }
            let hours = value / 100
            let minutes = value % 100
            guard minutes < 60 else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        case .word(let word):
            self.position += 1
            return Self.zoneOffset(word)
        default:
            return nil
        }
    }

    private func peek() -> Token? {
        self.position < self.tokens.count ? self.tokens[self.position] : nil
    }

    private mutating func next() -> Token? {
        defer { self.position += 1 }
        return self.peek()
    }

    /// Splits the text into tokens, skipping white space and (nested) comments.
    private mutating func tokenize() -> Bool {
        let bytes = self.bytes
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte.isASCIIWhitespace {
                index += 1
            } else if byte == ASCII.openParen {
                var depth = 0
                while index < bytes.count {
                    if bytes[index] == ASCII.backslash {
                        index += 1
                    } else if bytes[index] == ASCII.openParen {
                        depth += 1
                    } else if bytes[index] == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    index += 1
                }
                index += 1
            } else if byte.isASCIIDigit {
                var value: Int64 = 0
                let start = index
                while index < bytes.count, bytes[index].isASCIIDigit {
                    if index - start < 9 { value = value * 10 + Int64(bytes[index] - ASCII.zero) }
                    index += 1
                }
                guard index - start <= 9 else { return false }
                self.tokens.append(.number(value, digits: index - start))
            } else if byte.isASCIILetter {
                let start = index
                while index < bytes.count, bytes[index].isASCIILetter { index += 1 }
                self.tokens.append(.word(bytes[start..<index]))
            } else if byte == ASCII.colon {
                self.tokens.append(.colon)
                index += 1
            } else if byte == ASCII.comma {
                self.tokens.append(.comma)
                index += 1
            } else if byte == ASCII.plus || byte == ASCII.minus, index + 1 < bytes.count,
                bytes[index + 1].isASCIIDigit
            {
                self.tokens.append(.sign(byte == ASCII.plus ? 1 : -1))
                index += 1
            } else {
                self.tokens.append(.other)
                index += 1
            }
        }
        return true
    }

    // MARK: - Names

    private static let months: [[UInt8]] = NewsDate.monthNames.map { Array($0.lowercased().utf8) }
    private static let fullMonths: [[UInt8]] = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december"
    ].map { Array($0.utf8) }
    private static let days: [[UInt8]] = NewsDate.dayNames.map { Array($0.lowercased().utf8) }
    private static let fullDays: [[UInt8]] = [
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
    ].map { Array($0.utf8) }

    /// 1...12 for `Nov`, `nov`, `NOV`, `November`; `nil` otherwise.
    static func monthIndex(_ word: ArraySlice<UInt8>) -> Int? {
        for index in 0..<12 {
            if asciiCaseInsensitiveEqual(word, Self.months[index])
                || asciiCaseInsensitiveEqual(word, Self.fullMonths[index])
            {
                return index + 1
            }
        }
        return nil
    }

    static func dayIndex(_ word: ArraySlice<UInt8>) -> Int? {
        for index in 0..<7 {
            if asciiCaseInsensitiveEqual(word, Self.days[index])
                || asciiCaseInsensitiveEqual(word, Self.fullDays[index])
            {
                return index
            }
        }
        return nil
    }

    /// RFC 5322 §4.3: a two-digit year below 50 is 20xx, otherwise 19xx; three digits add 1900.
    static func fullYear(_ year: Int64, digits: Int) -> Int64? {
        switch digits {
        case 2: return year < 50 ? 2000 + year : 1900 + year
        case 3: return 1900 + year
        case 4: return year
        default: return nil
        }
    }

    private static let zones: [(name: [UInt8], hours: Int64)] = [
        ("ut", 0), ("utc", 0), ("gmt", 0), ("z", 0), ("est", -5), ("edt", -4), ("cst", -6), ("cdt", -5),
        ("mst", -7), ("mdt", -6), ("pst", -8), ("pdt", -7), ("cet", 1), ("cest", 2), ("bst", 1)
    ].map { (Array($0.0.utf8), $0.1) }

    /// The offset of a named zone in seconds. Military letters and unknown names count as
    /// -0000, as RFC 5322 §4.3 says.
    static func zoneOffset(_ word: ArraySlice<UInt8>) -> Int64 {
        for zone in Self.zones where asciiCaseInsensitiveEqual(word, zone.name) {
            return zone.hours * 3600
        }
        return 0
    }
}
