import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

@Suite("OllamaClient", .timeLimit(.minutes(1)))
struct OllamaClientTests {
    @Test("sends model, messages in order, stream, keep_alive and capped num_ctx; no Authorization")
    func requestBody() async throws {
        // The default maximum context length, 8192, caps the 32768 asked for.
        try await withStubClient(.ollama, apiKey: "sk-not-for-ollama") { client, stub, _ in
            var request = chatRequest(contextLength: 32768)
            request.messages.append(LLMMessage(role: .assistant, content: "An earlier answer."))
            request.messages.append(LLMMessage(role: .user, content: "Bob: and then?"))
            request.temperature = 0.25
            request.maximumTokens = 300
            _ = try await client.chat(request, progress: noProgress)

            let recorded = try #require(await stub.waitForChatRequests(count: 1).first)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/api/chat")
            #expect(recorded.header("Authorization") == nil)
            #expect(recorded.header("Content-Type") == "application/json")
            let json = try #require(recorded.json)
            #expect(json["model"] == "llama3.2")
            #expect(json["stream"] == true)
            #expect(json["keep_alive"] == "30m")
            #expect(json["options"] == ["num_ctx": 8192, "temperature": 0.25, "num_predict": 300])
            #expect(
                recorded.messages == [
                    LLMStubMessage(role: "system", content: "You are terse."),
                    LLMStubMessage(role: "user", content: "What is NNTP?\nSecond line."),
                    LLMStubMessage(role: "assistant", content: "An earlier answer."),
                    LLMStubMessage(role: "user", content: "Bob: and then?")
                ]
            )
        }
    }

    @Test("leaves options out when nothing is set, and takes the request's keep_alive")
    func minimalRequestBody() async throws {
        try await withStubClient(.ollama) { client, stub, _ in
            var request = chatRequest()
            request.keepAlive = "5m"
            _ = try await client.chat(request, progress: noProgress)
            let json = try #require(await stub.waitForChatRequests(count: 1).first?.json)
            #expect(json["options"] == nil)
            #expect(json["keep_alive"] == "5m")
        }
    }

    @Test("reads the context length from /api/show once per model")
    func contextLength() async throws {
        let models: [LLMStubServer.Model] = [.init(name: "llama3.2", contextLength: 131072), .init(name: "bare")]
        try await withStubClient(.ollama, models: models) { client, stub, _ in
            let length1 = try await client.contextLength(of: "llama3.2")
            #expect(length1 == 131072)
            let length2 = try await client.contextLength(of: "llama3.2")
            #expect(length2 == 131072)
            let length3 = try await client.contextLength(of: "bare")
            #expect(length3 == nil)
            let length4 = try await client.contextLength(of: "bare")
            #expect(length4 == nil)
            let requests = await stub.requests
            #expect(requests.map(\.path) == ["/api/show", "/api/show"])
            #expect(requests.map { $0.json?["model"] } == ["llama3.2", "bare"])
        }
    }

    @Test("/api/show for an unknown model is modelNotFound")
    func contextLengthOfUnknownModel() async throws {
        try await withStubClient(.ollama) { client, _, _ in
            let error = await #expect(throws: LLMError.self) {
                try await client.contextLength(of: "llama9")
            }
            #expect(error?.code == .modelNotFound)
        }
    }

    @Test("the model-not-found message tells how to pull the model")
    func modelNotFoundMessage() async throws {
        try await withStubClient(.ollama) { client, stub, _ in
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(model: "llama9"), progress: noProgress)
            }
            let port = await stub.port
            #expect(
                error?.message
                    == "Ollama at http://127.0.0.1:\(port): model 'llama9' not found (pull it with `ollama pull llama9`)"
            )
            #expect(error?.httpStatus == 404)
        }
    }

    @Test("a 404 that is not Ollama's JSON is a wrong URL, not a missing model")
    func notOllama() async throws {
        try await withStubClient(.ollama) { client, stub, _ in
            await stub.enqueue(.httpError(status: 404, rawBody: "404 page not found"))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .badStatus)
            #expect(error?.message.contains("is the URL right?") == true)
        }
    }

    @Test("a stream that ends without done:true is a retryable error")
    func endsWithoutDone() async throws {
        try await withStubClient(.ollama) { client, stub, _ in
            let line = #"{"message":{"role":"assistant","content":"Hi"},"done":false}"# + "\n"
            await stub.enqueue(.httpError(status: 200, rawBody: line))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .connectionFailed)
            #expect(error?.isRetryable == true)
        }
    }

    @Test("a prompt that filled the requested window counts as cut")
    func promptFilledWindow() async throws {
        let thread = String(repeating: "x", count: 12_000)  // about 3000 tokens
        try await withStubClient(.ollama) { client, stub, _ in
            await stub.enqueue(.answer(["ok"], promptTokens: 2000))
            let result = try await client.chat(chatRequest(user: thread, contextLength: 2048), progress: noProgress)
            guard case .promptTruncated(let evaluated, _) = result.truncations.first else {
                Issue.record("expected promptTruncated, got \(result.truncations)")
                return
            }
            #expect(evaluated == 2000)
        }
    }
}
