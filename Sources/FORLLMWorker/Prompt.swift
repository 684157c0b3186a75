import FORLLMStore
import Foundation
import NewsArticle

/// One article of the thread as the prompt sees it.
public struct PromptTurn: Hashable, Sendable {
    /// Who wrote it, as a person reads the name.
    public var author: String
    /// Whether the answering persona wrote it (an `assistant` turn).
    public var isOwn: Bool
    public var subject: String
    /// The author's own text: decoded, quotes and signature removed.
    public var text: String

    public init(author: String, isOwn: Bool, subject: String, text: String) {
        self.author = author
        self.isOwn = isOwn
        self.subject = subject
        self.text = text
    }
}

/// Builds the chat messages for a request (PRODUCT.md "Context sent to the model").
///
/// The persona's instructions are the system prompt (with one line saying where it is). Then
/// the thread from its root down to the requested article: the persona's own earlier articles
/// as `assistant` turns, everyone else's as `user` turns prefixed with the author's name.
/// When the text exceeds the budget, the oldest turns between the root and the requested
/// article are dropped first (and a note says so); the root and the requested article are
/// never dropped, only shortened as a last resort.
public enum Prompt {
    /// Turns for the articles of a stored thread.
    public static func turns(of thread: [ThreadArticle], personaID: Int64) -> [PromptTurn] {
        thread.compactMap { entry in
            guard let article = try? Article(parsing: entry.article.bytes) else { return nil }
            let from = article["From"].flatMap { try? Mailbox(parsing: $0) }
            let author = from?.friendlyName ?? "someone"
            let subject = article["Subject"].map(EncodedWord.decode) ?? ""
            let text = ArticleText.authoredText(ArticleText.plainText(of: article))
            return PromptTurn(author: author, isOwn: entry.authorPersonaID == personaID, subject: subject, text: text)
        }
    }

    /// The messages to send.
    /// - Parameters:
    ///   - budget: most characters of thread text (system prompt excluded).
    public static func messages(
        instructions: String,
        personaName: String,
        group: String,
        turns: [PromptTurn],
        budget: Int
    ) -> [LLMMessage] {
        let system =
            instructions.trimmingCharacters(in: .whitespacesAndNewlines)
            + "\n\nYou are \(personaName), taking part in the newsgroup \(group). "
            + "The messages are the thread so far; reply to the last one. Write your reply only, "
            + "without a signature and without quoting the whole message."
        var messages = [LLMMessage(role: .system, content: system)]

        var contents = turns.enumerated().map { index, turn in
            Self.content(of: turn, isRoot: index == 0)
        }
        var kept = Array(turns.indices)
        var dropped = 0
        func total() -> Int { kept.reduce(0) { $0 + contents[$1].count } }
        // Drop the oldest middle turns first: index 1 onwards, never the root nor the last.
        while total() > budget, kept.count > 2 {
            kept.remove(at: 1)
            dropped += 1
        }
        if total() > budget, let last = kept.last {
            // Root and requested article alone are too long: shorten the root, then the request.
            let overflow = total() - budget
            if kept.count == 2 {
                let root = kept[0]
                let keep = max(200, contents[root].count - overflow)
                contents[root] = Self.shorten(contents[root], to: keep)
            }
            if total() > budget {
                contents[last] = Self.shorten(
                    contents[last],
                    to: max(200, budget - (kept.count == 2 ? contents[kept[0]].count : 0))
                )
            }
        }
        for (position, index) in kept.enumerated() {
            var content = contents[index]
            if position == 1, dropped > 0 {
                content = "[\(dropped) earlier message\(dropped == 1 ? "" : "s") of the thread omitted]\n\n" + content
            }
            messages.append(LLMMessage(role: turns[index].isOwn ? .assistant : .user, content: content))
        }
        return messages
    }

    static func content(of turn: PromptTurn, isRoot: Bool) -> String {
        if turn.isOwn { return turn.text }
        var header = "\(turn.author) wrote"
        if isRoot, !turn.subject.isEmpty { header += " (subject: \(turn.subject))" }
        return header + ":\n\n" + turn.text
    }

    /// Keeps the start and the end of `text`, `limit` characters in all, with a marker between.
    static func shorten(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let marker = "\n[…]\n"
        let half = max(0, (limit - marker.count) / 2)
        return String(text.prefix(half)) + marker + String(text.suffix(half))
    }
}
