/// A day of the proleptic Gregorian calendar, and the one implementation of its arithmetic in
/// FORLLM: `Date:` headers (``NewsDate``), the `DATE`, `NEWGROUPS` and `NEWNEWS` commands of
/// NNTP and the start-of-day of error messages all count days with it.
///
/// The conversions are Howard Hinnant's `days_from_civil` and `civil_from_days`
/// ("chrono-Compatible Low-Level Date Algorithms"): integer arithmetic on 400-year eras with
/// the year starting in March, so that the leap day comes last. Years are astronomical (year 0
/// is 1 BC, -1 is 2 BC) and exact for every year a header or a command can carry (9 digits
/// and far beyond); no time zone is involved.
public struct CivilDate: Hashable, Sendable {
    /// The year, astronomical numbering.
    public var year: Int
    /// 1–12.
    public var month: Int
    /// 1 to ``daysInMonth(_:year:)``.
    public var day: Int

    /// Seconds in a day: UTC has no leap seconds to count.
    public static let secondsPerDay: Int64 = 86_400

    /// Creates a date; the values are not checked (see ``isValid``).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether the month exists and the day is in it.
    public var isValid: Bool {
        self.month >= 1 && self.month <= 12 && self.day >= 1
            && self.day <= Self.daysInMonth(self.month, year: self.year)
    }

    /// Whether `year` has a 29 February.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days of `month` (1–12) in `year`.
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: Self.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: - Days since 1970

    /// Days from 1970-01-01 to this date, negative before it (`days_from_civil`).
    public var daysSince1970: Int64 {
        let year = Int64(self.month <= 2 ? self.year - 1 : self.year)
        let era = Self.floorDivide(year, 400).quotient
        let yearOfEra = year - era * 400  // 0...399
        let shiftedMonth = Int64(self.month > 2 ? self.month - 3 : self.month + 9)  // March is 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(self.day) - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146_096
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01 (before it when negative) (`civil_from_days`).
    public init(daysSince1970 days: Int64) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = Self.floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097  // 0...146_096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // March is 0
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        self.year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }

    /// The UTC day that `secondsSince1970` falls on, and the second of that day (0–86 399).
    public static func utc(secondsSince1970 seconds: Int64) -> (date: CivilDate, secondOfDay: Int) {
        let (days, secondOfDay) = Self.floorDivide(seconds, Self.secondsPerDay)
        return (CivilDate(daysSince1970: days), Int(secondOfDay))
    }

    /// 0 for Sunday to 6 for Saturday.
    public var weekday: Int {
        Int(Self.floorDivide(self.daysSince1970 + 4, 7).remainder)  // 1970-01-01 was a Thursday
    }

    /// Division rounding towards minus infinity, with a remainder in `0..<divisor`.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }
}
