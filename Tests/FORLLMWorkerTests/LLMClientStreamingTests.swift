import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

/// Behaviour both wire formats must share, each test run against an Ollama and an OpenAI stub.
@Suite("LLM clients against loopback stubs", .timeLimit(.minutes(1)))
struct LLMClientStreamingTests {
    static let formats: [LLMStubServer.WireFormat] = [.ollama, .openai]

    @Test("streams pieces whose lines are split mid-line and mid-UTF-8", arguments: Self.formats)
    func streamsSplitLines(format: LLMStubServer.WireFormat) async throws {
        let pieces = ["Grüß", " dich", ", 世界", " 👍🏽", "!\n\nNext \"quoted\" line\\"]
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(pieces, promptTokens: 42, completionTokens: 5))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.text == pieces.joined())
            #expect(result.finishReason == "stop")
            #expect(result.promptTokens == 42)
            #expect(result.completionTokens == 5)
            #expect(result.truncations.isEmpty)
            let firstToken = try #require(result.timeToFirstToken)
            #expect(firstToken <= result.totalTime)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.completed])
        }
    }

    @Test("reads many lines arriving in one chunk", arguments: Self.formats)
    func readsCoalescedLines(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            var behaviour = LLMStubBehaviour.answer((1...50).map { "w\($0) " })
            behaviour.chunking = .allAtOnce
            await stub.enqueue(behaviour)
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.text == (1...50).map { "w\($0) " }.joined())
        }
    }

    @Test("without a script the stub echoes the last user message's first line", arguments: Self.formats)
    func echoesByDefault(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, _, _ in
            let result = try await client.chat(chatRequest(user: "Why is the sky blue?\nThanks."), progress: noProgress)
            #expect(result.text == "Answer to: Why is the sky blue?")
        }
    }

    @Test("lists the models", arguments: Self.formats)
    func listsModels(format: LLMStubServer.WireFormat) async throws {
        let models: [LLMStubServer.Model] = [.init(name: "llama3.2:latest", sizeBytes: 123), .init(name: "qwen2.5:7b")]
        try await withStubClient(format, models: models) { client, _, _ in
            let names = try await client.models().map(\.name)
            #expect(names == ["llama3.2:latest", "qwen2.5:7b"])
        }
    }

    @Test("an unknown model is modelNotFound and not retryable", arguments: Self.formats)
    func unknownModel(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, _, _ in
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(model: "llama9"), progress: noProgress)
            }
            #expect(error?.code == .modelNotFound)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("'llama9' not found") == true)
        }
    }

    @Test("HTTP 500 is a retryable badStatus carrying the server's message", arguments: Self.formats)
    func serverError(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.httpError(status: 500, message: "llama runner process has terminated"))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .badStatus)
            #expect(error?.httpStatus == 500)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("llama runner process has terminated") == true)
        }
    }

    @Test("HTTP 400 that is not about the model is a badStatus that is not retryable", arguments: Self.formats)
    func clientError(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.httpError(status: 400, message: "invalid temperature"))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .badStatus)
            #expect(error?.httpStatus == 400)
            #expect(error?.isRetryable == false)
        }
    }

    @Test("an error in the middle of the stream is a streamError with the server's text", arguments: Self.formats)
    func midStreamError(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.streamError(after: ["Once upon", " a time"], message: "CUDA error: out of memory"))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .streamError)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("CUDA error: out of memory") == true)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.sentStreamError])
        }
    }

    @Test("a connection cut mid-stream is a retryable error, never a partial answer", arguments: Self.formats)
    func disconnectMidStream(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.disconnect(after: ["Half", " an answer"]))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .connectionFailed)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("closed the connection in the middle of the response") == true)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.disconnectedAsScripted])
        }
    }

    @Test(
        "silence after the headers times out and cancels the request",
        arguments: Self.formats
    )
    func hangAfterHeaders(format: LLMStubServer.WireFormat) async throws {
        let clock = ManualClock()
        try await withStubClient(format, inactivityTimeout: .milliseconds(300), clock: clock) { client, stub, logs in
            await stub.enqueue(.hangAfterHeaders)
            let chat = Task { try await client.chat(chatRequest(), progress: noProgress) }
            // The client has the headers (which reset the timeout) and waits for the body.
            await logs.waitForMessage("LLM response head received")
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .milliseconds(299))
            // Not yet: the timeout is still asleep.
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(1))
            let error = await #expect(throws: LLMError.self) {
                try await chat.value
            }
            #expect(error?.code == .timedOut)
            #expect(error?.isRetryable == true)
            #expect(error?.message == "no data from stub for 0.3 s")
            // The request did not leak: the stub saw the client close the connection.
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("silence before the headers (a model loading forever) times out", arguments: Self.formats)
    func hangBeforeHeaders(format: LLMStubServer.WireFormat) async throws {
        let clock = ManualClock()
        try await withStubClient(format, inactivityTimeout: .milliseconds(300), clock: clock) { client, stub, _ in
            await stub.enqueue(.hangBeforeHeaders)
            let chat = Task { try await client.chat(chatRequest(), progress: noProgress) }
            await stub.waitForChatRequests(count: 1)
            // Nothing arrives, so nothing resets the timeout: the time since the request counts.
            clock.advance(by: .milliseconds(300))
            let error = await #expect(throws: LLMError.self) {
                try await chat.value
            }
            #expect(error?.code == .timedOut)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    // The paced stub sends a piece only when the test releases it, and the client measures
    // silences on a manual clock: the tests below do not depend on the machine's speed.
    // Pieces of 200 characters or more are reported as soon as they arrive, so a progress
    // report tells the test that the client has the piece (and has reset its timeout).

    @Test("the inactivity timeout limits silences, not the whole answer", arguments: Self.formats)
    func slowSteadyStream(format: LLMStubServer.WireFormat) async throws {
        let pieces = (1...8).map { String(repeating: "p\($0) ", count: 70) }
        let clock = ManualClock()
        try await withPacedStubClient(format, pieces: pieces, inactivityTimeout: .seconds(1), clock: clock) {
            client,
            stub in
            let progress = ProgressStream()
            let chat = Task { try await client.chat(chatRequest(), progress: progress.callback) }
            var reports = progress.reports.makeAsyncIterator()
            for _ in pieces {
                await stub.release()
                _ = await reports.next()
                // A silence shorter than the timeout.
                clock.advance(by: .milliseconds(900))
            }
            await stub.release()
            let result = try await chat.value
            #expect(result.text == pieces.joined())
            // The whole answer took longer than the timeout.
            #expect(result.totalTime > .seconds(1))
            #expect(result.totalTime == .milliseconds(7200))
            #expect(await stub.waitForChatOutcome() == .completed)
        }
    }

    @Test("a silence as long as the timeout in the middle of the answer ends it", arguments: Self.formats)
    func silenceMidAnswer(format: LLMStubServer.WireFormat) async throws {
        let pieces = (1...3).map { String(repeating: "w\($0) ", count: 70) }
        let clock = ManualClock()
        try await withPacedStubClient(format, pieces: pieces, inactivityTimeout: .seconds(1), clock: clock) {
            client,
            stub in
            let progress = ProgressStream()
            let chat = Task { try await client.chat(chatRequest(), progress: progress.callback) }
            var reports = progress.reports.makeAsyncIterator()
            await stub.release()
            #expect(await reports.next() == 210)
            // Just under the timeout: the next piece is still taken.
            clock.advance(by: .milliseconds(999))
            await stub.release()
            #expect(await reports.next() == 420)
            clock.advance(by: .seconds(1))
            let error = await #expect(throws: LLMError.self) {
                try await chat.value
            }
            #expect(error?.code == .timedOut)
            #expect(error?.isRetryable == true)
            #expect(error?.message == "no data from stub for 1 s")
            // The request did not leak: the stub saw the client close the connection.
            #expect(await stub.waitForChatOutcome() == .clientClosedConnection)
        }
    }

    @Test("a refused connection is unreachable", arguments: Self.formats)
    func connectionRefused(format: LLMStubServer.WireFormat) async throws {
        let closed = try ClosedPort()
        defer { closed.release() }
        let port = closed.port
        let path = format == .openai ? "/v1" : ""
        try await withStubClient(format, url: "http://127.0.0.1:\(port)\(path)") { client, _, _ in
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .unreachable)
            #expect(error?.isRetryable == true)
            #expect(error?.message.contains("127.0.0.1:\(port)") == true)
            // "refused", not "no connection within 10 s": the refusal itself ended the attempt
            // (a wall-clock bound here failed on a loaded machine and proved nothing more).
            #expect(error?.message.contains("refused") == true, "\(error?.message ?? "")")
        }
    }

    @Test("finish reason `length` means the answer was cut off", arguments: Self.formats)
    func answerCutOff(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(["It all began"], finishReason: "length"))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.finishReason == "length")
            #expect(result.truncations == [.answerCutOff])
        }
    }

    @Test("far fewer prompt tokens than the prompt's size means the prompt was cut", arguments: Self.formats)
    func promptTruncated(format: LLMStubServer.WireFormat) async throws {
        let longThread = String(repeating: "Earlier posts of the thread. ", count: 140)  // 4060 characters
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(["ok"], promptTokens: 300))
            await stub.enqueue(.answer(["ok"], promptTokens: 900))
            let request = chatRequest(user: longThread)
            let estimate = request.messages.reduce(0) { $0 + $1.content.count } / 4
            let cut = try await client.chat(request, progress: noProgress)
            #expect(cut.truncations == [.promptTruncated(evaluatedTokens: 300, estimatedTokens: estimate)])
            let whole = try await client.chat(request, progress: noProgress)
            #expect(whole.truncations.isEmpty)
        }
    }

    @Test("progress grows monotonically and ends at the text's length", arguments: Self.formats)
    func progress(format: LLMStubServer.WireFormat) async throws {
        // Pieces that continue the previous character: a combining accent, a flag's second half,
        // a skin tone; the count must still equal `text.count`.
        let pieces = ["Caf", "e", "\u{301} ", "🇩", "🇪", " 👍", "🏽 "] + (1...120).map { "word\($0) " }
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(pieces))
            let recorder = ProgressRecorder()
            let result = try await client.chat(chatRequest(), progress: recorder.callback)
            let reports = recorder.reports
            #expect(reports == reports.sorted())
            #expect(Set(reports).count == reports.count, "no report repeats the previous one")
            #expect(reports.last == result.text.count)
            #expect(result.text.count < result.text.unicodeScalars.count)
            // Throttled: one report per 200 characters or 250 ms, not one per piece.
            #expect(reports.count >= result.text.count / 200)
            #expect(reports.count < pieces.count / 2)
        }
    }

    @Test("cancelling the calling task ends the request at once", arguments: Self.formats)
    func cancellation(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format, inactivityTimeout: .seconds(60)) { client, stub, _ in
            await stub.enqueue(.hangAfterHeaders)
            let task = Task {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            await stub.waitForChatRequests(count: 1)
            task.cancel()
            let outcome = await task.result
            // A CancellationError, not the inactivity timeout's `timedOut` 60 s later: the
            // cancellation itself ended the request (a wall-clock bound here failed on a loaded
            // machine and proved nothing more).
            #expect(throws: CancellationError.self) { try outcome.get() }
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("a stream without any text is emptyAnswer", arguments: Self.formats)
    func emptyAnswer(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer([]))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .emptyAnswer)
        }
    }

    @Test("a body that is not the wire format is invalidResponse", arguments: Self.formats)
    func invalidResponse(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            let garbage = format == .ollama ? "<html>hello</html>\n" : "data: <html>hello</html>\n\n"
            await stub.enqueue(.httpError(status: 200, rawBody: garbage))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .invalidResponse)
            #expect(error?.message.contains("<html>hello</html>") == true)
        }
    }

    @Test("the stub counts requests in flight; gated requests wait for the gate", arguments: Self.formats)
    func inFlight(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.setDefaultBehaviour(LLMStubBehaviour.echo.gated())
            async let first = client.chat(chatRequest(user: "one"), progress: noProgress)
            async let second = client.chat(chatRequest(user: "two"), progress: noProgress)
            await stub.waitForInFlight(atLeast: 2)
            #expect(await stub.chatOutcomes.isEmpty)
            await stub.openGate()
            let texts = try await [first.text, second.text]
            #expect(texts == ["Answer to: one", "Answer to: two"])
            #expect(await stub.maxInFlight == 2)
            #expect(await stub.inFlight == 0)
        }
    }
}
