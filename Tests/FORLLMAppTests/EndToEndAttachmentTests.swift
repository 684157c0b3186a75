import FORLLMApp
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import NewsArticle
import Testing

/// Attachments end to end (issue 10, part 1): a newsreader posts a multipart article over NNTP,
/// the worker sends its files to the loopback LLM server, the answer is read back over NNTP.
@Suite("End to end: attachments", .endToEnd)
struct EndToEndAttachmentTests {
    static let pngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

    /// As Thunderbird 115 posts it with two files attached.
    static let post = """
        From: Alice <alice@example.org>
        Newsgroups: forllm.general
        Subject: Why is this slow?
        Message-ID: <attach.e2e@example.org>
        X-FORLLM-Request: assistant
        MIME-Version: 1.0
        User-Agent: Mozilla Thunderbird
        Content-Language: en-US
        Content-Type: multipart/mixed; boundary="------------Q0dSrTU1nVwXyZ2aBc3DeF4g"

        This is a multi-part message in MIME format.
        --------------Q0dSrTU1nVwXyZ2aBc3DeF4g
        Content-Type: text/plain; charset=UTF-8; format=flowed
        Content-Transfer-Encoding: 7bit

        Why is the attached script so slow for n = 40, and what does the picture\u{20}
        show?

        --------------Q0dSrTU1nVwXyZ2aBc3DeF4g
        Content-Type: text/x-python; charset=UTF-8; name="fib.py"
        Content-Disposition: attachment; filename="fib.py"
        Content-Transfer-Encoding: base64

        ZGVmIGZpYihuKToKICAgIHJldHVybiBuIGlmIG4gPCAyIGVsc2UgZmliKG4gLSAxKSArIGZpYihu
        IC0gMikK

        --------------Q0dSrTU1nVwXyZ2aBc3DeF4g
        Content-Type: image/png; name="dot.png"
        Content-Disposition: attachment; filename="dot.png"
        Content-Transfer-Encoding: base64

        \(pngBase64)

        --------------Q0dSrTU1nVwXyZ2aBc3DeF4g--

        """

    static let script = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"

    @Test("Ollama, a model with the vision capability: the script's text by name, the PNG in images")
    func ollamaVision() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let models: [LLMStubServer.Model] = [.init(name: "llama3.2", capabilities: ["completion", "vision"])]
        try await LLMStubServer(.ollama, models: models).run { stub in
            await stub.enqueue(.answer(["Exponential ", "recursion; a green dot."]))
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            let client = try await app.connect()
            #expect(try await client.postArticle(Self.post).code == 240)
            let id = try #require(try await app.database.requests().first?.id)
            _ = try await app.waitForRequest(id)

            let chat = try #require(await stub.chatRequests.first)
            #expect(chat.messages.map(\.role) == ["system", "system", "user"])
            let user = chat.messages[2].content
            #expect(user.hasPrefix("Alice wrote (subject: Why is this slow?):\n\nWhy is the attached script"))
            #expect(
                user.contains(
                    "--- Attached file: fib.py (text/x-python, 63 bytes) ---\n" + Self.script.dropLast()
                        + "\n--- End of fib.py ---"
                )
            )
            #expect(user.contains("--- Attached image: dot.png (image/png, 69 bytes): image 1 of this message ---"))
            #expect(chat.images(ofMessage: 2).map(\.base64) == [Self.pngBase64])
            #expect(chat.images(ofMessage: 0).isEmpty && chat.images(ofMessage: 1).isEmpty)

            let overview = try await client.overview(group: "forllm.general")
            let answer = try #require(try await client.fetchArticle(String(overview[1][0])))
            let text = ArticleText.plainText(of: answer)
            #expect(text.hasPrefix("Exponential recursion; a green dot."))
            #expect(!text.contains("did not see"))
            try await client.close()
            try await app.stop()
        }
    }

    @Test("OpenAI-compatible, model not listed in llm.vision_models: no image sent, the answer names it")
    func openAIBlind() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.openai, models: [.init(name: "llama3.2")]).run { stub in
            await stub.enqueue(.answer(["The recursion is exponential."]))
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("cpu", .openai, await stub.baseURL)])
            )
            let client = try await app.connect()
            #expect(try await client.postArticle(Self.post).code == 240)
            let id = try #require(try await app.database.requests().first?.id)
            _ = try await app.waitForRequest(id)

            let chat = try #require(await stub.chatRequests.first)
            #expect(!chat.contentIsArray(ofMessage: 2))
            #expect(chat.images(ofMessage: 2).isEmpty)
            let user = chat.messages[2].content
            #expect(
                user.contains(
                    "--- Attached file: fib.py (text/x-python, 63 bytes) ---\n" + Self.script.dropLast()
                        + "\n--- End of fib.py ---"
                )
            )
            #expect(
                user.contains(
                    "--- Attached image: dot.png (image/png, 69 bytes): not included (this model cannot see images) ---"
                )
            )

            let overview = try await client.overview(group: "forllm.general")
            let answer = try #require(try await client.fetchArticle(String(overview[1][0])))
            let text = ArticleText.plainText(of: answer)
            #expect(text.hasPrefix("The recursion is exponential."))
            #expect(
                text.contains(
                    "[FORLLM: llama3.2 did not see an attachment of the article: dot.png (image/png, 69 bytes: "
                        + "this model cannot see images, llm.vision_models).]"
                ),
                "\(text)"
            )
            #expect(text.hasSuffix("-- \nAssistant (@assistant), llama3.2 on cpu"))
            try await client.close()
            try await app.stop()
        }
    }

    @Test("OpenAI-compatible, llm.vision_models names the model: the PNG goes as an image_url data URL")
    func openAIVisionOverride() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.openai, models: [.init(name: "llama3.2")]).run { stub in
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("cpu", .openai, await stub.baseURL)]
            )
            configuration.worker.visionModels = VisionModels(parsing: "llava*, llama3.2")
            let app = try await RunningApp.start(configuration)
            let client = try await app.connect()
            #expect(try await client.postArticle(Self.post).code == 240)
            let id = try #require(try await app.database.requests().first?.id)
            _ = try await app.waitForRequest(id)

            let chat = try #require(await stub.chatRequests.first)
            #expect(chat.contentIsArray(ofMessage: 2))
            let images = chat.images(ofMessage: 2)
            #expect(images.map(\.mediaType) == ["image/png"])
            #expect(images.map(\.base64) == [Self.pngBase64])
            #expect(chat.messages[2].content.contains("--- Attached file: fib.py"))
            try await client.close()
            try await app.stop()
        }
    }
}
