import Foundation
import GRDB
import Testing

@testable import FORLLMStore

@Suite("The database file: every commit durable")
struct DurabilityTests {
    /// GRDB's `DatabasePool` sets `synchronous = NORMAL` on its writer when it turns WAL on,
    /// after the configuration's own statements: with NORMAL a commit reaches the disk only at
    /// the next checkpoint, and a power cut loses articles that were answered 240.
    @Test("the writer of a file runs WAL with synchronous=FULL")
    func synchronousFull() async throws {
        let (journal, synchronous) = try await Self.withFileDatabase { database in
            try await database.writer.writeWithoutTransaction { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous")
                )
            }
        }
        #expect(journal == "wal")
        // 2 is FULL: the WAL is synced at every commit.
        #expect(synchronous == 2)
    }

    /// Streaming progress is written without a sync (``ForumDatabase/writeUnsynced(_:)``); the
    /// writer must be back to FULL afterwards, also when the write failed, or the next post's
    /// 240 would not be durable.
    @Test("a progress write commits without a sync, and the writer syncs again afterwards, also after a failure")
    func progressWithoutSync() async throws {
        struct Refused: Error {}
        let (during, afterProgress, afterFailure, stored) = try await Self.withFileDatabase { database in
            let during = try await database.writeUnsynced { db in
                try db.execute(sql: "CREATE TABLE scratch (value INTEGER)")
                try db.execute(sql: "INSERT INTO scratch (value) VALUES (7)")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            // No request 1: nothing to update, but the write runs as for a real one.
            _ = try await database.recordProgress(requestID: 1, characters: 10, now: Date())
            let afterProgress = try await Self.synchronous(database)
            await #expect(throws: Refused.self) {
                try await database.writeUnsynced { db in
                    try db.execute(sql: "INSERT INTO scratch (value) VALUES (8)")
                    throw Refused()
                }
            }
            let afterFailure = try await Self.synchronous(database)
            let stored = try await database.writer.read { try Int.fetchAll($0, sql: "SELECT value FROM scratch") }
            return (during, afterProgress, afterFailure, stored)
        }
        // 1 is NORMAL (no sync at commit), 2 is FULL.
        #expect(during == 1)
        #expect(afterProgress == 2)
        #expect(afterFailure == 2)
        // The failed write was rolled back; the first one committed.
        #expect(stored == [7])
    }

    private static func synchronous(_ database: ForumDatabase) async throws -> Int? {
        try await database.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    }

    /// SQLite's default puts statement journals (the savepoint of each article in a batch) and
    /// temporary b-trees in files it creates and unlinks in /var/tmp; the server keeps them in
    /// memory, on every connection.
    @Test("every connection keeps temporary data in memory (temp_store=MEMORY)")
    func temporaryDataInMemory() async throws {
        let (writer, reader) = try await Self.withFileDatabase { database in
            (
                try await database.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA temp_store") },
                try await database.writer.read { try Int.fetchOne($0, sql: "PRAGMA temp_store") }
            )
        }
        // 2 is MEMORY (0 is the default, a file).
        #expect(writer == 2)
        #expect(reader == 2)
    }

    /// Runs `body` on a database file opened as the server opens it, in a scratch directory
    /// removed afterwards.
    private static func withFileDatabase<T: Sendable>(
        _ body: (ForumDatabase) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("forllm-durability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await ForumDatabase.open(path: directory.appendingPathComponent("forum.sqlite").path)
        let result = try await body(database)
        try await database.close()
        return result
    }
}
