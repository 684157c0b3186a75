import FORLLMStore
import Foundation
import Testing

@Suite("Schedule windows")
struct ScheduleTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
        return calendar
    }()

    /// 2026-11-27 is a Friday.
    func date(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        Self.calendar.date(from: DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute))!
    }

    @Test("no windows: always active, no next start")
    func empty() {
        let schedule = Schedule(windows: [])
        #expect(schedule.isActive(at: self.date(27, 3), calendar: Self.calendar))
        #expect(schedule.nextStart(after: self.date(27, 3), calendar: Self.calendar) == nil)
    }

    @Test(
        "a window passing midnight runs into the next day",
        arguments: [
            (27, 21, 59, false), (27, 22, 0, true), (27, 23, 30, true), (28, 5, 59, true), (28, 6, 0, false),
            (26, 23, 0, false), (28, 23, 0, false), (27, 3, 0, false)
        ]
    )
    func midnight(day: Int, hour: Int, minute: Int, active: Bool) throws {
        let window = ScheduleWindow(
            id: 1,
            days: [.friday],
            start: try TimeOfDay(parsing: "22:00"),
            end: try TimeOfDay(parsing: "06:00")
        )
        let schedule = Schedule(windows: [window])
        #expect(schedule.isActive(at: self.date(day, hour, minute), calendar: Self.calendar) == active)
    }

    @Test("next start is the next opening after now, across the week")
    func nextStart() throws {
        let schedule = Schedule(windows: [
            ScheduleWindow(
                id: 1,
                days: [.monday, .wednesday],
                start: try TimeOfDay(parsing: "09:30"),
                end: try TimeOfDay(parsing: "12:00")
            ),
            ScheduleWindow(
                id: 2,
                days: [.friday],
                start: try TimeOfDay(parsing: "22:00"),
                end: try TimeOfDay(parsing: "06:00"),
                enabled: false
            )
        ])
        // Friday 10:00 → Monday 30 Nov 09:30 (the disabled Friday window does not count).
        #expect(schedule.nextStart(after: self.date(27, 10), calendar: Self.calendar) == self.date(30, 9, 30))
        #expect(schedule.isActive(at: self.date(27, 23), calendar: Self.calendar) == false)
        // Monday 10:00 is inside; it lasts until 12:00 and the next opening is Wednesday.
        #expect(schedule.isActive(at: self.date(30, 10), calendar: Self.calendar))
        #expect(schedule.activeUntil(self.date(30, 10), calendar: Self.calendar) == self.date(30, 12))
        #expect(
            schedule.nextStart(after: self.date(30, 10), calendar: Self.calendar)
                == Self.calendar.date(from: DateComponents(year: 2026, month: 12, day: 2, hour: 9, minute: 30))
        )
    }

    @Test("days and times parse as people write them, and say what is wrong otherwise")
    func parsing() throws {
        #expect(try Weekday.parseList("mon,tue") == [.monday, .tuesday])
        #expect(try Weekday.parseList("fri-mon") == [.friday, .saturday, .sunday, .monday])
        #expect(try Weekday.parseList("weekdays").count == 5)
        #expect(try Weekday.parseList("Daily").count == 7)
        #expect(throws: StoreError.self) { try Weekday.parseList("mon,funday") }
        #expect(try TimeOfDay(parsing: "6:05").minutes == 365)
        #expect(try TimeOfDay(parsing: "24:00").minutes == 1440)
        for bad in ["25:00", "12:60", "1200", "12:5", "", "ab:cd", "24:01"] {
            #expect(throws: StoreError.self) { try TimeOfDay(parsing: bad) }
        }
    }

    @Test("windows are stored, listed, disabled and removed")
    func storage() async throws {
        let database = try makeDatabase()
        let window = try await database.addScheduleWindow(
            days: [.saturday, .sunday],
            start: try TimeOfDay(parsing: "08:00"),
            end: try TimeOfDay(parsing: "20:00"),
            now: Date()
        )
        #expect(try await database.schedule().windows == [window])
        let disabled = try await database.setScheduleWindow(id: window.id, enabled: false)
        #expect(disabled.enabled == false)
        try await database.removeScheduleWindow(id: window.id)
        #expect(try await database.schedule().windows.isEmpty)
        await #expect(throws: StoreError.self) { try await database.removeScheduleWindow(id: window.id) }
    }
}
