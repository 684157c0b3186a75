import Foundation
import GRDB
import NewsArticle
import Testing

@testable import FORLLMStore

/// The schema of issue 10's thread features: requests stored before it read as answers that
/// regenerate nothing; groups do not debate until told.
@Suite("Migrations v11-request-task-regenerates and v12-group-debate")
struct ThreadsMigrationTests {
    @Test("a database of the previous version keeps its requests and groups, with the new columns' defaults")
    func upgrade() throws {
        let queue = try DatabaseQueue()
        try ForumDatabase.migrator.migrate(queue, upTo: "v8-queue-order")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO request (kind, status, group_name, persona_id, answer_message_id, created_at,
                        updated_at)
                    VALUES ('answer', 'done', 'forllm.general', 1, '<old@forllm.local>', 0, 0)
                    """
            )
        }
        let database = try ForumDatabase(queue)
        let request = try queue.read { db in try ForumDatabase.requireRequest(1, db) }
        #expect(request.task == .answer)
        #expect(request.regenerates == nil)
        #expect(request.taskProgress == nil)
        #expect(request.answerMessageID == "<old@forllm.local>")
        let group = try queue.read { db in
            try Newsgroup.fetchOne(db, sql: Newsgroup.selectSQL + " WHERE g.name = 'forllm.general'")
        }
        #expect(group?.debate == false)
        _ = database
    }

    @Test("new rows: a summary request, a regeneration linked to its request, a debate group; unknown task refused")
    func rows() async throws {
        let database = try ForumDatabase.inMemory()
        let ids = try await database.write { transaction in
            let article = try transaction.insertArticle(
                try Article(
                    parsing: Array(
                        "From: a@example.org\r\nNewsgroups: forllm.general\r\nSubject: s\r\nMessage-ID: <a@example.org>\r\n\r\nx\r\n"
                            .utf8
                    )
                ),
                messageID: try MessageID("<a@example.org>"),
                parent: nil,
                root: try MessageID("<a@example.org>"),
                groups: [try #require(try transaction.group(named: "forllm.general"))],
                hostname: "forllm.local",
                author: nil,
                now: Date()
            )
            var new = NewAnswerRequest(
                articleID: article.id,
                messageID: try MessageID("<a@example.org>"),
                groupName: "forllm.general",
                personaID: 1,
                requestedModel: nil,
                requestedBackend: nil,
                chain: [],
                turn: 0,
                task: .summary
            )
            let first = try transaction.insertAnswerRequest(new, now: Date())
            new.regenerates = first
            return (first, try transaction.insertAnswerRequest(new, now: Date()))
        }
        let summary = try await database.request(id: ids.0)
        #expect(summary.task == .summary)
        let again = try await database.request(id: ids.1)
        #expect(again.regenerates == ids.0)
        #expect(try await database.answerAudit(ofRequest: ids.0).regeneratedBy == [ids.1])
        try await database.recordTaskProgress(requestID: ids.0, "level 1: summarising part 1 of 2", now: Date())
        #expect(try await database.request(id: ids.0).taskProgress == "level 1: summarising part 1 of 2")

        #expect(try await database.setDebate(true, group: "forllm.general").debate)
        #expect(try await database.debate(inGroup: "forllm.general"))

        // A task this version does not know is reported, never read as an answer.
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE request SET task = 'poem' WHERE id = ?", arguments: [ids.0])
        }
        await #expect(throws: StoreError.self) { try await database.request(id: ids.0) }
    }
}
