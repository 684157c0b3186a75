import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

/// The bounds every answer gets from the client, whatever the server does, in both wire formats.
@Suite("LLM clients bound every answer", .timeLimit(.minutes(1)))
struct LLMClientBoundsTests {
    static let formats: [LLMStubServer.WireFormat] = [.ollama, .openai]

    private func request(
        maximumTokens: Int? = nil,
        maximumBytes: Int? = nil,
        stopsRepetition: Bool = true
    )
        -> LLMChatRequest
    {
        var request = chatRequest()
        request.maximumTokens = maximumTokens
        request.maximumBytes = maximumBytes
        request.stopsRepetition = stopsRepetition
        return request
    }

    @Test(
        "a server that streams forever is cut at the token limit and sees the client hang up",
        arguments: Self.formats
    )
    func forever(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            // Never the same text twice, so that only the token limit can end it.
            await stub.enqueue(.forever(after: ["Counting: "], repeating: (1...50).map { "n\($0), " }))
            let result = try await client.chat(
                self.request(maximumTokens: 300, stopsRepetition: false),
                progress: noProgress
            )
            #expect(result.truncations == [.answerCutOff])
            #expect(result.text.hasPrefix("Counting: n1, n2, "))
            // One piece past the limit ends it: the limit is the token count, not more.
            #expect(result.completionTokens == 301)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("the byte bound holds when tokens are large, and the text ends on a character", arguments: Self.formats)
    func bytes(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.forever(repeating: (1...40).map { "世界\($0)é " }))
            let result = try await client.chat(
                self.request(maximumTokens: 100_000, maximumBytes: 5000, stopsRepetition: false),
                progress: noProgress
            )
            #expect(result.truncations == [.articleSize(bytes: 5000)])
            #expect(result.text.utf8.count <= 5000)
            #expect(result.text.utf8.count > 4990)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("a loop after a normal paragraph: the paragraph is kept, the loop cut early", arguments: Self.formats)
    func loop(format: LLMStubServer.WireFormat) async throws {
        let paragraph = ["The answer ", "is simple: ", "restart the ", "service.\n\n"]
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.forever(after: paragraph, repeating: ["and ", "again "]))
            let result = try await client.chat(self.request(maximumTokens: 4096), progress: noProgress)
            guard case .repetition(let loop) = result.truncations.first else {
                Issue.record("no repetition found: \(result.truncations)")
                return
            }
            #expect(loop.period == 10)
            #expect(result.text.hasPrefix(paragraph.joined()))
            #expect(result.text.count <= paragraph.joined().count + 10)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.clientClosedConnection])
        }
    }

    @Test("llm.stop_repetition off: the same loop runs to the token limit", arguments: Self.formats)
    func loopAllowed(format: LLMStubServer.WireFormat) async throws {
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.forever(repeating: ["and ", "again "]))
            let result = try await client.chat(
                self.request(maximumTokens: 600, stopsRepetition: false),
                progress: noProgress
            )
            #expect(result.truncations == [.answerCutOff])
            #expect(result.text.hasPrefix("and again and again"))
        }
    }

    @Test("NUL, BEL, escapes and invalid UTF-8 in the stream are read, not fatal", arguments: Self.formats)
    func badText(format: LLMStubServer.WireFormat) async throws {
        let bad = "x\(LLMStubBehaviour.invalidUTF8Placeholder)y"
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(["Line one\u{0}.", "\u{7}Bell, \u{1B}[1mbold\u{1B}[0m, ", bad, " end."]))
            let result = try await client.chat(self.request(), progress: noProgress)
            #expect(result.text == "Line one\u{0}.\u{7}Bell, \u{1B}[1mbold\u{1B}[0m, x\u{FFFD}y end.")
            #expect(result.invalidUTF8Replaced == 1)
            #expect(result.truncations.isEmpty)
            #expect(await stub.waitForChatOutcomes(count: 1) == [.completed])
        }
    }

    @Test("a long legitimate answer with a table and repeated code lines is untouched", arguments: Self.formats)
    func legitimate(format: LLMStubServer.WireFormat) async throws {
        var pieces: [String] = []
        var rest = Substring(legitimateLongAnswer)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(5)))
            rest = rest.dropFirst(5)
        }
        try await withStubClient(format) { client, stub, _ in
            await stub.enqueue(.answer(pieces))
            let result = try await client.chat(self.request(maximumTokens: 4096), progress: noProgress)
            #expect(result.text == legitimateLongAnswer)
            #expect(result.truncations.isEmpty)
        }
    }
}
