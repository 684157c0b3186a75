import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle
import Testing

@Suite("Regenerate: a new answer beside a done one")
struct RegenerateTests {
    /// Thunderbird's cancel of `id`, by Jane (who posted the question).
    static func cancel(_ id: String) -> [UInt8] {
        rawArticle(
            subject: "cancel \(id)",
            messageID: "<cancel.1@example.org>",
            extraHeaders: ["Control: cancel \(id)"],
            body: "cancelled\n"
        )
    }

    @Test("forum.regenerate makes a new request linked to the done one, with a new answer id; the old one stays")
    func regenerateDone() async throws {
        let (forum, database) = try await makeForum()
        let question = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let firstAnswer = try await storeAnswer(to: question, forum: forum)
        let original = try await database.request(id: question.requestIDs[0])
        #expect(original.status == .done)

        let again = try await forum.regenerate(requestID: original.id)
        #expect(again.id != original.id)
        #expect(again.status == .pending)
        #expect(again.regenerates == original.id)
        #expect(again.articleID == original.articleID)
        #expect(again.messageID == "<q@example.org>")
        #expect(again.personaID == original.personaID)
        #expect(again.task == .answer)
        #expect(again.turn == 0)
        let newAnswer = try #require(again.answerMessageID)
        #expect(newAnswer != firstAnswer)
        // The old request and its answer are untouched.
        let old = try await database.request(id: original.id)
        #expect(old.status == .done)
        #expect(old.answerMessageID == firstAnswer)
        #expect(try await database.article(messageID: firstAnswer) != nil)
        let audit = try await database.answerAudit(ofRequest: original.id)
        #expect(audit.answerOnServer)
        #expect(audit.regeneratedBy == [again.id])
        // A request not done is refused with the reason.
        await #expect {
            try await forum.regenerate(requestID: again.id)
        } throws: { error in
            (error as? ForumError)?.message == "request \(again.id) is pending; only a done request gets a new answer"
        }
    }

    @Test("X-FORLLM-Request: regenerate on a follow-up to an answer queues that persona for the answered article")
    func regenerateByFollowup() async throws {
        let (forum, database) = try await makeForum()
        let question = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let answer = try await storeAnswer(to: question, forum: forum)
        let followup = try await forum.inject(
            raw: rawArticle(
                subject: "Re: Hello",
                messageID: "<again@example.org>",
                references: "<q@example.org> \(answer)",
                extraHeaders: ["X-FORLLM-Request: regenerate; model=phi3"],
                body: "Try again, please.\n"
            )
        )
        // One request: the regeneration (not the group's default answering the follow-up).
        #expect(followup.requestIDs.count == 1)
        let request = try await database.request(id: followup.requestIDs[0])
        #expect(request.regenerates == question.requestIDs[0])
        #expect(request.messageID == "<q@example.org>")
        #expect(request.personaHandle == "assistant")
        #expect(request.requestedModel == "phi3")
        // The follow-up itself is an ordinary article of the thread.
        #expect(try await database.article(messageID: "<again@example.org>") != nil)
    }

    @Test(
        "regenerate on an article that follows up no persona answer is refused with the reason",
        arguments: [
            (nil, "asks for a new answer beside a persona's answer: post it as a follow-up to that answer"),
            ("<q@example.org>", "<q@example.org> is not a persona's answer"),
            ("<gone@example.org>", "<gone@example.org> is not on the server")
        ] as [(String?, String)]
    )
    func regenerateRefused(references: String?, reason: String) async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let before = try await database.requests().count
        await #expect {
            try await forum.inject(
                raw: rawArticle(
                    subject: "Re: Hello",
                    references: references,
                    extraHeaders: ["X-FORLLM-Request: regenerate"]
                )
            )
        } throws: { error in
            guard let error = error as? ArticleError, error.code == .invalidRequest else { return false }
            return error.message.hasPrefix("X-FORLLM-Request: regenerate") && error.message.contains(reason)
        }
        #expect(try await database.requests().count == before)
    }

    @Test("a withdrawn answer stays auditable: its request shows the answer id and that it is gone")
    func withdrawnAnswerAudit() async throws {
        let (forum, database) = try await makeForum()
        let question = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let answer = try await storeAnswer(to: question, forum: forum)
        _ = try await forum.inject(raw: Self.cancel(answer))
        #expect(try await database.article(messageID: answer) == nil)
        let request = try await database.request(id: question.requestIDs[0])
        #expect(request.status == .done)
        #expect(request.answerMessageID == answer)
        #expect(try await database.answerAudit(ofRequest: request.id).answerOnServer == false)
        // It can still be regenerated: the new answer goes to the same question.
        let again = try await forum.regenerate(requestID: request.id)
        #expect(again.messageID == "<q@example.org>")
    }

    @Test("by mail: a reply to the persona's address with X-FORLLM-Request: regenerate regenerates, not answers")
    func regenerateByMail() async throws {
        let (forum, database) = try await makeForum()
        let question = try await forum.inject(raw: rawArticle(messageID: "<q@example.org>"))
        let answer = try await storeAnswer(to: question, forum: forum)
        let mail = """
            From: Jane <jane@example.org>
            To: assistant@personas.forllm.local
            Subject: Re: Hello
            In-Reply-To: \(answer)
            References: <q@example.org> \(answer)
            X-FORLLM-Request: regenerate

            Once more, please.

            """
        let injected = try await forum.submitMail(Array(mail.utf8), recipients: ["assistant@personas.forllm.local"])
        #expect(injected.requestIDs.count == 1)
        let request = try await database.request(id: injected.requestIDs[0])
        #expect(request.regenerates == question.requestIDs[0])
        #expect(request.messageID == "<q@example.org>")
    }

    @Test("task=summary is recorded on the request")
    func summaryTaskRecorded() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(
            raw: rawArticle(extraHeaders: ["X-FORLLM-Request: default; task=summary"])
        )
        let request = try await database.request(id: try #require(injected.requestIDs.first))
        #expect(request.task == .summary)
        let listed = try #require(try await database.requests().first { $0.id == request.id })
        #expect(listed.task == .summary)
    }
}
