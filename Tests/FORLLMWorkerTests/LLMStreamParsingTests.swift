import NIOCore
import Testing

@testable import FORLLMWorker

@Suite("Line splitting and server-sent events")
struct LLMStreamParsingTests {
    /// Feeds `input` cut at `cuts` and returns the lines, including a last one without LF.
    private func lines(of input: [UInt8], cuts: [Int]) -> [String] {
        var splitter = LLMLineSplitter()
        var result: [String] = []
        var start = 0
        for end in cuts + [input.count] {
            splitter.append(ByteBuffer(bytes: input[start..<end]))
            while let line = splitter.nextLine() {
                result.append(String(buffer: line))
            }
            start = end
        }
        if let last = splitter.finish() {
            result.append(String(buffer: last))
        }
        return result
    }

    @Test("lines come out whole wherever the chunks are cut, once or twice")
    func everySplit() {
        let text = "{\"a\":\"Grüß\"}\r\n\n{\"b\":\"👍🏽\"}\nlast"
        let bytes = Array(text.utf8)
        let expected = ["{\"a\":\"Grüß\"}", "", "{\"b\":\"👍🏽\"}", "last"]
        for first in 0...bytes.count {
            #expect(self.lines(of: bytes, cuts: [first]) == expected, "cut at \(first)")
            for second in first...bytes.count {
                #expect(self.lines(of: bytes, cuts: [first, second]) == expected, "cuts at \(first), \(second)")
            }
        }
    }

    @Test("one byte at a time")
    func byteByByte() {
        let bytes = Array("one\ntwo\r\nthree\n".utf8)
        #expect(self.lines(of: bytes, cuts: Array(1..<bytes.count)) == ["one", "two", "three"])
    }

    @Test("no line before the LF, and nothing left after a final LF")
    func incomplete() {
        var splitter = LLMLineSplitter()
        splitter.append(ByteBuffer(string: "partial"))
        #expect(splitter.nextLine() == nil)
        #expect(splitter.bufferedByteCount == 7)
        splitter.append(ByteBuffer(string: " line\n"))
        #expect(splitter.nextLine().map { String(buffer: $0) } == "partial line")
        #expect(splitter.nextLine() == nil)
        #expect(splitter.finish() == nil)
    }

    private func events(_ text: String) -> [LLMServerSentEventParser.Event] {
        var parser = LLMServerSentEventParser()
        var splitter = LLMLineSplitter()
        splitter.append(ByteBuffer(string: text))
        var result: [LLMServerSentEventParser.Event] = []
        while let line = splitter.nextLine() {
            if let event = parser.feed(line: line) {
                result.append(event)
            }
        }
        if let line = splitter.finish(), let event = parser.feed(line: line) {
            result.append(event)
        }
        if let event = parser.finish() {
            result.append(event)
        }
        return result
    }

    @Test("data lines, comments, event names, CRLF and multi-line data")
    func serverSentEvents() {
        let stream =
            ": keep-alive\r\n"
            + "event: message\r\n"
            + "data: {\"n\":1}\r\n"
            + "\r\n"
            + "data:{\"n\":2}\n"
            + "id: 7\n"
            + "retry: 1000\n"
            + "\n"
            + "data: first\n"
            + "data: second\n"
            + "\n"
            + "\n"
            + "data: [DONE]"
        let events = self.events(stream)
        #expect(events.map(\.type) == ["message", nil, nil, nil])
        #expect(
            events.map { String(buffer: $0.data) } == ["{\"n\":1}", "{\"n\":2}", "first\nsecond", "[DONE]"]
        )
    }

    @Test("llama.cpp's `error:` field is an event of type error")
    func errorField() {
        let events = self.events("error: {\"message\":\"boom\"}\n\n")
        #expect(events.count == 1)
        #expect(events.first?.type == "error")
        #expect(events.first.map { String(buffer: $0.data) } == "{\"message\":\"boom\"}")
    }

    @Test("`data` with nothing after the colon is an empty event; a bare `data` line too")
    func emptyData() {
        let events = self.events("data:\n\ndata\n\n")
        #expect(events.map { $0.data.readableBytes } == [0, 0])
    }
}

