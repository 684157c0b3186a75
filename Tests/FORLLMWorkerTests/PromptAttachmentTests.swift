import FORLLMWorker
import Foundation
import NewsArticle
import Testing

/// Attachments in the prompt: text files in the turn with their names and counted in the
/// budget, images for a model that sees, the rest named, and the answer's note.
@Suite("Prompt attachments")
struct PromptAttachmentTests {
    static let pngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

    /// Thunderbird's shape: a flowed text part, a Python file, a PNG and a PDF.
    static func article(script: String = "def fib(n):\n    return n\n") throws -> Article {
        let scriptBase64 = Data(script.utf8).base64EncodedString(options: [.lineLength76Characters])
        let text = """
            Message-ID: <attach.1@example.org>
            From: Alice <alice@example.org>
            Newsgroups: forllm.general
            Subject: Why is this slow?
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="------------bound"

            This is a multi-part message in MIME format.
            --------------bound
            Content-Type: text/plain; charset=UTF-8; format=flowed
            Content-Transfer-Encoding: 7bit

            Why is the attached script slow?

            --------------bound
            Content-Type: text/x-python; charset=UTF-8; name="fib.py"
            Content-Disposition: attachment; filename="fib.py"
            Content-Transfer-Encoding: base64

            \(scriptBase64)

            --------------bound
            Content-Type: image/png; name="dot.png"
            Content-Disposition: attachment; filename="dot.png"
            Content-Transfer-Encoding: base64

            \(Self.pngBase64)

            --------------bound
            Content-Type: application/pdf; name="profile.pdf"
            Content-Disposition: attachment; filename="profile.pdf"
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            --------------bound--

            """
        return try Article(parsing: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test("a model that sees: the file's text with its name, the image attached, the PDF named")
    func seeing() throws {
        let turn = Prompt.turn(of: try Self.article(), isPersona: false, seesImages: true)
        #expect(
            turn.text == """
                Why is the attached script slow?

                --- Attached file: fib.py (text/x-python, 25 bytes) ---
                def fib(n):
                    return n
                --- End of fib.py ---

                --- Attached image: dot.png (image/png, 69 bytes): image 1 of this message ---

                --- Attached file: profile.pdf (application/pdf, 9 bytes): not included (not text or an image) ---
                """
        )
        #expect(turn.images == [LLMImage(mediaType: "image/png", base64: Self.pngBase64)])
        #expect(
            turn.unseenAttachments == [
                .init(name: "profile.pdf", mediaType: "application/pdf", size: 9, reason: .notReadable)
            ]
        )
        let messages = Prompt.messages(
            instructions: "Help.",
            personaName: "Assistant",
            group: "forllm.general",
            turns: [turn],
            budget: 10_000
        )
        #expect(messages[2].images.count == 1)
        #expect(messages[2].content.hasPrefix("Alice wrote (subject: Why is this slow?):\n\nWhy is the attached"))
        #expect(messages[0].images.isEmpty)
    }

    @Test("a model that does not see: the image is named, not sent, and the answer's note lists it")
    func blind() throws {
        let turn = Prompt.turn(of: try Self.article(), isPersona: false, seesImages: false)
        #expect(turn.images.isEmpty)
        #expect(
            turn.text.contains(
                "--- Attached image: dot.png (image/png, 69 bytes): not included (this model cannot see images) ---"
            )
        )
        #expect(turn.unseenAttachments.map(\.name) == ["dot.png", "profile.pdf"])
        let note = Prompt.unseenNote(turn.unseenAttachments, model: "llama3.2")
        #expect(
            note
                == "[FORLLM: llama3.2 did not see 2 attachments of the article: dot.png (image/png, 69 bytes: "
                + "this model cannot see images, llm.vision_models); profile.pdf (application/pdf, 9 bytes: "
                + "not text or an image).]"
        )
        #expect(Prompt.unseenNote([], model: "llama3.2") == nil)
    }

    @Test("a large attachment counts against the budget: the requested turn is shortened to fit, start and end kept")
    func budget() throws {
        let script = (0..<3000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let turn = Prompt.turn(of: try Self.article(script: script), isPersona: false, seesImages: false)
        #expect(turn.text.count > 20_000)
        let root = PromptTurn(author: "Bob", isPersona: false, subject: "Root", text: "The root.")
        let messages = Prompt.messages(
            instructions: "Help.",
            personaName: "Assistant",
            group: "forllm.general",
            turns: [root, turn],
            budget: 4000
        )
        let thread = messages.filter { $0.role != .system }.reduce(0) { $0 + $1.content.count }
        #expect(thread <= 4000 + 100)
        #expect(messages[3].content.contains("--- Attached file: fib.py"))
        #expect(messages[3].content.contains("[…]"))
        #expect(messages[3].content.contains("profile.pdf"))
    }

    @Test("a post that is one image: no text read from its bytes; the image is the attachment")
    func loneImage() throws {
        let text = """
            Message-ID: <lone@example.org>
            From: Alice <alice@example.org>
            Newsgroups: forllm.general
            Subject: Look
            MIME-Version: 1.0
            Content-Type: image/png; name="dot.png"
            Content-Transfer-Encoding: base64

            \(Self.pngBase64)

            """
        let article = try Article(parsing: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let turn = Prompt.turn(of: article, isPersona: false, seesImages: true)
        #expect(turn.text == "--- Attached image: dot.png (image/png, 69 bytes): image 1 of this message ---")
        #expect(turn.images.count == 1)
    }
}
