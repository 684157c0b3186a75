import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle
import Testing

@Suite("Votes on persona answers")
struct VoteTests {
    /// A question in the auto group and the default persona's stored answer to it.
    func answered(_ forum: Forum) async throws -> (question: InjectedArticle, answer: String) {
        let question = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        return (question, try await storeAnswer(to: question, forum: forum))
    }

    func vote(
        on answer: String,
        header: String? = nil,
        body: String = "Thanks.\n",
        from: String = "Jane Doe <jane@example.org>",
        messageID: String
    ) -> [UInt8] {
        rawArticle(
            subject: "Re: Hello",
            from: from,
            messageID: messageID,
            references: "<q@example.org> \(answer)",
            extraHeaders: header.map { ["X-FORLLM-Vote: \($0)"] } ?? [],
            body: body
        )
    }

    @Test("an X-FORLLM-Vote follow-up is stored, counted for the persona and model, and never answered")
    func headerVote() async throws {
        let (forum, database) = try await makeForum()
        let (_, answer) = try await self.answered(forum)
        let vote = try await forum.inject(raw: self.vote(on: answer, header: "+1", messageID: "<v1@example.org>"))
        // Stored like any follow-up (newsreaders show it), but no persona answers it, even in an auto group.
        #expect(vote.requestIDs.isEmpty)
        #expect(try await database.article(messageID: "<v1@example.org>") != nil)
        let stats = try await forum.voteStatistics()
        #expect(stats.personas == [VoteTally(subject: "assistant", up: 1, down: 0, answers: 1)])
        #expect(stats.versions == [VoteTally(subject: "assistant v1", up: 1, down: 0, answers: 1)])
        #expect(stats.models == [VoteTally(subject: "m", up: 1, down: 0, answers: 1)])
    }

    @Test("a bare -1 under a quote is a vote; a second vote of the same author replaces the first")
    func bareVoteAndReplacement() async throws {
        let (forum, _) = try await makeForum()
        let (_, answer) = try await self.answered(forum)
        let bare = try await forum.inject(
            raw: self.vote(on: answer, body: "Assistant wrote:\n> An answer.\n\n-1\n\n-- \nJane\n", messageID: "<v1@x>")
        )
        #expect(bare.requestIDs.isEmpty)
        #expect(
            try await forum.voteStatistics().personas == [VoteTally(subject: "assistant", up: 0, down: 1, answers: 1)]
        )
        _ = try await forum.inject(raw: self.vote(on: answer, header: "+1", messageID: "<v2@x>"))
        _ = try await forum.inject(
            raw: self.vote(on: answer, header: "+1", from: "Bob <bob@example.org>", messageID: "<v3@x>")
        )
        #expect(
            try await forum.voteStatistics().personas == [VoteTally(subject: "assistant", up: 2, down: 0, answers: 1)]
        )
    }

    @Test("cancelling the vote article takes the vote back")
    func cancelledVote() async throws {
        let (forum, _) = try await makeForum()
        let (_, answer) = try await self.answered(forum)
        _ = try await forum.inject(raw: self.vote(on: answer, header: "-1", messageID: "<v1@example.org>"))
        #expect(try await forum.voteStatistics().personas.count == 1)
        _ = try await forum.inject(
            raw: rawArticle(
                subject: "cancel <v1@example.org>",
                messageID: "<c1@example.org>",
                extraHeaders: ["Control: cancel <v1@example.org>"],
                body: "cancel\n"
            )
        )
        #expect(try await forum.voteStatistics().personas.isEmpty)
    }

    @Test("a vote header on something other than a persona's answer, or not +1/-1, is refused")
    func refused() async throws {
        let (forum, database) = try await makeForum()
        _ = try await self.answered(forum)
        let error = await #expect(throws: ArticleError.self) {
            try await forum.inject(raw: self.vote(on: "<q@example.org>", header: "+1", messageID: "<v1@x>"))
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains("is not a persona's answer") == true)
        #expect(try await database.article(messageID: "<v1@x>") == nil)

        let answer = try #require(try await database.request(id: 1).answerMessageID)
        let bad = await #expect(throws: ArticleError.self) {
            try await forum.inject(raw: self.vote(on: answer, header: "+2", messageID: "<v2@x>"))
        }
        #expect(bad?.message == "X-FORLLM-Vote: '+2' is not +1 or -1")
        #expect(try await forum.voteStatistics().personas.isEmpty)
    }

    @Test("a bare +1 to a person's article is an ordinary follow-up")
    func bareToPerson() async throws {
        let (forum, _) = try await makeForum()
        _ = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let reply = try await forum.inject(
            raw: rawArticle(subject: "Re: Hello", messageID: "<r@x>", references: "<q@example.org>", body: "+1\n")
        )
        // forllm.general is in auto mode: an ordinary follow-up asks its default persona.
        #expect(reply.requestIDs.count == 1)
        #expect(try await forum.voteStatistics().personas.isEmpty)
    }
}
