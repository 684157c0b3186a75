import NIOCore

/// The date and time argument of `NEWGROUPS` and `NEWNEWS`.
///
/// ```
/// date-time = date WS time [WS "GMT"]
/// date = date4y / date2y
/// date4y = 4DIGIT 2DIGIT 2DIGIT   ; yyyymmdd
/// date2y = 2DIGIT 2DIGIT 2DIGIT   ; yymmdd
/// time = 2DIGIT 2DIGIT 2DIGIT     ; hhmmss
/// ```
///
/// A two-digit year is resolved against the current year by ``resolvedYear(currentYear:)``:
/// it is in the current century when it is not after the current year's last two digits, and
/// in the previous century otherwise. Without `GMT` the time is the server's local time.
///
/// - SeeAlso: [RFC 3977 §7.3.2](https://datatracker.ietf.org/doc/html/rfc3977#section-7.3.2)
public struct NNTPDateTime: Hashable, Sendable {
    /// The year as written: four digits, or 0–99 when ``hasTwoDigitYear`` is set.
    public var year: Int
    /// Whether the client wrote `yymmdd`.
    public var hasTwoDigitYear: Bool
    /// 1–12.
    public var month: Int
    /// 1 to the length of the month.
    public var day: Int
    /// 0–23.
    public var hour: Int
    /// 0–59.
    public var minute: Int
    /// 0–60 (a leap second is allowed and counts as 59).
    public var second: Int
    /// Whether the client wrote `GMT`.
    public var isGMT: Bool

    /// Creates a date-time; the values are not checked.
    public init(
        year: Int,
        hasTwoDigitYear: Bool = false,
        month: Int,
        day: Int,
        hour: Int,
        minute: Int,
        second: Int,
        isGMT: Bool
    ) {
        self.year = year
        self.hasTwoDigitYear = hasTwoDigitYear
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.isGMT = isGMT
    }

    /// The four-digit year, resolving a two-digit year against `currentYear` (RFC 3977 §7.3.2).
    public func resolvedYear(currentYear: Int) -> Int {
        guard self.hasTwoDigitYear else {
            return self.year
        }
        let century = currentYear - currentYear % 100
        if self.year <= currentYear % 100 {
            return century + self.year
        }
        return century - 100 + self.year
    }

    /// Seconds since 1970-01-01 00:00:00 UTC, for a time that is `utcOffsetSeconds` ahead of UTC
    /// (0 when ``isGMT`` is set; the caller passes the server's offset otherwise).
    public func secondsSince1970(currentYear: Int, utcOffsetSeconds: Int) -> Int64 {
        let days = Self.daysSince1970(year: self.resolvedYear(currentYear: currentYear), month: self.month, day: self.day)
        let seconds = Int64(self.hour * 3600 + self.minute * 60 + Swift.min(self.second, 59))
        let offset = self.isGMT ? 0 : Int64(utcOffsetSeconds)
        return days * 86_400 + seconds - offset
    }

    /// Days from 1970-01-01 to the given day of the proleptic Gregorian calendar.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        // Howard Hinnant's days_from_civil: the year starts in March so the leap day comes last.
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The number of days of `month` in `year` (a four-digit year; for a two-digit year the
    /// leap-year rule of the 2000s is used, which is right for every year 1901–2099).
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 4, 6, 9, 11:
            return 30
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        default:
            return 31
        }
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes `dateTime` in its wire form: `yyyymmdd hhmmss` (or `yymmdd`), then ` GMT` if set.
    @discardableResult
    public mutating func writeNNTPDateTime(_ dateTime: NNTPDateTime) -> Int {
        var size = 0
        if dateTime.hasTwoDigitYear {
            size += self.writeTwoDigits(dateTime.year)
        } else {
            size += self.writeTwoDigits(dateTime.year / 100)
            size += self.writeTwoDigits(dateTime.year)
        }
        size += self.writeTwoDigits(dateTime.month)
        size += self.writeTwoDigits(dateTime.day)
        size += self.writeString(" ")
        size += self.writeTwoDigits(dateTime.hour)
        size += self.writeTwoDigits(dateTime.minute)
        size += self.writeTwoDigits(dateTime.second)
        if dateTime.isGMT {
            size += self.writeString(" GMT")
        }
        return size
    }

    /// Writes the last two decimal digits of `value`.
    mutating func writeTwoDigits(_ value: Int) -> Int {
        let digits = (value % 100 + 100) % 100
        return self.writeInteger(UInt8(ascii: "0") + UInt8(digits / 10))
            + self.writeInteger(UInt8(ascii: "0") + UInt8(digits % 10))
    }
}
