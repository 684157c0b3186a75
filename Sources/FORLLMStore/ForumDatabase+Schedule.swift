import Foundation
import GRDB

extension ForumDatabase {
    /// The schedule as stored.
    public func schedule() async throws -> Schedule {
        try await self.writer.read { db in
            Schedule(
                windows: try ScheduleWindow.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM schedule_window ORDER BY id")
                )
            )
        }
    }

    /// Adds a window.
    @discardableResult
    public func addScheduleWindow(
        days: Set<Weekday>,
        start: TimeOfDay,
        end: TimeOfDay,
        now: Date
    )
        async throws -> ScheduleWindow
    {
        guard !days.isEmpty else { throw StoreError(.invalidInput, "a window needs at least one day") }
        guard start.minutes < 1440 else { throw StoreError(.invalidInput, "a window cannot start at 24:00") }
        let days = days.sorted().map(\.shortName).joined(separator: ",")
        return try await self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO schedule_window (days, start_minute, end_minute, enabled, created_at)
                    VALUES (?, ?, ?, 1, ?)
                    """,
                arguments: [days, start.minutes, end.minutes, now.timeIntervalSince1970]
            )
            return try Self.requireWindow(db.lastInsertedRowID, db)
        }
    }

    /// Removes window `id`.
    public func removeScheduleWindow(id: Int64) async throws {
        try await self.writer.write { db in
            _ = try Self.requireWindow(id, db)
            try db.execute(sql: "DELETE FROM schedule_window WHERE id = ?", arguments: [id])
        }
    }

    /// Enables or disables window `id`.
    @discardableResult
    public func setScheduleWindow(id: Int64, enabled: Bool) async throws -> ScheduleWindow {
        try await self.writer.write { db in
            _ = try Self.requireWindow(id, db)
            try db.execute(sql: "UPDATE schedule_window SET enabled = ? WHERE id = ?", arguments: [enabled, id])
            return try Self.requireWindow(id, db)
        }
    }

    static func requireWindow(_ id: Int64, _ db: Database) throws -> ScheduleWindow {
        guard
            let window = try ScheduleWindow.fetchOne(
                db,
                sql: "SELECT * FROM schedule_window WHERE id = ?",
                arguments: [id]
            )
        else {
            throw StoreError(.notFound, "no schedule window \(id)")
        }
        return window
    }
}
