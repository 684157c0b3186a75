import Foundation
import Testing

@testable import NewsArticle

@Suite("NewsDate")
struct NewsDateTests {
    /// 2026-11-25T17:28:35Z, computed independently of the parser.
    static let reference: TimeInterval = {
        var components = DateComponents()
        (components.year, components.month, components.day) = (2026, 11, 25)
        (components.hour, components.minute, components.second) = (17, 28, 35)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!.timeIntervalSince1970
    }()

    static let forms: [(String, TimeInterval)] = [
        ("Wed, 25 Nov 2026 17:28:35 +0000", 0),
        ("Wed, 25 Nov 2026 17:28:35 GMT", 0),
        ("25 Nov 2026 17:28:35 UT", 0),
        ("25 Nov 2026 17:28 GMT", -35),
        ("Wed, 25 Nov 26 17:28:35 -0500 (EST)", 5 * 3600),
        ("Wed, 25 Nov 26 17:28:35 EST", 5 * 3600),
        ("Wed, 25 Nov 2026 17:28:35 PDT", 7 * 3600),
        ("Wed, 25 Nov 2026 18:28:35 +0100 (CET)", 0),
        ("Wed, 25 Nov 2026 23:58:35 +0630", 0),
        ("wed, 25 nov 2026 17:28:35 +0000", 0),
        ("WED, 25 NOV 2026 17:28:35 +0000", 0),
        ("Wednesday, 25 November 2026 17:28:35 +0000", 0),
        ("Wed,25 Nov 2026 17:28:35 +0000", 0),
        ("  Wed ,  25   Nov   2026   17:28:35   +0000  ", 0),
        ("Wed, 25 Nov 2026 17:28:35 +0000 (UTC)", 0),
        ("Wed, 25 Nov 2026 17:28:35 -0000", 0),
        ("Wed, 25 Nov 2026 17:28:35 Z", 0),
        ("Wed, 25 Nov 2026 17:28:35 A", 0),
        ("Wed, 25 Nov 2026 17:28:35", 0),
        ("Wed, 25 Nov 126 17:28:35 +0000", 0),
        ("Wed Nov 25 17:28:35 2026", 0),
        ("Wed, 25 Nov 2026 17:28:35 -0500 EST", 5 * 3600),
        ("(comment) Wed, 25 Nov 2026 17:28:35 +0000", 0)
    ]

    @Test("real-world forms", arguments: Self.forms)
    func parses(_ text: String, offset: TimeInterval) throws {
        let date = try #require(NewsDate.parse(text))
        #expect(date.timeIntervalSince1970 == Self.reference + offset)
    }

    @Test("single-digit day with extra space")
    func singleDigitDay() throws {
        let date = try #require(NewsDate.parse("Wed,  5 Nov 2026 07:08:09 +0100"))
        #expect(NewsDate.format(date) == "Thu, 5 Nov 2026 06:08:09 +0000")
    }

    @Test("two-digit years per RFC 5322 §4.3")
    func twoDigitYears() throws {
        #expect(NewsDate.format(try #require(NewsDate.parse("1 Jan 49 00:00:00 +0000"))).contains("2049"))
        #expect(NewsDate.format(try #require(NewsDate.parse("1 Jan 50 00:00:00 +0000"))).contains("1950"))
        #expect(NewsDate.format(try #require(NewsDate.parse("1 Jan 99 00:00:00 +0000"))).contains("1999"))
    }

    @Test(
        "not dates",
        arguments: [
            "", "xyz", "Wed, 25 Foo 2026 17:28:35 +0000", "31 Nov 2026 17:28:35 +0000", "29 Feb 2026 10:00 +0000",
            "30 Feb 2024 10:00 +0000", "0 Nov 2026 17:28:35 +0000", "25 Nov 2026 24:00:00 +0000",
            "25 Nov 2026 17:60:00 +0000", "25 Nov 2026 17:28:35 +00", "25 Nov 2026 17:28:35 +0060",
            "25 Nov 2026", "25 Nov 2026 17", "2026-11-25T17:28:35Z", "25 Nov 2026 17:28:35 +0000 garbage 12",
            "Foo, 25 Nov 2026 17:28:35 +0000", "25 Nov 20261 17:28:35 +0000", "25 Nov 2026 17:28:35.123 +0000",
            "250 Nov 2026 17:28:35 +0000", "25 Nov 2026 17:5:35 +0000"
        ]
    )
    func rejects(_ text: String) {
        #expect(NewsDate.parse(text) == nil)
    }

    @Test("leap days are valid in leap years only")
    func leapDays() {
        #expect(NewsDate.parse("29 Feb 2024 10:00 +0000") != nil)
        #expect(NewsDate.parse("29 Feb 2000 10:00 +0000") != nil)
        #expect(NewsDate.parse("29 Feb 1900 10:00 +0000") == nil)
    }

    @Test("format writes RFC 5322 in UTC")
    func format() {
        #expect(NewsDate.format(Date(timeIntervalSince1970: Self.reference)) == "Wed, 25 Nov 2026 17:28:35 +0000")
        #expect(NewsDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(NewsDate.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(NewsDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(NewsDate.format(Date(timeIntervalSince1970: Self.reference + 0.999)).hasSuffix("17:28:35 +0000"))
        #expect(NewsDate.formatDay(Date(timeIntervalSince1970: Self.reference)) == "2026-11-25")
    }

    @Test("format and parse agree over many days, against Foundation's calendar")
    func roundTrip() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var seconds: TimeInterval = -2_208_988_800  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            let date = Date(timeIntervalSince1970: seconds)
            let text = NewsDate.format(date)
            #expect(NewsDate.parse(text) == date, "\(text)")
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let expected =
                "\(NewsDate.dayNames[parts.weekday! - 1]), \(parts.day!) "
                + "\(NewsDate.monthNames[parts.month! - 1]) \(parts.year!) "
            #expect(text.hasPrefix(expected), "\(text)")
            seconds += 86_400 * 13 + 3_607
        }
    }
}
