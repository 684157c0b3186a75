import Foundation
import GRDB
import Testing

@testable import FORLLMStore

@Suite("Values read back from the database")
struct StoredValueTests {
    @Test("a request status this version does not know is an error naming it, not a default")
    func unknownStatus() async throws {
        let database = try makeDatabase()
        try await database.writer.write { db in
            // As a newer FORLLM without this CHECK constraint could have written it.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(
                sql: """
                    INSERT INTO request (kind, status, group_name, created_at, updated_at)
                    VALUES ('answer', 'paused', 'forllm.general', 0, 0)
                    """
            )
        }
        let error = await #expect(throws: StoreError.self) { try await database.requests() }
        #expect(error?.code == .unreadableValue)
        #expect(error?.message.contains("request.status 'paused'") == true)
    }

    @Test("a schedule day this version does not know is an error, not a day dropped")
    func unknownDay() async throws {
        let database = try makeDatabase()
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO schedule_window (days, start_minute, end_minute, enabled, created_at)
                    VALUES ('mon,funday', 0, 60, 1, 0)
                    """
            )
        }
        let error = await #expect(throws: StoreError.self) { try await database.schedule() }
        #expect(error?.code == .unreadableValue)
    }

    @Test("personas decode from their columns (Codable record)")
    func personaRecord() async throws {
        let database = try makeDatabase()
        let assistant = try #require(try await database.persona(named: "assistant"))
        #expect(assistant.handle == "assistant")
        #expect(assistant.builtin)
        #expect(assistant.retiredAt == nil)
        #expect(try await database.persona(id: assistant.id) == assistant)
        #expect(try await database.personas().map(\.handle) == ["assistant"])
    }
}
