import FORLLMForum
@testable import FORLLMStore
import FORLLMTestSupport
import Foundation
import GRDB
import NewsArticle
import Testing

/// Personas answering personas stay bounded: per thread, per day, in depth; a debate group
/// goes on by itself within those bounds.
@Suite("Conversations between personas: bounds and debate groups")
struct ConversationBoundsTests {
    static func addPersona(_ database: ForumDatabase, handle: String, group: String? = nil) async throws -> Int64 {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO persona (handle, name, name_key, instructions, version, created_at)
                    VALUES (?, ?, ?, 'Be brief.', 1, 0)
                    """,
                arguments: [handle, handle.capitalized, handle]
            )
            let id = db.lastInsertedRowID
            if let group {
                try db.execute(
                    sql: "INSERT INTO group_persona (group_id, persona_id) SELECT id, ? FROM newsgroup WHERE name = ?",
                    arguments: [id, group]
                )
            }
            return id
        }
    }

    /// Runs each queued request as its persona would, answering with `text(handle)`, until
    /// nothing more is queued; returns the handles in the order they answered.
    static func converse(
        _ forum: Forum,
        from first: InjectedArticle,
        group: String = "forllm.general",
        now: Date,
        text: (String) -> String
    ) async throws -> [String] {
        let database = forum.database
        var queue = first.requestIDs
        var spoken: [String] = []
        while let id = queue.first, spoken.count < 20 {
            queue.removeFirst()
            let request = try await database.request(id: id)
            let handle = try #require(request.personaHandle)
            #expect(try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: now))
            let parentID = try #require(request.messageID)
            let parent = try #require(try await database.article(messageID: parentID))
            let parentArticle = try Article(parsing: parent.bytes)
            let answer = try ArticleDraft(
                from: Mailbox(displayName: handle.capitalized, address: "\(handle)@personas.forllm.local"),
                newsgroups: [group],
                subject: "Re: Hello",
                references: parentArticle.followupReferences(messageID: try MessageID(parent.messageID)),
                messageID: MessageID(try #require(request.answerMessageID)),
                date: now,
                text: text(handle)
            ).build()
            let personaID = try #require(request.personaID)
            let stored = try #require(
                try await forum.complete(requestID: id, answer: answer, personaID: personaID, personaVersion: 1)
            )
            spoken.append(handle)
            queue += stored.requestIDs
        }
        return spoken
    }

    @Test("llm.max_persona_depth stops a ping-pong of mentions in a branch")
    func depth() async throws {
        var configuration = ForumConfiguration(maximumPersonaTurns: 10)
        configuration.maximumPersonaDepth = 2
        let (forum, database) = try await makeForum(configuration: configuration)
        _ = try await Self.addPersona(database, handle: "chef")
        _ = try await Self.addPersona(database, handle: "critic")
        let root = try await forum.inject(raw: rawArticle(body: "@chef start\n"))
        let spoken = try await Self.converse(forum, from: root, now: Date()) { handle in
            "What do you say, @\(handle == "chef" ? "critic" : "chef")?"
        }
        #expect(spoken == ["chef", "critic"])
    }

    @Test("llm.max_persona_turns_per_day counts every thread, and frees up after 24 hours")
    func perDay() async throws {
        let clock = ManualClock()
        var configuration = ForumConfiguration(maximumPersonaTurns: 10)
        configuration.maximumPersonaTurnsPerDay = 1
        let (forum, database) = try await makeForum(configuration: configuration, clock: clock)
        _ = try await Self.addPersona(database, handle: "chef")
        _ = try await Self.addPersona(database, handle: "critic")
        let ping = { (handle: String) in "What do you say, @\(handle == "chef" ? "critic" : "chef")?" }
        let first = try await forum.inject(raw: rawArticle(messageID: "<one@example.org>", body: "@chef start\n"))
        #expect(try await Self.converse(forum, from: first, now: clock.date, text: ping) == ["chef", "critic"])
        // Another thread the same day: the one persona turn of the day is spent.
        let second = try await forum.inject(raw: rawArticle(messageID: "<two@example.org>", body: "@chef again\n"))
        #expect(try await Self.converse(forum, from: second, now: clock.date, text: ping) == ["chef"])
        // A day later there is a turn again.
        clock.advance(by: .seconds(86_401))
        let third = try await forum.inject(raw: rawArticle(messageID: "<three@example.org>", body: "@chef later\n"))
        #expect(try await Self.converse(forum, from: third, now: clock.date, text: ping) == ["chef", "critic"])
    }

    @Test("a debate group: the persona that spoke least recently answers next, until the depth bound")
    func debate() async throws {
        var configuration = ForumConfiguration(maximumPersonaTurns: 10)
        configuration.maximumPersonaDepth = 4
        let (forum, database) = try await makeForum(configuration: configuration)
        try await database.createGroup(name: "test.debate", mode: .request, now: Date())
        for handle in ["chef", "critic", "baker"] {
            _ = try await Self.addPersona(database, handle: handle, group: "test.debate")
        }
        _ = try await Self.addPersona(database, handle: "outsider")
        let question = try await forum.inject(
            raw: rawArticle(groups: "test.debate", extraHeaders: ["X-FORLLM-Request: chef"])
        )
        // Without --debate, an answer that asks nobody ends the conversation.
        #expect(!(try await database.debate(inGroup: "test.debate")))
        let quiet = try await Self.converse(forum, from: question, group: "test.debate", now: Date()) { _ in "Hm." }
        #expect(quiet == ["chef"])

        try await database.setDebate(true, group: "test.debate")
        let asked = try await forum.inject(
            raw: rawArticle(groups: "test.debate", subject: "Again", extraHeaders: ["X-FORLLM-Request: chef"])
        )
        let spoken = try await Self.converse(forum, from: asked, group: "test.debate", now: Date()) { _ in "Hm." }
        // Assigned personas only (not the outsider), never the author, least recent first.
        #expect(spoken == ["chef", "critic", "baker", "chef"])
        // A summary closes the discussion: nobody debates it.
        let summary = try await forum.inject(
            raw: rawArticle(
                groups: "test.debate",
                subject: "Sum",
                extraHeaders: ["X-FORLLM-Request: chef; task=summary"]
            )
        )
        let summed = try await Self.converse(forum, from: summary, group: "test.debate", now: Date()) { _ in "Hm." }
        #expect(summed == ["chef"])
        let turns = try await database.requests().filter {
            $0.messageID != question.messageID.value && $0.task == .answer
        }
        .map(\.turn)
        #expect(turns.sorted() == [0, 1, 2, 3])
    }
}
