import NewsArticle

extension PromptTurn {
    /// An attachment of the article that the model did not get, and why: for the line the
    /// answer carries (``Prompt/unseenNote(_:model:)``).
    public struct UnseenAttachment: Hashable, Sendable {
        public enum Reason: Hashable, Sendable {
            /// An image, and the model cannot see (`llm.vision_models`, Ollama's capabilities).
            case cannotSeeImages
            /// Neither text nor an image FORLLM passes on (PDF, zip, audio, ...).
            case notReadable
        }

        /// The file name, or `part N (type)`.
        public var name: String
        public var mediaType: String
        /// Decoded size in bytes.
        public var size: Int
        public var reason: Reason

        public init(name: String, mediaType: String, size: Int, reason: Reason) {
            self.name = name
            self.mediaType = mediaType
            self.size = size
            self.reason = reason
        }
    }
}

/// Attachments in the prompt (issue 10, part 1): a text file goes into its article's turn with
/// its name, so it counts against the budget and is trimmed with the turn; an image goes with
/// the turn's message to a model that can see; everything else is named with type and size, so
/// the model knows it is there, and the answer says what the model did not get.
///
/// ```
/// Alice wrote (subject: Why is this slow?):
///
/// See the attached script.
///
/// --- Attached file: fib.py (text/x-python, 212 bytes) ---
/// def fib(n): ...
/// --- End of fib.py ---
///
/// --- Attached file: profile.pdf (application/pdf, 81 KB): not included (not text or an image) ---
/// ```
extension Prompt {
    /// One article as a turn: author, subject, the author's own text, then its attachments.
    public static func turn(of article: Article, isPersona: Bool, seesImages: Bool) -> PromptTurn {
        let from = article["From"].flatMap { try? Mailbox(parsing: $0) }
        let author = from?.friendlyName ?? "someone"
        let subject = article["Subject"].map(EncodedWord.decode) ?? ""
        // A body that is one image or PDF has no text to read (plainText would decode its bytes).
        let body =
            ArticleAttachment.bodyIsNotText(article)
            ? "" : ArticleText.authoredText(ArticleText.plainText(of: article))
        var turn = PromptTurn(author: author, isPersona: isPersona, subject: subject, text: body)
        let attachments = ArticleAttachment.attachments(of: article)
        guard !attachments.isEmpty else { return turn }
        let rendered = Self.attachmentText(attachments, seesImages: seesImages)
        turn.text = body.isEmpty ? rendered.text : body + "\n\n" + rendered.text
        turn.images = rendered.images
        turn.unseenAttachments = rendered.unseen
        return turn
    }

    /// The attachments as text for the turn (see the type), the images to send along and what
    /// the model does not get.
    static func attachmentText(
        _ attachments: [ArticleAttachment],
        seesImages: Bool
    ) -> (text: String, images: [LLMImage], unseen: [PromptTurn.UnseenAttachment]) {
        var blocks: [String] = []
        var images: [LLMImage] = []
        var unseen: [PromptTurn.UnseenAttachment] = []
        for (index, attachment) in attachments.enumerated() {
            let name = attachment.displayName(index: index)
            let label = "\(name) (\(attachment.mediaType), \(Self.describeSize(attachment.size)))"
            switch attachment.kind {
            case .text:
                var text = attachment.text ?? ""
                if text.hasSuffix("\n") { text.removeLast() }
                blocks.append("--- Attached file: \(label) ---\n\(text)\n--- End of \(name) ---")
            case .image where seesImages:
                images.append(LLMImage(mediaType: attachment.mediaType, bytes: attachment.bytes))
                blocks.append("--- Attached image: \(label): image \(images.count) of this message ---")
            case .image:
                blocks.append("--- Attached image: \(label): not included (this model cannot see images) ---")
                unseen.append(
                    .init(name: name, mediaType: attachment.mediaType, size: attachment.size, reason: .cannotSeeImages)
                )
            case .other:
                blocks.append("--- Attached file: \(label): not included (not text or an image) ---")
                unseen.append(
                    .init(name: name, mediaType: attachment.mediaType, size: attachment.size, reason: .notReadable)
                )
            }
        }
        return (blocks.joined(separator: "\n\n"), images, unseen)
    }

    /// The line an answer carries when the model did not get some attachments of the article
    /// it answers; `nil` when it got them all.
    ///
    /// ```
    /// [FORLLM: llama3.2 did not see 2 attachments: cat.png (image/png, 14 KB: this model cannot
    /// see images, llm.vision_models); report.pdf (application/pdf, 81 KB: not text or an image).]
    /// ```
    public static func unseenNote(_ unseen: [PromptTurn.UnseenAttachment], model: String) -> String? {
        guard !unseen.isEmpty else { return nil }
        let items = unseen.map { item in
            let why =
                switch item.reason {
                case .cannotSeeImages: "this model cannot see images, llm.vision_models"
                case .notReadable: "not text or an image"
                }
            return "\(item.name) (\(item.mediaType), \(Self.describeSize(item.size)): \(why))"
        }
        let count = unseen.count == 1 ? "an attachment" : "\(unseen.count) attachments"
        return "[FORLLM: \(model) did not see \(count) of the article: " + items.joined(separator: "; ") + ".]"
    }

    /// `812 bytes`, `14 KB`, `3.2 MB`.
    static func describeSize(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) byte\(bytes == 1 ? "" : "s")" }
        if bytes < 1024 * 1024 {
            let kilobytes = Double(bytes) / 1024
            return kilobytes < 10 ? "\((kilobytes * 10).rounded() / 10) KB" : "\(Int(kilobytes.rounded())) KB"
        }
        let megabytes = Double(bytes) / (1024 * 1024)
        return "\((megabytes * 10).rounded() / 10) MB"
    }
}
