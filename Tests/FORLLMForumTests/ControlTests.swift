import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Testing

/// Cancel and Supersedes, as newsreaders send them ("Cancel Message" in Thunderbird, slrn, tin).
@Suite("Control messages")
struct ControlTests {
    static let jane = "Jane Doe <jane@example.org>"

    /// Thunderbird's cancel, as it sends it.
    static func cancel(_ id: String, from: String = Self.jane, messageID: String = "<cancel.1@example.org>") -> [UInt8]
    {
        rawArticle(
            subject: "cancel \(id)",
            from: from,
            messageID: messageID,
            references: id,
            extraHeaders: ["Control: cancel \(id)"],
            body: "This message was cancelled from within Mozilla Thunderbird.\n"
        )
    }

    func messageIDs(_ database: ForumDatabase, _ group: String = "forllm.general") async throws -> [String] {
        var ids: [String] = []
        for number in try await database.articleNumbers(inGroup: group, range: 1...Int64.max) {
            if let article = try await database.article(inGroup: group, number: number) {
                ids.append(article.messageID)
            }
        }
        return ids
    }

    @Test("a cancel removes the poster's own article and its waiting request; the cancel is not stored")
    func cancelOwn() async throws {
        let (forum, database) = try await makeForum()
        let posted = try await forum.inject(
            raw: rawArticle(from: "Jane <JANE@example.org>", messageID: "<q@example.org>")
        )
        let requestID = try #require(posted.requestIDs.first)
        let result = try await forum.inject(raw: Self.cancel("<q@example.org>"))
        #expect(result.numbers.isEmpty)
        #expect(result.requestIDs.isEmpty)
        #expect(try await self.messageIDs(database).isEmpty)
        #expect(try await database.article(messageID: "<q@example.org>") == nil)
        #expect(try await database.article(messageID: "<cancel.1@example.org>") == nil)
        let request = try await database.request(id: requestID)
        #expect(request.status == .cancelled)
        let group = try #require(try await database.group(named: "forllm.general"))
        #expect(group.articleCount == 0)
        #expect(group.lastNumber == 1)  // never given out again
        let next = try await forum.inject(raw: rawArticle(messageID: "<next@example.org>"))
        #expect(next.numbers == [GroupNumber(group: "forllm.general", number: 2)])
    }

    @Test("cancels that are refused, each with its reason, change nothing")
    func refusedCancels() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.inject(raw: rawArticle(from: "Bob <bob@example.org>", messageID: "<bob@example.org>"))
        let cases: [([UInt8], String)] = [
            (
                Self.cancel("<bob@example.org>"),
                "Control: cancel: <bob@example.org> was posted by bob@example.org, not by jane@example.org"
            ),
            (Self.cancel("<nothing@example.org>"), "Control: cancel: there is no article <nothing@example.org> here"),
            (
                rawArticle(extraHeaders: ["Control: newgroup forllm.evil"]),
                "Control: 'newgroup' messages are not accepted here"
            ),
            (rawArticle(extraHeaders: ["Control: cancel"]), "Control: cancel takes one message-id")
        ]
        for (raw, reason) in cases {
            let error = await #expect(throws: ArticleError.self) { try await forum.inject(raw: raw) }
            #expect(error?.message.hasPrefix(reason) == true, "\(error?.message ?? "")")
        }
        #expect(try await self.messageIDs(database) == ["<bob@example.org>"])
        // A persona card cannot be cancelled; forllm.personas stays as it was.
        let cards = try await self.messageIDs(database, "forllm.personas")
        let card = try #require(cards.first)
        let error = await #expect(throws: ArticleError.self) {
            try await forum.inject(raw: Self.cancel(card, from: "FORLLM <forllm@forllm.local>"))
        }
        #expect(error?.message.contains("is a persona card") == true)
        #expect(try await self.messageIDs(database, "forllm.personas") == cards)
    }

    @Test("a reader may cancel a persona's answer")
    func cancelAnswer() async throws {
        let (forum, database) = try await makeForum()
        let posted = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let answer = try await storeAnswer(to: posted, forum: forum)
        _ = try await forum.inject(raw: Self.cancel(answer))
        #expect(try await self.messageIDs(database) == ["<q@example.org>"])
    }

    @Test("Supersedes replaces the poster's own article; someone else's is refused")
    func supersedes() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<v1@example.org>"))
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.plain",
                messageID: "<v2@example.org>",
                extraHeaders: ["Supersedes: <v1@example.org>"]
            )
        )
        #expect(try await self.messageIDs(database, "test.plain") == ["<v2@example.org>"])
        // Superseding what is not here just posts.
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.plain",
                messageID: "<v3@example.org>",
                extraHeaders: ["Supersedes: <gone@example.org>"]
            )
        )
        #expect(try await self.messageIDs(database, "test.plain") == ["<v2@example.org>", "<v3@example.org>"])
        let error = await #expect(throws: ArticleError.self) {
            try await forum.inject(
                raw: rawArticle(
                    groups: "test.plain",
                    from: "Mallory <m@example.net>",
                    messageID: "<m@example.net>",
                    extraHeaders: ["Supersedes: <v2@example.org>"]
                )
            )
        }
        #expect(error?.message.hasPrefix("Supersedes: <v2@example.org> was posted by jane@example.org") == true)
        #expect(try await self.messageIDs(database, "test.plain") == ["<v2@example.org>", "<v3@example.org>"])
    }
}
