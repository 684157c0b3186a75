import FORLLMStore
import Foundation
import NewsArticle

/// A persona's answer as an article (PRODUCT.md "The answer article"); the follow-up rules
/// (groups, `References`, `Subject`) are the article's own (`Article+Followup`).
enum AnswerArticle {
    /// A persona's answer.
    static func answer(
        parent: Article,
        parentID: MessageID,
        groups: [String],
        messageID: MessageID,
        persona: Persona,
        model: String,
        backend: String,
        text: String,
        truncation: LLMTruncation?,
        hostname: String,
        userAgent: String,
        now: Date
    ) throws -> Article {
        var headers: [(name: String, value: String)] = [
            ("X-FORLLM-Persona", "\(persona.handle) (version \(persona.version))"),
            ("X-FORLLM-Model", model),
            ("X-FORLLM-Backend", backend)
        ]
        switch truncation {
        case .answerCutOff:
            headers.append(("X-FORLLM-Truncated", "answer cut off at the token limit"))
        case .promptTruncated(let evaluated, let estimated):
            headers.append(
                (
                    "X-FORLLM-Truncated",
                    "prompt cut by the model server: \(evaluated) of about \(estimated) tokens read"
                )
            )
        case nil:
            break
        }
        headers.append(("User-Agent", userAgent))
        let signature = "-- \n\(persona.name) (@\(persona.handle)), \(model) on \(backend)"
        return try ArticleDraft(
            from: Mailbox(displayName: persona.name, address: persona.address(hostname: hostname)),
            newsgroups: groups,
            subject: parent.followupSubject,
            references: parent.followupReferences(messageID: parentID),
            messageID: messageID,
            date: now,
            extraHeaders: headers,
            text: Self.cleaned(text) + "\n\n" + signature,
            flowed: true
        ).build()
    }

    /// The answer without a reasoning model's `<think>…</think>` block and surrounding blank
    /// lines; a `-- ` line of the model's own would start a signature, so it is indented.
    static func cleaned(_ text: String) -> String {
        var text = text
        if let open = text.range(of: "<think>"), text[..<open.lowerBound].allSatisfy(\.isWhitespace),
            let close = text.range(of: "</think>", range: open.upperBound..<text.endIndex)
        {
            text = String(text[close.upperBound...])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line == "-- " ? " --" : String(line)
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
