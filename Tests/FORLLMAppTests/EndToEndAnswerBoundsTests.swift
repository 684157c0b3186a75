import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

/// The whole application against stubs that misbehave as small local models do: never stop,
/// loop, or send bytes an article cannot hold. Every answer is posted, bounded and marked, and
/// the worker goes on with the next request.
@Suite("End to end: every answer is bounded and clean", .endToEnd(timeLimit: .seconds(120)))
struct EndToEndAnswerBoundsTests {
    static let formats: [LLMStubServer.WireFormat] = [.ollama, .openai]

    /// An app with one backend of `format` answered by `stub`, with these limits when given.
    private func withApp(
        _ format: LLMStubServer.WireFormat,
        maximumAnswerTokens: Int? = nil,
        maximumArticleBytes: Int? = nil,
        _ body: (RunningApp, LLMStubServer, NNTPTestClient, TestDirectory) async throws -> Void
    ) async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let stub = LLMStubServer(format, models: [.init(name: "llama3.2")])
        try await stub.start()
        var configuration = RunningApp.configuration(
            directory: directory,
            backends: [("gpu", format == .ollama ? .ollama : .openai, await stub.baseURL)]
        )
        if let maximumAnswerTokens { configuration.worker.maximumAnswerTokens = maximumAnswerTokens }
        if let maximumArticleBytes { configuration.forum.postingPolicy.maximumBytes = maximumArticleBytes }
        let app = try await RunningApp.start(configuration)
        let client = try await app.connect()
        do {
            try await body(app, stub, client, directory)
        } catch {
            try? await app.stop()
            await stub.shutdown()
            throw error
        }
        try await app.stop()
        await stub.shutdown()
    }

    /// Posts question `id` asking the default persona; returns its request.
    private func ask(_ id: String, _ app: RunningApp, _ client: NNTPTestClient) async throws -> Int64 {
        #expect(try await client.postArticle(EndToEndBackendTests.question(id, request: "default")).code == 240)
        let requestID = try await app.waitFor("the request of \(id)") { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT id FROM request WHERE message_id = ?",
                arguments: ["<\(id)@example.org>"]
            )
        }
        return requestID
    }

    /// The body as a reader sees it: decoded, format=flowed lines joined, LF line ends.
    private func body(_ article: Article) -> String {
        ArticleText.plainText(of: article)
    }

    @Test(
        "a model that never stops: the answer is posted at the token limit, marked, and the next request runs",
        arguments: Self.formats
    )
    func neverStops(format: LLMStubServer.WireFormat) async throws {
        try await self.withApp(format, maximumAnswerTokens: 200) { app, stub, client, _ in
            await stub.enqueue(.forever(after: ["Well, "], repeating: (1...97).map { "step \($0), " }))
            await stub.enqueue(.answer(["Short ", "and ", "done."]))
            let first = try await self.ask("forever", app, client)
            let second = try await self.ask("next", app, client)
            let done = try await app.waitForRequest(first)
            #expect(done.answerNotes.truncated == "max-answer-tokens")
            let whole = try await app.waitForRequest(second).answerNotes
            #expect(whole.truncated == nil)
            #expect(whole.cleaned == nil)
            // The stub sees the closed connection at its next write, which may come after the next
            // request completed: the two outcomes are compared without their order.
            let outcomes = await stub.waitForChatOutcomes(count: 2)
            #expect(outcomes.sorted { "\($0)" < "\($1)" } == [.clientClosedConnection, .completed], "\(outcomes)")

            let answer = try #require(try await EndToEndBackendTests.answer(to: "forever", client: client))
            #expect(answer["X-FORLLM-Truncated"] == "max-answer-tokens")
            let text = self.body(answer)
            #expect(text.hasPrefix("Well, step 1, step 2, "))
            #expect(
                text.contains("[FORLLM: the answer was cut here at the limit of 200 tokens (llm.max_answer_tokens).]")
            )
            let next = try #require(try await EndToEndBackendTests.answer(to: "next", client: client))
            #expect(next["X-FORLLM-Truncated"] == nil)
            #expect(self.body(next).hasPrefix("Short and done."))
        }
    }

    @Test("a model that loops after a normal paragraph: the paragraph is posted, the loop cut", arguments: Self.formats)
    func loops(format: LLMStubServer.WireFormat) async throws {
        try await self.withApp(format) { app, stub, client, _ in
            await stub.enqueue(
                .forever(after: ["Restart the service, ", "then check the log.\n\n"], repeating: ["and again "])
            )
            let request = try await app.waitForRequest(try await self.ask("loop", app, client))
            let answer = try #require(try await EndToEndBackendTests.answer(to: "loop", client: client))
            let truncated = try #require(request.answerNotes.truncated)
            #expect(truncated.hasPrefix("repetition (a 10-byte passage "))
            #expect(truncated == answer["X-FORLLM-Truncated"])
            let text = self.body(answer)
            #expect(text.hasPrefix("Restart the service, then check the log.\n\nand again\n\n[FORLLM: the model kept"))
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("an answer larger than an article may be is cut to fit server.max_article_bytes", arguments: Self.formats)
    func articleSize(format: LLMStubServer.WireFormat) async throws {
        try await self.withApp(format, maximumAnswerTokens: 1_000_000, maximumArticleBytes: 16_384) {
            app,
            stub,
            client,
            _ in
            await stub.enqueue(.forever(repeating: (1...300).map { "Zeile \($0) über Größe.\n" }))
            let request = try await app.waitForRequest(try await self.ask("large", app, client))
            #expect(request.answerNotes.truncated == "article-size (16384 bytes)")
            let answer = try #require(try await EndToEndBackendTests.answer(to: "large", client: client))
            #expect(answer.serializedByteCount <= 16_384)
            #expect(answer.serializedByteCount > 12_000)
            #expect(self.body(answer).contains("an article holds at most 16384 bytes (server.max_article_bytes)"))
        }
    }

    @Test(
        "NUL, bell, escapes and invalid UTF-8: posted clean, with what was removed on record",
        arguments: Self.formats
    )
    func badBytes(format: LLMStubServer.WireFormat) async throws {
        try await self.withApp(format) { app, stub, client, directory in
            let invalid = LLMStubBehaviour.invalidUTF8Placeholder
            await stub.enqueue(
                .answer([
                    "Line one\u{0}.\n", "\u{7}Ring, \u{1B}[1mbold\u{1B}[0m,", " bad\(invalid)byte,", " ünïcödé 世界.\r\n",
                    "End."
                ])
            )
            let id = try await self.ask("bytes", app, client)
            let request = try await app.waitForRequest(id)
            let removed =
                "removed 1 NUL (U+0000), 1 BEL (U+0007), 2 ESC (U+001B); "
                + "replaced 1 invalid UTF-8 sequence by U+FFFD"
            #expect(request.answerNotes.truncated == nil)
            #expect(request.answerNotes.cleaned == removed)
            let answer = try #require(try await EndToEndBackendTests.answer(to: "bytes", client: client))
            #expect(answer["X-FORLLM-Cleaned"] == removed)
            #expect(answer["X-FORLLM-Truncated"] == nil)
            // Everything else is there, byte for byte.
            #expect(self.body(answer).hasPrefix("Line one.\nRing, [1mbold[0m, bad\u{FFFD}byte, ünïcödé 世界.\nEnd.\n"))
            let shown = try await ForLLMProcess.run(
                ["queue", "show", String(id), "--database", directory.databasePath],
                in: directory
            )
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("cleaned:   \(removed)"))
            #expect(shown.stdout.contains("usage:     prompt "), "\(shown.stdout)")
            let json = try await ForLLMProcess.run(
                ["queue", "show", String(id), "--json", "--database", directory.databasePath],
                in: directory
            )
            #expect(json.stdout.contains("\"completion_tokens\" : 5"), "\(json.stdout)")
            #expect(json.stdout.contains("\"first_token_milliseconds\""))
        }
    }
}
