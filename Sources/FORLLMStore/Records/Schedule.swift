import Foundation
import GRDB

/// A day of the week, numbered like `Calendar`'s `weekday` (Sunday = 1).
public enum Weekday: Int, Hashable, Sendable, CaseIterable, Comparable, Codable {
    case sunday = 1
    case monday, tuesday, wednesday, thursday, friday, saturday

    /// `mon`, `tue`, …
    public var shortName: String {
        switch self {
        case .sunday: "sun"
        case .monday: "mon"
        case .tuesday: "tue"
        case .wednesday: "wed"
        case .thursday: "thu"
        case .friday: "fri"
        case .saturday: "sat"
        }
    }

    /// Parses `mon`, `Monday`, `MON`, … (the first three letters decide).
    public init?(name: some StringProtocol) {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard key.count >= 3, let day = Weekday.allCases.first(where: { key.hasPrefix($0.shortName) }) else {
            return nil
        }
        guard day.fullName.hasPrefix(key) else { return nil }
        self = day
    }

    var fullName: String {
        switch self {
        case .sunday: "sunday"
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        }
    }

    /// The next day.
    public var next: Weekday { Weekday(rawValue: self.rawValue % 7 + 1) ?? .sunday }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        // Monday first, as people write schedules.
        (lhs.rawValue + 5) % 7 < (rhs.rawValue + 5) % 7
    }

    /// Parses a list such as `mon,tue,fri`, `mon-fri`, `sat-sun`, `daily`, `weekdays`, `weekends`.
    public static func parseList(_ text: String) throws -> Set<Weekday> {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch trimmed {
        case "daily", "all", "every", "everyday": return Set(Weekday.allCases)
        case "weekdays": return [.monday, .tuesday, .wednesday, .thursday, .friday]
        case "weekends", "weekend": return [.saturday, .sunday]
        default: break
        }
        var days: Set<Weekday> = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 2, let first = Weekday(name: bounds[0]), let last = Weekday(name: bounds[1]) {
                var day = first
                days.insert(day)
                while day != last {
                    day = day.next
                    days.insert(day)
                }
            } else if bounds.count == 1, let day = Weekday(name: part) {
                days.insert(day)
            } else {
                throw StoreError(
                    .invalidInput,
                    "'\(part)' is not a day: use mon, tue, wed, thu, fri, sat, sun, ranges like mon-fri, or daily"
                )
            }
        }
        return days
    }
}

/// A time of day in minutes since midnight, `HH:MM`.
public struct TimeOfDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 0…1440 (1440 is `24:00`, allowed as an end).
    public var minutes: Int

    public init(minutes: Int) {
        self.minutes = minutes
    }

    /// Parses `HH:MM` (24-hour, `24:00` allowed).
    public init(parsing text: String) throws {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...24).contains(hours), (0...59).contains(minutes), hours * 60 + minutes <= 1440
        else {
            throw StoreError(.invalidInput, "'\(text)' is not a time: use HH:MM, 24-hour, like 22:00 or 06:30")
        }
        self.minutes = hours * 60 + minutes
    }

    public var description: String {
        String(format: "%02d:%02d", self.minutes / 60, self.minutes % 60)
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }
}

/// When the worker may run: on `days`, from `start` to `end` local time. A window whose end is
/// not after its start passes midnight: `22:00–06:00` on Friday runs from Friday 22:00 to
/// Saturday 06:00.
public struct ScheduleWindow: Hashable, Sendable {
    public var id: Int64
    /// The days the window starts on.
    public var days: Set<Weekday>
    public var start: TimeOfDay
    public var end: TimeOfDay
    public var enabled: Bool

    public init(id: Int64, days: Set<Weekday>, start: TimeOfDay, end: TimeOfDay, enabled: Bool = true) {
        self.id = id
        self.days = days
        self.start = start
        self.end = end
        self.enabled = enabled
    }

    /// Minutes the window lasts: up to 24 hours (start == end means a whole day).
    public var duration: Int {
        let length = self.end.minutes - self.start.minutes
        return length > 0 ? length : length + 1440
    }

    /// `mon,tue 22:00-06:00`
    public var summary: String {
        let days = self.days.sorted().map(\.shortName).joined(separator: ",")
        return "\(days) \(self.start)-\(self.end)"
    }
}

extension ScheduleWindow: FetchableRecord {
    public init(row: Row) throws {
        self.id = row["id"]
        let days: String = row["days"]
        self.days = Set(
            try days.split(separator: ",").map { name in
                guard let day = Weekday(name: name) else { throw StoreError.unreadable("schedule_window.days", days) }
                return day
            }
        )
        self.start = TimeOfDay(minutes: row["start_minute"])
        self.end = TimeOfDay(minutes: row["end_minute"])
        self.enabled = row["enabled"]
    }
}

/// The schedule: the enabled windows. No enabled window means the worker may always run.
public struct Schedule: Hashable, Sendable {
    public var windows: [ScheduleWindow]

    public init(windows: [ScheduleWindow]) {
        self.windows = windows
    }

    var enabledWindows: [ScheduleWindow] { self.windows.filter(\.enabled) }

    /// Whether the worker may start a job at `date` (in `calendar`'s time zone).
    public func isActive(at date: Date, calendar: Calendar) -> Bool {
        let windows = self.enabledWindows
        if windows.isEmpty { return true }
        return windows.contains { self.currentOpening(of: $0, at: date, calendar: calendar) != nil }
    }

    /// When the window that is open at `date` closes; `nil` when none is open or there are no
    /// windows (always open).
    public func activeUntil(_ date: Date, calendar: Calendar) -> Date? {
        self.enabledWindows.compactMap { window in
            self.currentOpening(of: window, at: date, calendar: calendar).map {
                $0.addingTimeInterval(TimeInterval(window.duration * 60))
            }
        }.max()
    }

    /// The first time after `date` at which a window opens; `nil` when there are no windows.
    public func nextStart(after date: Date, calendar: Calendar) -> Date? {
        var best: Date?
        let today = calendar.startOfDay(for: date)
        for offset in 0...8 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                let weekday = Weekday(rawValue: calendar.component(.weekday, from: day))
            else { continue }
            for window in self.enabledWindows where window.days.contains(weekday) {
                guard let start = Self.date(on: day, at: window.start, calendar: calendar), start > date else {
                    continue
                }
                if best.map({ start < $0 }) ?? true { best = start }
            }
            if best != nil, offset >= 1 { break }
        }
        return best
    }

    /// The start of the opening of `window` that contains `date`, if one does.
    func currentOpening(of window: ScheduleWindow, at date: Date, calendar: Calendar) -> Date? {
        let today = calendar.startOfDay(for: date)
        // An opening that contains `date` started today or yesterday (windows last ≤ 24 h).
        for offset in [0, -1] {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                let weekday = Weekday(rawValue: calendar.component(.weekday, from: day)),
                window.days.contains(weekday),
                let start = Self.date(on: day, at: window.start, calendar: calendar)
            else { continue }
            let end = start.addingTimeInterval(TimeInterval(window.duration * 60))
            if start <= date, date < end { return start }
        }
        return nil
    }

    static func date(on day: Date, at time: TimeOfDay, calendar: Calendar) -> Date? {
        calendar.date(byAdding: .minute, value: time.minutes, to: day)
    }
}
