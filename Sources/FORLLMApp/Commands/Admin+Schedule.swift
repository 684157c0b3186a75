import FORLLMStore
import Foundation

extension Admin {
    struct WindowJSON: Encodable {
        var id: Int64
        var days: [String]
        var start: String
        var end: String
        var enabled: Bool
    }

    struct ScheduleStatusJSON: Encodable {
        var active: Bool
        @Nullable var nextStart: String?
        @Nullable var activeUntil: String?
        var windows: Int
    }

    static func windowJSON(_ window: ScheduleWindow) -> WindowJSON {
        WindowJSON(
            id: window.id,
            days: window.days.sorted().map(\.shortName),
            start: window.start.description,
            end: window.end.description,
            enabled: window.enabled
        )
    }

    /// `forllm schedule add`
    public func addScheduleWindow(days: String, start: String, end: String) async throws -> String {
        let window = try await self.database.addScheduleWindow(
            days: try Weekday.parseList(days),
            start: try TimeOfDay(parsing: start),
            end: try TimeOfDay(parsing: end),
            now: self.now
        )
        let crossing = window.end <= window.start ? " (passes midnight)" : ""
        return "added window \(window.id): \(window.summary)\(crossing)"
    }

    /// `forllm schedule list`
    public func listSchedule(json: Bool) async throws -> String {
        let windows = try await self.database.schedule().windows
        if json { return try JSONOutput.encode(windows.map(Self.windowJSON)) }
        if windows.isEmpty { return "no windows: the worker may run at any time" }
        return TextTable.render(
            header: ["ID", "DAYS", "START", "END", "ENABLED"],
            rows: windows.map { window in
                [
                    String(window.id), window.days.sorted().map(\.shortName).joined(separator: ","),
                    window.start.description, window.end.description, window.enabled ? "yes" : "no"
                ]
            }
        )
    }

    /// `forllm schedule remove`
    public func removeScheduleWindow(id: Int64) async throws -> String {
        try await self.database.removeScheduleWindow(id: id)
        return "removed window \(id)"
    }

    /// `forllm schedule enable` / `disable`
    public func setScheduleWindow(id: Int64, enabled: Bool) async throws -> String {
        let window = try await self.database.setScheduleWindow(id: id, enabled: enabled)
        return "window \(window.id) \(enabled ? "enabled" : "disabled"): \(window.summary)"
    }

    /// `forllm schedule status`
    public func scheduleStatus(json: Bool, calendar: Calendar = .current) async throws -> String {
        let now = self.now
        let schedule = try await self.database.schedule()
        let format = ISO8601DateFormatter()
        format.timeZone = calendar.timeZone
        let active = schedule.isActive(at: now, calendar: calendar)
        let next = schedule.nextStart(after: now, calendar: calendar)
        let until = schedule.activeUntil(now, calendar: calendar)
        let enabled = schedule.windows.filter(\.enabled).count
        if json {
            return try JSONOutput.encode(
                ScheduleStatusJSON(
                    active: active,
                    nextStart: next.map(format.string(from:)),
                    activeUntil: until.map(format.string(from:)),
                    windows: enabled
                )
            )
        }
        if enabled == 0 { return "active: no windows are set, so the worker may run at any time" }
        var lines = [
            active ? "active: the worker may take requests now" : "inactive: requests wait for the next window"
        ]
        if let until { lines.append("until:  \(format.string(from: until))") }
        if let next { lines.append("next window opens: \(format.string(from: next))") }
        return lines.joined(separator: "\n")
    }
}
