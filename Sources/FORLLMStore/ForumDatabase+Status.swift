import Foundation
import GRDB

extension ForumDatabase {
    /// The group where FORLLM tells what the queue does: one article per waiting or running
    /// request. Readers cannot post there.
    public static let statusGroupName = "forllm.status"

    /// Migration: the status articles posted (one per request), and the group `forllm.status`
    /// for new and existing databases.
    static func createStatusTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE status_article (
                    request_id INTEGER PRIMARY KEY NOT NULL,
                    message_id TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    posted_at REAL NOT NULL
                )
                """
        )
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO newsgroup (name, description, mode, posting_allowed, created_at, creator)
                VALUES (?, 'What the queue does: one article per waiting or running request; read-only', 'off', 0,
                    ?, 'forllm')
                """,
            arguments: [Self.statusGroupName, Date().timeIntervalSince1970]
        )
    }

    /// The status articles posted and not withdrawn, by request.
    public func publishedStatuses() async throws -> [Int64: PublishedStatus] {
        try await self.writer.read { db in
            let all = try PublishedStatus.fetchAll(db.cachedStatement(sql: "SELECT * FROM status_article"))
            return Dictionary(uniqueKeysWithValues: all.map { ($0.requestID, $0) })
        }
    }
}

extension ForumDatabase {
    /// The `Subject` of the articles with these row ids (as stored: encoded words left as they are).
    public func articleSubjects(ids: [Int64]) async throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try await self.writer.read { db in
            var subjects: [Int64: String] = [:]
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db,
                sql: "SELECT id, subject FROM article WHERE id IN (\(marks))",
                arguments: StatementArguments(ids)
            ) {
                subjects[row["id"]] = row["subject"]
            }
            return subjects
        }
    }
}
