import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Testing

/// Images on the wire (issue 10, part 1): what the stub receives in each format, streaming.
@Suite("Attachment wire formats", .timeLimit(.minutes(1)))
struct AttachmentWireTests {
    static let png = LLMImage(
        mediaType: "image/png",
        base64: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )
    static let gif = LLMImage(mediaType: "image/gif", bytes: Array("GIF89a".utf8))

    static func request() -> LLMChatRequest {
        LLMChatRequest(
            model: "llama3.2",
            messages: [
                LLMMessage(role: .system, content: "You are terse."),
                LLMMessage(role: .user, content: "Alice wrote:\n\nWhat is this?", images: [Self.png, Self.gif]),
                LLMMessage(role: .assistant, content: "A dot."),
                LLMMessage(role: .user, content: "And now?")
            ]
        )
    }

    @Test("Ollama: base64 strings in the message's images; messages without images have no key")
    func ollama() async throws {
        try await withStubClient(.ollama) { client, stub, _ in
            await stub.enqueue(.answer(["A ", "red ", "dot."]))
            let result = try await client.chat(Self.request(), progress: noProgress)
            #expect(result.text == "A red dot.")
            let recorded = try #require(await stub.waitForChatRequests(count: 1).first)
            let images = recorded.images(ofMessage: 1)
            #expect(images.map(\.base64) == [Self.png.base64, "R0lGODlh"])
            #expect(images.map(\.form) == ["ollama", "ollama"])
            #expect(recorded.messages[1].content == "Alice wrote:\n\nWhat is this?")
            #expect(recorded.json?["messages"]?[1]?["content"]?.stringValue == "Alice wrote:\n\nWhat is this?")
            for index in [0, 2, 3] {
                #expect(recorded.json?["messages"]?[index]?["images"] == nil)
            }
        }
    }

    @Test("OpenAI: content becomes text and image_url parts with data URLs only where there are images")
    func openAI() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            await stub.enqueue(.answer(["A ", "red ", "dot."]))
            let result = try await client.chat(Self.request(), progress: noProgress)
            #expect(result.text == "A red dot.")
            let recorded = try #require(await stub.waitForChatRequests(count: 1).first)
            #expect(recorded.contentIsArray(ofMessage: 1))
            let parts = try #require(recorded.json?["messages"]?[1]?["content"]?.arrayValue)
            #expect(parts.count == 3)
            #expect(parts[0] == ["type": "text", "text": "Alice wrote:\n\nWhat is this?"])
            #expect(parts[1]["type"] == "image_url")
            #expect(parts[1]["image_url"]?["url"]?.stringValue == "data:image/png;base64," + Self.png.base64)
            #expect(parts[2]["image_url"]?["url"]?.stringValue == "data:image/gif;base64,R0lGODlh")
            let images = recorded.images(ofMessage: 1)
            #expect(images.map(\.mediaType) == ["image/png", "image/gif"])
            #expect(recorded.messages[1].content == "Alice wrote:\n\nWhat is this?")
            // Every other message keeps a plain string, as servers without vision expect.
            for index in [0, 2, 3] {
                #expect(!recorded.contentIsArray(ofMessage: index))
                #expect(recorded.json?["messages"]?[index]?["images"] == nil)
            }
            #expect(recorded.json?["messages"]?[3]?["content"]?.stringValue == "And now?")
        }
    }

    @Test("Ollama: whether a model sees comes from /api/show capabilities, asked once with the context length")
    func ollamaCapabilities() async throws {
        let models: [LLMStubServer.Model] = [
            .init(name: "llava", contextLength: 4096, capabilities: ["completion", "vision"]),
            .init(name: "llama3.2", capabilities: ["completion", "tools"]),
            .init(name: "old", capabilities: nil)
        ]
        try await withStubClient(.ollama, models: models) { client, stub, _ in
            let llava = try await client.seesImages("llava")
            let length = try await client.contextLength(of: "llava")
            let llavaAgain = try await client.seesImages("llava")
            let llama = try await client.seesImages("llama3.2")
            let old = try await client.seesImages("old")
            #expect(llava == true)
            #expect(length == 4096)
            #expect(llavaAgain == true)
            #expect(llama == false)
            #expect(old == nil)
            let shows = await stub.requests.filter { $0.path == "/api/show" }
            #expect(shows.count == 3)
        }
    }

    @Test("OpenAI-compatible servers cannot say whether a model sees")
    func openAICapabilities() async throws {
        try await withStubClient(.openai) { client, stub, _ in
            let sees = try await client.seesImages("llama3.2")
            #expect(sees == nil)
            #expect(await stub.requests.isEmpty)
        }
    }

    @Test(
        "llm.vision_models: names, globs, ! for models that do not see, :latest, first match decides",
        arguments: [
            ("llava*, qwen2.5vl:7b, !llama3.2", "llava:13b", true as Bool?),
            ("llava*, qwen2.5vl:7b, !llama3.2", "qwen2.5vl:7b", true),
            ("llava*, qwen2.5vl:7b, !llama3.2", "qwen2.5vl:3b", nil),
            ("llava*, qwen2.5vl:7b, !llama3.2", "llama3.2:latest", false),
            ("llava*, qwen2.5vl:7b, !llama3.2", "llama3.2", false),
            ("gemma3:latest", "gemma3", true),
            ("!*", "anything", false),
            ("", "llava", nil)
        ] as [(String, String, Bool?)]
    )
    func visionModels(value: String, model: String, expected: Bool?) {
        #expect(VisionModels.problem(in: value) == nil)
        #expect(VisionModels(parsing: value).sees(model) == expected)
    }

    @Test("llm.vision_models: a bad list says which entry", arguments: ["llava,,qwen", "llava qwen", "!", "a!b"])
    func badVisionModels(value: String) {
        #expect(VisionModels.problem(in: value) != nil)
    }
}
