import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("The reply worker")
struct ReplyWorkerTests {
    func articles(_ database: ForumDatabase, group: String = "forllm.general") async throws -> [Article] {
        let numbers = try await database.articleNumbers(inGroup: group, range: 1...Int64.max)
        var articles: [Article] = []
        for number in numbers {
            let stored = try #require(try await database.article(inGroup: group, number: number))
            articles.append(try Article(parsing: stored.bytes))
        }
        return articles
    }

    @Test("an answer goes into the thread with the persona's headers, References and signature")
    func answers() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [
            .answer("Knead it for about ten minutes, until the dough is smooth and springs back.")
        ])
        let worker = makeWorker(forum: forum, clients: [client])
        let root = try await forum.inject(raw: rawArticle(messageID: "<root@example.org>"))
        let followup = try await forum.inject(
            raw: rawArticle(
                subject: "Re: Bread",
                from: "Bob <bob@example.org>",
                messageID: "<second@example.org>",
                references: "<root@example.org>",
                extraHeaders: ["X-FORLLM-Request: none"],
                body: "Jane wrote:\n> How long should I knead?\nGood question.\n"
            )
        )
        #expect(followup.requestIDs.isEmpty)
        let jobs = try await worker.claimRunnable()
        #expect(jobs.count == 1)
        await worker.execute(try #require(jobs.first))

        let request = try await database.request(id: root.requestIDs[0])
        #expect(request.status == .done)
        #expect(request.model == "llama3.2")
        #expect(request.backend == "ollama")
        #expect(request.personaVersion == 1)

        let all = try await self.articles(database)
        #expect(all.count == 3)
        let answer = try #require(all.last)
        #expect(answer["From"] == "Assistant <assistant@personas.forllm.local>")
        #expect(answer["Subject"] == "Re: Bread")
        #expect(answer["Newsgroups"] == "forllm.general")
        #expect(answer["References"] == "<root@example.org>")
        #expect(answer["Message-ID"] == request.answerMessageID)
        #expect(answer["X-FORLLM-Persona"] == "assistant (version 1)")
        #expect(answer["X-FORLLM-Model"] == "llama3.2")
        #expect(answer["X-FORLLM-Backend"] == "ollama")
        let text = ArticleText.plainText(of: answer)
        #expect(text.contains("Knead it for about ten minutes, until the dough is smooth and springs back."))
        #expect(text.contains("\n-- \nAssistant (@assistant), llama3.2 on ollama"))
        for line in String(decoding: answer.body, as: UTF8.self).split(separator: "\r\n") {
            #expect(line.utf8.count <= 78)
        }

        // The prompt: the group's system message, the persona's note (its instructions), then the
        // requested article (here the root).
        let sent = try #require(client.received.first)
        #expect(sent.model == "llama3.2")
        #expect(sent.messages.map(\.role) == [.system, .system, .user])
        #expect(sent.messages.first?.content.contains("You are Assistant") == false)
        #expect(sent.messages[1].content.contains("You are Assistant, a helpful member"))
        #expect(sent.messages[2].content.hasPrefix("Jane Doe wrote (subject: Bread):"))
        #expect(sent.messages[2].content.contains("How long should I knead?"))
        #expect(sent.contextLength == 4096)
    }

    @Test(
        "the thread becomes turns: people's as user, named, personas' as assistant after their notes, quotes stripped"
    )
    func threadTurns() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [.answer("First answer."), .answer("Second answer.")])
        let worker = makeWorker(forum: forum, clients: [client])
        _ = try await forum.inject(raw: rawArticle(messageID: "<t1@example.org>"))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        let first = try #require(try await self.articles(database).last)
        let firstID = try #require(first["Message-ID"])
        _ = try await forum.inject(
            raw: rawArticle(
                subject: "Re: Bread",
                messageID: "<t3@example.org>",
                references: "<t1@example.org> \(firstID)",
                body: "Assistant wrote:\n> First answer.\nAnd how warm should it be?\n\n-- \nJane\n"
            )
        )
        await worker.execute(try #require(try await worker.claimRunnable().first))
        let sent = try #require(client.received.last)
        #expect(sent.messages.map(\.role) == [.system, .system, .user, .assistant, .user])
        #expect(sent.messages[3].content == "First answer.")
        #expect(sent.messages[4].content == "Jane Doe wrote:\n\nAnd how warm should it be?")
        // The first prompt, then its answer, begin the second: the server's cache holds them.
        let asked = try #require(client.received.first).messages
        #expect(Array(sent.messages.prefix(asked.count)) == asked)
        // The persona's instructions at its first note; the same persona answering again gets no
        // new note (its note stands until another persona's).
        #expect(sent.messages[1].content.contains("\n\nYou are Assistant, taking part in the newsgroup "))
        let answer = try #require(try await self.articles(database).last)
        #expect(answer["References"] == "<t1@example.org> \(firstID) <t3@example.org>")
    }

    @Test("outside the schedule nothing is claimed; inside it is")
    func schedule() async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Wednesday 25 Nov 2026, 12:00 UTC.
        let noon = try #require(calendar.date(from: DateComponents(year: 2026, month: 11, day: 25, hour: 12)))
        let clock = ManualClock(date: noon)
        let (forum, database) = try await makeForum(clock: clock)
        let worker = makeWorker(forum: forum, clients: [FakeLLMClient()], clock: clock) { $0.calendar = calendar }
        try await database.addScheduleWindow(
            days: [.wednesday],
            start: try TimeOfDay(parsing: "22:00"),
            end: try TimeOfDay(parsing: "06:00"),
            now: clock.date
        )
        let injected = try await forum.inject(raw: rawArticle())
        #expect(try await worker.claimRunnable().isEmpty)
        #expect(try await database.request(id: injected.requestIDs[0]).status == .pending)
        clock.advance(by: .seconds(10 * 3600 + 30 * 60))  // 22:30
        let jobs = try await worker.claimRunnable()
        #expect(jobs.map(\.request.id) == injected.requestIDs)
    }

    @Test("a retryable error waits with backoff, then fails for good with a notice in the thread")
    func retriesThenFails() async throws {
        let down = LLMError(.connectionFailed, "Ollama at http://127.0.0.1:11434: connection refused")
        let client = FakeLLMClient(steps: [.fail(down), .fail(down), .fail(down)])
        let clock = ManualClock(date: Date())
        let (forum, database) = try await makeForum(clock: clock)
        let worker = makeWorker(forum: forum, clients: [client], clock: clock) {
            $0.maximumAttempts = 3
            $0.retryDelay = .seconds(30)
        }
        let injected = try await forum.inject(raw: rawArticle())
        let id = injected.requestIDs[0]

        await worker.execute(try #require(try await worker.claimRunnable().first))
        var request = try await database.request(id: id)
        #expect(request.status == .pending)
        #expect(request.error == "attempt 1 of 3 failed: Ollama at http://127.0.0.1:11434: connection refused")
        #expect(try await worker.claimRunnable().isEmpty)
        clock.advance(by: .seconds(31))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        request = try await database.request(id: id)
        #expect(request.attempts == 2)
        clock.advance(by: .seconds(31))
        #expect(try await worker.claimRunnable().isEmpty)  // second delay is 60 s
        clock.advance(by: .seconds(30))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        request = try await database.request(id: id)
        #expect(request.status == .failed)
        #expect(request.attempts == 3)

        let notice = try #require(try await self.articles(database).last)
        #expect(notice["From"] == "FORLLM <forllm@forllm.local>")
        #expect(notice["Subject"] == "Re: Bread")
        #expect(notice["References"] == injected.messageID.value)
        let text = ArticleText.plainText(of: notice)
        #expect(text.contains("Assistant (@assistant) could not answer"))
        #expect(text.contains("connection refused"))
        #expect(text.contains("forllm queue retry \(id)"))
        #expect(text.contains("llama3.2 on backend ollama"))
    }

    @Test("an unreachable backend costs no attempts: the request waits for it, then is answered")
    func waitsForUnreachableBackend() async throws {
        let refused = LLMError(.unreachable, "cannot reach Ollama at http://127.0.0.1:11434: connection refused")
        let client = FakeLLMClient(steps: [.fail(refused), .fail(refused), .fail(refused), .answer("Here you are.")])
        let clock = ManualClock(date: Date(timeIntervalSince1970: 1_800_000_000))
        let (forum, database) = try await makeForum(clock: clock)
        let worker = makeWorker(forum: forum, clients: [client], clock: clock) {
            $0.maximumAttempts = 2
            $0.retryDelay = .seconds(30)
        }
        let injected = try await forum.inject(raw: rawArticle())
        let id = injected.requestIDs[0]
        let start = clock.date

        // Three refused tries: more than max_attempts, none of them counted.
        await worker.execute(try #require(try await worker.claimRunnable().first))
        var request = try await database.request(id: id)
        #expect(request.status == .pending)
        #expect(request.attempts == 0)
        #expect(request.waitingSince == start)
        #expect(request.error?.hasPrefix("waiting for backend ollama: cannot reach Ollama") == true)
        #expect(request.error?.contains("tries again until") == true)
        #expect(request.notBefore == start.addingTimeInterval(30))
        #expect(try await worker.claimRunnable().isEmpty)
        clock.advance(by: .seconds(30))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        clock.advance(by: .seconds(30))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        request = try await database.request(id: id)
        #expect(request.status == .pending)
        #expect(request.attempts == 0)
        #expect(request.waitingSince == start)
        // After a longer wait the tries are further apart, at most five minutes.
        #expect(request.notBefore == clock.date.addingTimeInterval(30))
        clock.advance(by: .seconds(3600))
        // The backend is up now.
        await worker.execute(try #require(try await worker.claimRunnable().first))
        request = try await database.request(id: id)
        #expect(request.status == .done)
        #expect(request.attempts == 1)
        #expect(try await self.articles(database).count == 2)
    }

    @Test("a backend unreachable for longer than the wait fails the request with a notice")
    func unreachableTooLong() async throws {
        let refused = LLMError(.unreachable, "cannot reach Ollama at http://127.0.0.1:11434: connection refused")
        let client = FakeLLMClient(steps: [.fail(refused), .fail(refused), .fail(refused)])
        let clock = ManualClock(date: Date(timeIntervalSince1970: 1_800_000_000))
        let (forum, database) = try await makeForum(clock: clock)
        let worker = makeWorker(forum: forum, clients: [client], clock: clock) {
            $0.unreachableWait = .seconds(86_400)
        }
        let injected = try await forum.inject(raw: rawArticle())
        let id = injected.requestIDs[0]
        await worker.execute(try #require(try await worker.claimRunnable().first))
        clock.advance(by: .seconds(20 * 3600))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        var request = try await database.request(id: id)
        #expect(request.status == .pending)
        #expect(request.notBefore == clock.date.addingTimeInterval(300))
        clock.advance(by: .seconds(4 * 3600))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        request = try await database.request(id: id)
        #expect(request.status == .failed)
        #expect(
            request.error?.hasPrefix("backend ollama could not be reached for 24 hours: cannot reach Ollama") == true
        )
        let notice = try #require(try await self.articles(database).last)
        #expect(notice["From"] == "FORLLM <forllm@forllm.local>")
        #expect(ArticleText.plainText(of: notice).contains("could not be reached for 24 hours"))
        #expect(ArticleText.plainText(of: notice).contains("forllm queue retry \(id)"))
        // Retrying starts a fresh wait.
        try await database.retryRequest(id: id, now: Date())
        #expect(try await database.request(id: id).waitingSince == nil)
    }

    @Test("a backend unreachable for its fallback delay hands its requests to the fallback")
    func fallbackAfterDelay() async throws {
        let refused = LLMError(.unreachable, "cannot reach Ollama at http://127.0.0.1:11434: connection refused")
        let gpu = FakeLLMClient(name: "gpu", steps: [.fail(refused), .fail(refused)])
        let cpu = FakeLLMClient(name: "cpu", steps: [.answer("From the CPU box.")])
        let clock = ManualClock(date: Date(timeIntervalSince1970: 1_800_000_000))
        let (forum, database) = try await makeForum(clock: clock)
        let worker = makeWorker(forum: forum, clients: [gpu, cpu], clock: clock) {
            $0.retryDelay = .seconds(30)
            $0.backends[0].fallback = "cpu"
            $0.backends[0].fallbackAfter = .seconds(60)
        }
        let injected = try await forum.inject(
            raw: rawArticle(extraHeaders: ["X-FORLLM-Request: default; backend=gpu"])
        )
        let id = injected.requestIDs[0]

        // gpu cannot be reached from now on; the request waits for it, tried every 30 s.
        var job = try #require(try await worker.claimRunnable().first)
        #expect(job.backend == "gpu")
        await worker.execute(job)
        #expect(await worker.catalog.unreachableFor("gpu") == .zero)
        clock.advance(by: .seconds(30))
        // Down for 30 s, less than the fallback delay: still gpu.
        job = try #require(try await worker.claimRunnable().first)
        #expect(job.backend == "gpu")
        await worker.execute(job)
        clock.advance(by: .seconds(29))
        #expect(await worker.catalog.unreachableFor("gpu") == .seconds(59))
        #expect(try await worker.claimRunnable().isEmpty)
        clock.advance(by: .seconds(1))
        // Down for 60 s: the fallback takes the request.
        job = try #require(try await worker.claimRunnable().first)
        #expect(job.backend == "cpu")
        await worker.execute(job)

        let request = try await database.request(id: id)
        #expect(request.status == .done)
        #expect(request.backend == "cpu")
        #expect(request.attempts == 1)
        #expect(gpu.received.count == 2)
        #expect(cpu.received.count == 1)
        let answer = try #require(try await self.articles(database).last)
        #expect(answer["X-FORLLM-Backend"] == "cpu")
        #expect(ArticleText.plainText(of: answer).contains("From the CPU box."))
    }

    @Test("an unknown model fails at once, without retries")
    func unknownModel() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [.fail(LLMError(.modelNotFound, "model 'llama9' not found", httpStatus: 404))]
        )
        let worker = makeWorker(forum: forum, clients: [client])
        let injected = try await forum.inject(
            raw: rawArticle(extraHeaders: ["X-FORLLM-Request: default; model=llama9"])
        )
        let job = try #require(try await worker.claimRunnable().first)
        #expect(job.model == "llama9")
        await worker.execute(job)
        let request = try await database.request(id: injected.requestIDs[0])
        #expect(request.status == .failed)
        #expect(request.attempts == 1)
        #expect(request.error == "model 'llama9' not found")
    }

    @Test("a truncated answer says so in a header, in its last line and in the queue")
    func truncation() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [
            .answer(
                "Partial",
                truncations: [.answerCutOff, .promptTruncated(evaluatedTokens: 300, estimatedTokens: 2000)]
            )
        ])
        let worker = makeWorker(forum: forum, clients: [client]) { $0.maximumAnswerTokens = 512 }
        let injected = try await forum.inject(raw: rawArticle())
        await worker.execute(try #require(try await worker.claimRunnable().first))
        let answer = try #require(try await self.articles(database).last)
        let header = "max-answer-tokens, prompt (the model server read 300 of about 2000 tokens)"
        #expect(answer["X-FORLLM-Truncated"] == header)
        let body = String(decoding: answer.body, as: UTF8.self)
        #expect(body.contains("Partial\r\n\r\n[FORLLM: the answer was cut here at the limit of 512 tokens"))
        let request = try await database.request(id: injected.requestIDs[0])
        #expect(request.answerNotes.truncated == header)
        #expect(request.answerNotes.cleaned == nil)
        // What the generation cost is kept too, and is in the article's header.
        #expect(request.answerNotes.usage?.completionTokens != nil)
        #expect(answer["X-FORLLM-Usage"]?.contains("completion=") == true)
    }

    @Test("no more requests run on a backend than its concurrency allows")
    func capacity() async throws {
        let (forum, _) = try await makeForum()
        let worker = makeWorker(forum: forum, clients: [FakeLLMClient()]) { $0.backends[0].concurrency = 2 }
        for index in 1...3 {
            _ = try await forum.inject(raw: rawArticle(messageID: "<cap\(index)@example.org>"))
        }
        #expect(try await worker.claimRunnable().count == 2)
        #expect(try await worker.claimRunnable(busy: ["ollama": 2]).isEmpty)
        #expect(try await worker.claimRunnable(busy: ["ollama": 1]).count == 1)
    }

    @Test("a request cancelled while generating posts nothing")
    func cancelledWhileGenerating() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [.block("Too late")])
        let worker = makeWorker(forum: forum, clients: [client])
        let injected = try await forum.inject(raw: rawArticle())
        let job = try #require(try await worker.claimRunnable().first)
        async let run: Void = worker.execute(job)
        await client.waitForStart()
        _ = try await database.cancelRequest(id: injected.requestIDs[0], now: Date())
        client.release()
        await run
        #expect(try await database.request(id: injected.requestIDs[0]).status == .cancelled)
        #expect(try await self.articles(database).count == 1)
    }

    @Test("shutdown during a generation puts the request back to pending")
    func shutdown() async throws {
        let (forum, database) = try await makeForum()
        let client = FakeLLMClient(steps: [.block("never")])
        let worker = makeWorker(forum: forum, clients: [client])
        let injected = try await forum.inject(raw: rawArticle())
        let job = try #require(try await worker.claimRunnable().first)
        let task = Task { await worker.execute(job) }
        await client.waitForStart()
        task.cancel()
        await task.value
        let request = try await database.request(id: injected.requestIDs[0])
        #expect(request.status == .pending)
        #expect(request.attempts == 0)
        #expect(try await self.articles(database).count == 1)
    }

    @Test("the first backend offering the model is chosen; an explicit backend wins")
    func backendChoice() async throws {
        let (forum, _) = try await makeForum()
        let gpu = FakeLLMClient(name: "gpu", models: ["qwen2.5:7b"])
        let cpu = FakeLLMClient(name: "cpu", models: ["llama3.2:latest", "qwen2.5:7b"])
        let worker = makeWorker(forum: forum, clients: [gpu, cpu]) { $0.defaultBackend = "gpu" }
        _ = try await forum.inject(raw: rawArticle(messageID: "<b1@example.org>"))
        _ = try await forum.inject(
            raw: rawArticle(
                messageID: "<b2@example.org>",
                extraHeaders: ["X-FORLLM-Request: default; model=qwen2.5:7b"]
            )
        )
        _ = try await forum.inject(
            raw: rawArticle(
                messageID: "<b3@example.org>",
                extraHeaders: ["X-FORLLM-Request: default; model=qwen2.5:7b; backend=cpu"]
            )
        )
        // llama3.2 is only on cpu; qwen2.5 is on both, gpu comes first; the third names cpu,
        // which is busy with the first (concurrency 1), so it waits.
        let jobs = try await worker.claimRunnable()
        #expect(jobs.map(\.backend) == ["cpu", "gpu"])
        #expect(jobs.map(\.model) == ["llama3.2", "qwen2.5:7b"])
        let later = try await worker.claimRunnable()
        #expect(later.map(\.backend) == ["cpu"])
        #expect(later.map(\.model) == ["qwen2.5:7b"])
    }
}
