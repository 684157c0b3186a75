import FORLLMStore
import Foundation
import NewsArticle

/// A persona's answer as an article (PRODUCT.md "The answer article"); the follow-up rules
/// (groups, `References`, `Subject`) are the article's own (`Article+Followup`).
///
/// Whatever the model sent, the article is valid: control characters an article should not
/// carry are removed (``AnswerCleaning``), and an answer too large for
/// `server.max_article_bytes` is cut to fit. An answer that was cut (here, or while it
/// streamed: the token limit, a repetition loop) says so in `X-FORLLM-Truncated` and in a
/// last line before the signature. A summary (`task=summary`) says so in `X-FORLLM-Task`.
struct AnswerArticle {
    /// The answer article and what had to be done to the model's text to make it.
    var article: Article
    var notes: AnswerNotes

    /// Room left in an article for headers FORLLM does not control when it builds the answer
    /// (the injecting server's `Path`, `Injection-Date`, `Xref`).
    static let injectionReserve = 1024

    /// The most bytes of answer text that fit in an article of `maximumArticleBytes` next to
    /// `overheadBytes` (the answer article built with no text): flowed wrapping and CRLF line
    /// ends add about a tenth, which is left free.
    static func textBudget(maximumArticleBytes: Int, overheadBytes: Int) -> Int {
        max(1024, (maximumArticleBytes - overheadBytes - Self.injectionReserve) * 9 / 10)
    }

    /// A persona's answer. `attachmentNote` (``Prompt/unseenNote(_:model:)``) is the last
    /// line before the signature: the attachments of the parent the model did not get.
    static func answer(
        parent: Article,
        parentID: MessageID,
        groups: [String],
        messageID: MessageID,
        persona: Persona,
        model: String,
        backend: String,
        text: String,
        truncations: [LLMTruncation] = [],
        invalidUTF8Replaced: Int = 0,
        usage: LLMUsage? = nil,
        maximumTokens: Int? = nil,
        maximumArticleBytes: Int = 1_048_576,
        attachmentNote: String? = nil,
        hostname: String,
        userAgent: String,
        task: ForumTask = .answer,
        now: Date
    ) throws -> AnswerArticle {
        let (clean, cleaning) = AnswerCleaning.clean(Self.cleaned(text), invalidUTF8Replaced: invalidUTF8Replaced)
        var body = clean
        // The stream's byte bound is the text's share of an article; a reader wants the limit
        // they can configure.
        var truncations = truncations.map { truncation -> LLMTruncation in
            if case .articleSize = truncation { return .articleSize(bytes: maximumArticleBytes) }
            return truncation
        }
        while true {
            var headers: [(name: String, value: String)] = [
                ("X-FORLLM-Persona", "\(persona.handle) (version \(persona.version))"),
                ("X-FORLLM-Model", model),
                ("X-FORLLM-Backend", backend)
            ]
            if let value = usage?.headerValue {
                headers.append(("X-FORLLM-Usage", value))
            }
            let truncated = Self.truncationHeader(truncations)
            if let truncated {
                headers.append(("X-FORLLM-Truncated", truncated))
            }
            if let summary = cleaning.summary {
                headers.append(("X-FORLLM-Cleaned", summary))
            }
            if task != .answer {
                headers.append((ForumTask.headerName, task.rawValue))
            }
            headers.append(("User-Agent", userAgent))
            let cutLines = truncations.compactMap { Self.cutLine($0, maximumTokens: maximumTokens) }
            let signature = "-- \n\(persona.name) (@\(persona.handle)), \(model) on \(backend)"
            let article = try ArticleDraft(
                from: Mailbox(displayName: persona.name, address: persona.address(hostname: hostname)),
                newsgroups: groups,
                subject: parent.followupSubject,
                references: parent.followupReferences(messageID: parentID),
                messageID: messageID,
                date: now,
                extraHeaders: headers,
                text: ([body] + cutLines + [attachmentNote].compactMap { $0 }).joined(separator: "\n\n") + "\n\n"
                    + signature,
                flowed: true
            ).build()
            let excess = article.serializedByteCount - (maximumArticleBytes - Self.injectionReserve)
            guard excess > 0, !body.isEmpty else {
                return AnswerArticle(
                    article: article,
                    notes: AnswerNotes(truncated: truncated, cleaned: cleaning.summary, usage: usage?.stored)
                )
            }
            // Larger than an article may be (the stream's budget is an estimate): cut the text
            // by what is too much and a little more, and say so.
            let keep = max(0, body.utf8.count - excess - excess / 8 - 256)
            body = body.utf8Prefix(keep)
            if !truncations.contains(where: { if case .articleSize = $0 { true } else { false } }) {
                truncations.insert(.articleSize(bytes: maximumArticleBytes), at: 0)
            }
        }
    }

    /// `X-FORLLM-Truncated`: one item per reason, a keyword and a comment
    /// (`max-answer-tokens, prompt (the model server read 300 of about 2000 tokens)`);
    /// `nil` when the answer is whole.
    static func truncationHeader(_ truncations: [LLMTruncation]) -> String? {
        guard !truncations.isEmpty else { return nil }
        return truncations.map { truncation in
            switch truncation {
            case .answerCutOff:
                "max-answer-tokens"
            case .articleSize(let bytes):
                "article-size (\(bytes) bytes)"
            case .repetition(let loop):
                "repetition (a \(loop.period)-byte passage \(loop.repeats) times)"
            case .promptTruncated(let evaluated, let estimated):
                "prompt (the model server read \(evaluated) of about \(estimated) tokens)"
            }
        }.joined(separator: ", ")
    }

    /// The line at the end of a cut answer saying where and why it was cut; `nil` for a
    /// truncation that did not cut the answer (a cut prompt).
    static func cutLine(_ truncation: LLMTruncation, maximumTokens: Int?) -> String? {
        switch truncation {
        case .answerCutOff:
            let limit = maximumTokens.map { "the limit of \($0) tokens" } ?? "the model server's token limit"
            return "[FORLLM: the answer was cut here at \(limit) (llm.max_answer_tokens).]"
        case .articleSize(let bytes):
            return "[FORLLM: the answer was cut here: an article holds at most \(bytes) bytes "
                + "(server.max_article_bytes).]"
        case .repetition(let loop):
            return "[FORLLM: the model kept repeating the passage above (\(loop.repeats) times); "
                + "the generation was stopped and the repetitions removed (llm.stop_repetition).]"
        case .promptTruncated:
            return nil
        }
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
