import Foundation
import NewsArticle
import Testing

@Suite("The Gregorian calendar of CivilDate")
struct CivilDateTests {
    static let knownDates: [(CivilDate, Int64, Int)] = [
        (CivilDate(year: 1970, month: 1, day: 1), 0, 4),
        (CivilDate(year: 1969, month: 12, day: 31), -1, 3),
        (CivilDate(year: 2000, month: 2, day: 29), 11_016, 2),
        (CivilDate(year: 1900, month: 3, day: 1), -25_508, 4),
        (CivilDate(year: 2100, month: 2, day: 28), 47_540, 0),
        (CivilDate(year: 2038, month: 1, day: 19), 24_855, 2),
        (CivilDate(year: 9999, month: 12, day: 31), 2_932_896, 5),
        (CivilDate(year: 1, month: 1, day: 1), -719_162, 1),
        (CivilDate(year: 0, month: 3, day: 1), -719_468, 3)
    ]

    @Test("days since 1970 of known dates, both ways, with the weekday", arguments: Self.knownDates)
    func knownDays(date: CivilDate, days: Int64, weekday: Int) {
        #expect(date.daysSince1970 == days)
        #expect(CivilDate(daysSince1970: days) == date)
        #expect(date.weekday == weekday)
    }

    static let leapYearCases: [(Int, Bool)] = [
        (2024, true), (2023, false), (2000, true), (1900, false), (2100, false), (1600, true), (1970, false),
        (1972, true), (0, true), (-1, false), (-4, true), (-100, false), (-400, true), (9996, true)
    ]

    @Test(
        "leap years: every fourth, but not centuries, except every fourth century (also before year 1)",
        arguments: Self.leapYearCases
    )
    func leapYears(year: Int, isLeap: Bool) {
        #expect(CivilDate.isLeapYear(year) == isLeap)
        #expect(CivilDate.daysInMonth(2, year: year) == (isLeap ? 29 : 28))
        #expect(CivilDate(year: year, month: 2, day: 29).isValid == isLeap)
        // The year has 366 days exactly when it is a leap year.
        let length =
            CivilDate(year: year + 1, month: 1, day: 1).daysSince1970
            - CivilDate(year: year, month: 1, day: 1).daysSince1970
        #expect(length == (isLeap ? 366 : 365))
    }

    @Test("the lengths of the months, and dates that do not exist")
    func months() {
        let lengths = (1...12).map { CivilDate.daysInMonth($0, year: 2025) }
        #expect(lengths == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
        #expect(CivilDate(year: 2025, month: 4, day: 30).isValid)
        #expect(!CivilDate(year: 2025, month: 4, day: 31).isValid)
        #expect(!CivilDate(year: 2025, month: 13, day: 1).isValid)
        #expect(!CivilDate(year: 2025, month: 0, day: 1).isValid)
        #expect(!CivilDate(year: 2025, month: 1, day: 0).isValid)
    }

    @Test("seconds split into a UTC day and the second of that day, before and after 1970")
    func utc() {
        let epoch = CivilDate.utc(secondsSince1970: 0)
        #expect(epoch.date == CivilDate(year: 1970, month: 1, day: 1))
        #expect(epoch.secondOfDay == 0)
        let before = CivilDate.utc(secondsSince1970: -1)
        #expect(before.date == CivilDate(year: 1969, month: 12, day: 31))
        #expect(before.secondOfDay == 86_399)
        // The end of signed 32-bit time: 2038-01-19 03:14:08 UTC.
        let y2038 = CivilDate.utc(secondsSince1970: 2_147_483_648)
        #expect(y2038.date == CivilDate(year: 2038, month: 1, day: 19))
        #expect(y2038.secondOfDay == 3 * 3600 + 14 * 60 + 8)
        let last = CivilDate.utc(secondsSince1970: 253_402_300_799)
        #expect(last.date == CivilDate(year: 9999, month: 12, day: 31))
        #expect(last.secondOfDay == 86_399)
    }

    static let spans: [ClosedRange<Int64>] = [
        -1_000_000...(-700_000),  // 0768 BC to 0054 AD, through year 0
        -30_000...50_000,  // 1887 to 2106: 1900, 2000 and 2100
        2_900_000...2_940_000  // 9909 to 10019
    ]

    @Test("day after day, each date follows the one before, and converts back to its count", arguments: Self.spans)
    func continuity(days: ClosedRange<Int64>) {
        var previous = CivilDate(daysSince1970: days.lowerBound)
        var failures = 0
        for day in days.dropFirst() {
            let date = CivilDate(daysSince1970: day)
            let expected: CivilDate
            if previous.day < CivilDate.daysInMonth(previous.month, year: previous.year) {
                expected = CivilDate(year: previous.year, month: previous.month, day: previous.day + 1)
            } else if previous.month < 12 {
                expected = CivilDate(year: previous.year, month: previous.month + 1, day: 1)
            } else {
                expected = CivilDate(year: previous.year + 1, month: 1, day: 1)
            }
            if date != expected || date.daysSince1970 != day {
                failures += 1
                if failures <= 3 { Issue.record("day \(day): \(date), expected \(expected)") }
            }
            previous = date
        }
    }

    @Test("agrees with Foundation's Gregorian calendar in UTC from 1583 (before that it is Julian)")
    func foundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var days = CivilDate(year: 1583, month: 1, day: 1).daysSince1970
        while days < CivilDate(year: 9999, month: 12, day: 31).daysSince1970 {
            let parts = calendar.dateComponents(
                [.year, .month, .day, .weekday],
                from: Date(timeIntervalSince1970: TimeInterval(days * CivilDate.secondsPerDay))
            )
            let date = CivilDate(daysSince1970: days)
            #expect(date == CivilDate(year: parts.year!, month: parts.month!, day: parts.day!), "\(days)")
            #expect(date.weekday == parts.weekday! - 1)
            days += 997
        }
    }
}