@Suite("Answer accumulation and the truncation heuristic")
struct LLMAnswerTests {
    private func messages(characters: Int) -> [LLMMessage] {
        [
            LLMMessage(role: .system, content: "ab"),
            LLMMessage(role: .user, content: String(repeating: "x", count: characters - 2))
        ]
    }

    @Test("short prompts are never judged: the estimate is too rough below 512 tokens")
    func shortPrompt() {
        #expect(
            LLMTruncation.detectPromptTruncation(
                messages: self.messages(characters: 2000),
                evaluatedTokens: 10,
                contextLength: nil
            )
                == nil
        )
    }

    @Test(
        "fewer than half the estimated tokens means truncated",
        arguments: [(999, true), (1000, false), (1900, false)]
    )
    func halfRule(evaluated: Int, truncated: Bool) {
        // 8000 characters: an estimate of 2000 tokens.
        let result = LLMTruncation.detectPromptTruncation(
            messages: self.messages(characters: 8000),
            evaluatedTokens: evaluated,
            contextLength: nil
        )
        #expect(result == (truncated ? .promptTruncated(evaluatedTokens: evaluated, estimatedTokens: 2000) : nil))
    }

    @Test("a prompt that fits in the requested window is never judged cut: a low count is the prompt cache")
    func cachedPrefix() {
        // 8000 characters: an estimate of 2000 tokens, in an 8192-token window; the server
        // evaluated only the 300 its cache did not hold.
        #expect(
            LLMTruncation.detectPromptTruncation(
                messages: self.messages(characters: 8000),
                evaluatedTokens: 300,
                contextLength: 8192
            ) == nil
        )
        // Above the window, the same count is a cut.
        #expect(
            LLMTruncation.detectPromptTruncation(
                messages: self.messages(characters: 40000),
                evaluatedTokens: 300,
                contextLength: 8192
            ) == .promptTruncated(evaluatedTokens: 300, estimatedTokens: 10000)
        )
    }

    @Test(
        "a prompt larger than the window that filled it (within 5%) is truncated",
        arguments: [(2048, true), (1946, true), (1945, false)]
    )
    func windowRule(evaluated: Int, truncated: Bool) {
        // 12000 characters: an estimate of 3000 tokens, above a 2048-token window.
        let result = LLMTruncation.detectPromptTruncation(
            messages: self.messages(characters: 12000),
            evaluatedTokens: evaluated,
            contextLength: 2048
        )
        #expect(result == (truncated ? .promptTruncated(evaluatedTokens: evaluated, estimatedTokens: 3000) : nil))
    }

    @Test("no verdict without a prompt token count")
    func noCount() {
        #expect(
            LLMTruncation.detectPromptTruncation(
                messages: self.messages(characters: 80000),
                evaluatedTokens: nil,
                contextLength: 10
            )
                == nil
        )
    }

    @Test("the character count matches text.count however pieces split graphemes")
    func characterCount() async {
        let pieces = ["e", "\u{301}", "🇩", "🇪", "🇫", "🇷", "👍", "🏽", "👨", "\u{200D}", "👩", "\r", "\n", "x"]
        var answer = LLMAnswerAccumulator(
            timeline: Timeline(ContinuousClock()),
            start: .zero,
            request: LLMChatRequest(model: "m", messages: []),
            progress: { _ in }
        )
        for piece in pieces {
            _ = await answer.append(piece)
            #expect(answer.characterCount == answer.text.count, "after \(piece.unicodeScalars.map(\.value))")
        }
    }

    @Test("durations in messages")
    func durations() {
        #expect(Duration.seconds(300).formattedForLLMMessage == "300 s")
        #expect(Duration.milliseconds(250).formattedForLLMMessage == "0.25 s")
    }
}
