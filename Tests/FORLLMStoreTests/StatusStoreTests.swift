@testable import FORLLMStore
import Foundation
import GRDB
import Testing

/// forllm.status in the store: the group for new and existing databases, and the record of
/// the status articles posted.
@Suite("Status store")
struct StatusStoreTests {
    @Test("a new database has forllm.status, read-only for readers")
    func newDatabase() async throws {
        let database = try makeDatabase()
        let group = try await database.write { try $0.group(named: ForumDatabase.statusGroupName) }
        #expect(group?.postingAllowed == false)
    }

    @Test("a database of the version before gets the group and the table, its data kept")
    func existingDatabase() throws {
        let queue = try DatabaseQueue()
        try ForumDatabase.migrator.migrate(queue, upTo: "v8-queue-order")
        try queue.write { db in
            #expect(
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM newsgroup WHERE name = 'forllm.status')")
                    == false
            )
            try db.execute(sql: "UPDATE newsgroup SET description = 'kept' WHERE name = 'forllm.general'")
        }
        try ForumDatabase.migrator.migrate(queue)
        let (postingAllowed, description, rows) = try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT posting_allowed FROM newsgroup WHERE name = 'forllm.status'"),
                try String.fetchOne(db, sql: "SELECT description FROM newsgroup WHERE name = 'forllm.general'"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM status_article")
            )
        }
        #expect(postingAllowed == 0)
        #expect(description == "kept")
        #expect(rows == 0)
    }

    @Test("what was posted for a request is remembered, replaced and forgotten")
    func records() async throws {
        let database = try makeDatabase()
        let first = PublishedStatus(
            requestID: 3,
            messageID: "<s1@x>",
            digest: "a",
            postedAt: Date(timeIntervalSince1970: 100)
        )
        try await database.write { try $0.setPublishedStatus(first) }
        #expect(try await database.publishedStatuses() == [3: first])
        let second = PublishedStatus(
            requestID: 3,
            messageID: "<s2@x>",
            digest: "b",
            postedAt: Date(timeIntervalSince1970: 200)
        )
        try await database.write { try $0.setPublishedStatus(second) }
        #expect(try await database.publishedStatuses() == [3: second])
        #expect(try await database.write { try $0.publishedStatus(requestID: 3) } == second)
        try await database.write { try $0.removePublishedStatus(requestID: 3) }
        #expect(try await database.publishedStatuses().isEmpty)
    }
}
