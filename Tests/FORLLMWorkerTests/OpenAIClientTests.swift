import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

@Suite("OpenAIClient", .timeLimit(.minutes(1)))
struct OpenAIClientTests {
    static let key = "sk-test-7f3a9c1e5b"

    @Test("sends model, messages, stream_options, temperature, max_tokens and the bearer key")
    func requestBody() async throws {
        try await withStubClient(.openai, requiredAPIKey: Self.key, apiKey: Self.key) { client, stub, _ in
            var request = chatRequest(contextLength: 4096)
            request.temperature = 0.5
            request.maximumTokens = 256
            request.keepAlive = "10m"
            _ = try await client.chat(request, progress: noProgress)

            let recorded = try #require(await stub.waitForChatRequests(count: 1).first)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.header("Authorization") == "Bearer \(Self.key)")
            let json = try #require(recorded.json)
            #expect(json["model"] == "llama3.2")
            #expect(json["stream"] == true)
            #expect(json["stream_options"] == ["include_usage": true])
            #expect(json["temperature"] == 0.5)
            #expect(json["max_tokens"] == 256)
            #expect(json["keep_alive"] == nil)
            #expect(json["options"] == nil)
            #expect(
                recorded.messages == [
                    LLMStubMessage(role: "system", content: "You are terse."),
                    LLMStubMessage(role: "user", content: "What is NNTP?\nSecond line.")
                ]
            )
        }
    }

    @Test("sends no Authorization header without a key, and no optional fields")
    func noKey() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            _ = try await client.chat(chatRequest(), progress: noProgress)
            _ = try await client.models()
            let requests = await stub.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.header("Authorization") == nil })
            #expect(requests[0].json?["temperature"] == nil)
            #expect(requests[0].json?["max_tokens"] == nil)
            #expect(requests[1].path == "/v1/models")
        }
    }

    @Test("reads the usage chunk")
    func usage() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.answer(["a", "b", "c"], promptTokens: 17, completionTokens: 3))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.promptTokens == 17)
            #expect(result.completionTokens == 3)
        }
    }

    @Test("cached prompt tokens: OpenAI's prompt_tokens_details, else llama.cpp's timings")
    func cachedTokens() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.answer(["a", "b"], promptTokens: 1834, cachedPromptTokens: 1610, completionTokens: 2))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.promptTokens == 1834)
            #expect(result.cachedPromptTokens == 1610)
            #expect(result.usage.headerValue?.hasPrefix("prompt=1834; cached=1610; completion=2; first-token=") == true)
        }
        // llama.cpp's server without the usage chunk: the prompt is timings.cache_n + prompt_n.
        try await withStubClient(.openai, sendsUsage: false) { client, stub, _ in
            await stub.enqueue(.answer(["a", "b"], promptTokens: 900, cachedPromptTokens: 850, completionTokens: 2))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.promptTokens == 900)
            #expect(result.cachedPromptTokens == 850)
        }
        // No cache reported: nothing is made up.
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.answer(["a"], promptTokens: 40, completionTokens: 1))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.cachedPromptTokens == nil)
        }
    }

    @Test("servers that ignore stream_options and send no usage are fine")
    func noUsage() async throws {
        try await withStubClient(.openai, sendsUsage: false) { client, stub, _ in
            await stub.enqueue(.answer(["a", "b"], promptTokens: 17))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.text == "ab")
            #expect(result.promptTokens == nil)
            #expect(result.completionTokens == nil)
            #expect(result.truncations.isEmpty)
        }
    }

    @Test("tolerates CRLF line ends, comments and event fields")
    func sseExtras() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            var behaviour = LLMStubBehaviour.answer(["Hel", "lo ", "wörld"])
            behaviour.usesCRLF = true
            behaviour.sendsSSEExtras = true
            await stub.enqueue(behaviour)
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.text == "Hello wörld")
        }
    }

    @Test(
        "error events of llama.cpp (`error:` field) and older vLLM (`object: error`) are streamErrors",
        arguments: [
            #"error: {"code":500,"message":"context shift is disabled","type":"server_error"}"# + "\n\n",
            #"data: {"object":"error","message":"context shift is disabled","type":"BadRequestError","code":400}"#
                + "\n\n"
        ]
    )
    func otherErrorEvents(body: String) async throws {
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.httpError(status: 200, rawBody: body))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .streamError)
            #expect(error?.message.contains("context shift is disabled") == true)
        }
    }

    @Test("a stream that closes after the finish reason but before [DONE] is complete")
    func finishWithoutDone() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            let body =
                #"data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"# + "\n\n"
                + #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"
            await stub.enqueue(.httpError(status: 200, rawBody: body))
            let result = try await client.chat(chatRequest(), progress: noProgress)
            #expect(result.text == "Hi")
            #expect(result.finishReason == "stop")
        }
    }

    @Test("a missing or wrong key is unauthorized, and the key shows up in no message or log line")
    func unauthorized() async throws {
        let wrongKey = "sk-wrong-0c4d2e"
        try await withStubClient(.openai, requiredAPIKey: Self.key, apiKey: wrongKey) { client, stub, logs in
            let chatError = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(chatError?.code == .unauthorized)
            #expect(chatError?.isRetryable == false)
            #expect(chatError?.httpStatus == 401)
            let modelsError = await #expect(throws: LLMError.self) {
                try await client.models()
            }
            #expect(modelsError?.code == .unauthorized)

            // A server that echoes the key in its error text.
            await stub.setRequiredAPIKey(nil)
            await stub.enqueue(.httpError(status: 500, message: "bad key \(wrongKey) for this route"))
            let echoed = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(echoed?.message.contains("bad key <API key> for this route") == true)

            await stub.enqueue(.streamError(after: ["x"], message: "key=\(wrongKey)"))
            _ = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            _ = try await client.chat(chatRequest(), progress: noProgress)

            let texts =
                [chatError, modelsError, echoed].compactMap { $0 }.flatMap { [$0.message, $0.description] }
                + logs.lines
            #expect(logs.lines.count > 5)
            for text in texts {
                #expect(!text.contains(wrongKey), "\(text)")
                #expect(!text.contains("sk-wrong"), "\(text)")
            }
            let configuration = LLMBackendConfiguration(name: "x", type: .openai, apiKey: wrongKey)
            #expect(!configuration.description.contains(wrongKey))
            #expect(!"\(configuration)".contains(wrongKey))
        }
    }

    @Test("a 400 naming the model is modelNotFound")
    func badRequestNamingModel() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.httpError(status: 400, message: "Model 'llama3.2' is not loaded"))
            let error = await #expect(throws: LLMError.self) {
                try await client.chat(chatRequest(), progress: noProgress)
            }
            #expect(error?.code == .modelNotFound)
            #expect(error?.isRetryable == false)
        }
    }

    @Test("the context length comes from llama.cpp's meta.n_ctx_train when the server lists it")
    func contextLength() async throws {
        let models: [LLMStubServer.Model] = [.init(name: "qwen2.5", contextLength: 32768), .init(name: "plain")]
        try await withStubClient(.openai, models: models) { client, stub, _ in
            let length1 = try await client.contextLength(of: "qwen2.5")
            #expect(length1 == 32768)
            let length2 = try await client.contextLength(of: "qwen2.5")
            #expect(length2 == 32768)
            let length3 = try await client.contextLength(of: "plain")
            #expect(length3 == nil)
            let length4 = try await client.contextLength(of: "unlisted")
            #expect(length4 == nil)
            #expect(await stub.requests.count == 3)
        }
    }
}
