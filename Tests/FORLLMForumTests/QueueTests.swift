import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("The request queue")
struct QueueTests {
    func answer(for request: ReplyRequest, parent: MessageID) throws -> Article {
        try ArticleDraft(
            from: Mailbox(displayName: "Assistant", address: "assistant@personas.forllm.local"),
            newsgroups: [request.groupName],
            subject: "Re: Hello",
            references: [parent],
            messageID: MessageID(try #require(request.answerMessageID)),
            date: Date(),
            text: "An answer."
        ).build()
    }

    @Test("a request is claimed by one worker only")
    func claimOnce() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        async let first = database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        async let second = database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        let results = try await [first, second]
        #expect(results.filter { $0 }.count == 1)
        let request = try await database.request(id: id)
        #expect(request.status == .running)
        #expect(request.attempts == 1)
        #expect(request.model == "m")
        #expect(request.personaVersion == 1)
    }

    @Test("running requests go back to pending at start-up")
    func recovery() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        _ = try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        #expect(try await database.recoverInterruptedRequests(now: Date()) == 1)
        #expect(try await database.request(id: id).status == .pending)
        #expect(try await database.runnableRequests(now: Date()).map(\.request.id) == [id])
    }

    @Test("completing stores the answer in the thread and marks the request done, once")
    func complete() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        _ = try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        let request = try await database.request(id: id)
        let answer = try self.answer(for: request, parent: injected.messageID)
        let stored = try #require(
            try await forum.complete(requestID: id, answer: answer, personaID: 1, personaVersion: 1)
        )
        #expect(stored.numbers == [GroupNumber(group: "forllm.general", number: 2)])
        #expect(try await database.request(id: id).status == .done)

        // A second run of the same request (after a crash) cannot post again.
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE request SET status = 'running' WHERE id = ?", arguments: [id])
        }
        _ = try await forum.complete(requestID: id, answer: answer, personaID: 1, personaVersion: 1)
        let group = try #require(try await database.group(named: "forllm.general"))
        #expect(group.articleCount == 2)

        let answerID = try #require(try await database.article(messageID: stored.messageID.value)?.id)
        let thread = try await database.thread(ofArticle: answerID)
        #expect(thread.map(\.article.messageID) == [injected.messageID.value, stored.messageID.value])
        #expect(thread.last?.authorPersonaID == 1)
    }

    @Test("an answer's Message-ID is fixed per request and unique across databases")
    func answerMessageIDs() async throws {
        var seen: Set<String> = []
        for _ in 0..<2 {
            let (forum, database) = try await makeForum()
            let injected = try await forum.inject(raw: rawArticle())
            let id = try #require(injected.requestIDs.first)
            #expect(id == 1)
            let answerID = try #require(try await database.request(id: id).answerMessageID)
            // Read again (as a second run would): the same identifier.
            #expect(try await database.request(id: id).answerMessageID == answerID)
            #expect(MessageID(validating: answerID) != nil)
            #expect(answerID.hasPrefix("<1.assistant.answer."))
            seen.insert(answerID)
        }
        #expect(seen.count == 2)
    }

    @Test("a cancelled request stores no answer")
    func cancelledWhileRunning() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        _ = try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        _ = try await database.cancelRequest(id: id, now: Date())
        #expect(try await database.recordProgress(requestID: id, characters: 10, now: Date()) == false)
        let request = try await database.request(id: id)
        let stored = try await forum.complete(
            requestID: id,
            answer: try self.answer(for: request, parent: injected.messageID),
            personaID: 1,
            personaVersion: 1
        )
        #expect(stored == nil)
        #expect(try #require(try await database.group(named: "forllm.general")).articleCount == 1)
    }

    @Test("retry waits for its backoff; failure posts the notice and keeps the error")
    func retryAndFail() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        let now = Date()
        _ = try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: now)
        try await database.scheduleRetry(
            requestID: id,
            error: "connection refused",
            retryAt: now.addingTimeInterval(60),
            now: now
        )
        #expect(try await database.runnableRequests(now: now).isEmpty)
        #expect(
            try await database.nextBackoffEnd(after: now)
                == Date(timeIntervalSince1970: (now.addingTimeInterval(60)).timeIntervalSince1970)
        )
        #expect(try await database.runnableRequests(now: now.addingTimeInterval(61)).map(\.request.id) == [id])

        _ = try await database.claim(
            requestID: id,
            model: "m",
            backend: "b",
            personaVersion: 1,
            now: now.addingTimeInterval(61)
        )
        try await forum.fail(
            requestID: id,
            because: RequestFailure(
                reason: "connection refused",
                attempts: 2,
                model: "m",
                backend: "b",
                userAgent: "FORLLM/test"
            )
        )
        let request = try await database.request(id: id)
        #expect(request.status == .failed)
        #expect(request.attempts == 2)
        #expect(request.error == "connection refused")
        let group = try #require(try await database.group(named: "forllm.general"))
        #expect(group.articleCount == 2)

        _ = try await database.retryRequest(id: id, now: Date())
        let again = try await database.request(id: id)
        #expect(again.status == .pending)
        #expect(again.attempts == 0)
        #expect(again.error == nil)
    }

    @Test("retry and cancel refuse the wrong states")
    func transitions() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        await #expect(throws: StoreError.self) { _ = try await database.retryRequest(id: id, now: Date()) }
        _ = try await database.cancelRequest(id: id, now: Date())
        await #expect(throws: StoreError.self) { _ = try await database.cancelRequest(id: id, now: Date()) }
        await #expect(throws: StoreError.self) { _ = try await database.request(id: 999) }
        #expect(try await database.requests(status: .cancelled).map(\.id) == [id])
    }

    @Test("a requeued request does not count the interrupted attempt")
    func requeue() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        let id = try #require(injected.requestIDs.first)
        _ = try await database.claim(requestID: id, model: "m", backend: "b", personaVersion: 1, now: Date())
        try await database.requeue(requestID: id, now: Date())
        let request = try await database.request(id: id)
        #expect(request.status == .pending)
        #expect(request.attempts == 0)
    }
}

extension QueueTests {
    @Test("requests in several states are read in one snapshot, each once")
    func requestsInStates() async throws {
        let (forum, database) = try await makeForum()
        let first = try await forum.inject(raw: rawArticle(messageID: "<r1@x>"))
        let second = try await forum.inject(raw: rawArticle(messageID: "<r2@x>"))
        _ = try await database.claim(
            requestID: try #require(first.requestIDs.first),
            model: "m",
            backend: "b",
            personaVersion: 1,
            now: Date()
        )
        let listed = try await database.requests(statuses: [.running, .pending])
        #expect(listed.map(\.id) == [second.requestIDs[0], first.requestIDs[0]])
        #expect(listed.map(\.status) == [.pending, .running])
        #expect(try await database.requests(statuses: []).isEmpty)
        #expect(try await database.requests(statuses: [.done]).isEmpty)
    }
}
