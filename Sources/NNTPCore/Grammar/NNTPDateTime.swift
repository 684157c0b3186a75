import NIOCore
import NewsArticle

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
        let civil = CivilDate(year: self.resolvedYear(currentYear: currentYear), month: self.month, day: self.day)
        let seconds = Int64(self.hour * 3600 + self.minute * 60 + Swift.min(self.second, 59))
        let offset = self.isGMT ? 0 : Int64(utcOffsetSeconds)
        return civil.daysSince1970 * CivilDate.secondsPerDay + seconds - offset
    }

    /// The UTC date-time `secondsSince1970` seconds after 1970-01-01 00:00:00 UTC, with a
    /// four-digit year and ``isGMT`` set: what `DATE` answers, and the current year that a
    /// two-digit year is resolved against.
    public init(secondsSince1970 seconds: Int64) {
        let (civil, secondOfDay) = CivilDate.utc(secondsSince1970: seconds)
        self.init(
            year: civil.year,
            month: civil.month,
            day: civil.day,
            hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60,
            isGMT: true
        )
    }

    /// The number of days of `month` in `year` (a four-digit year; for a two-digit year the
    /// leap-year rule of the 2000s is used, which is right for every year 1901–2099).
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        CivilDate.daysInMonth(month, year: year)
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
