import FORLLMStore
import Foundation
import NewsArticle

/// The prompts of a summary (`X-FORLLM-Request: <who>; task=summary`): the whole thread, every
/// branch, oldest first, within the context budget.
///
/// Each article becomes one entry, numbered in date order and saying which entry it replies
/// to, so the model can follow the branches. When the entries fit in the budget, one call
/// summarises them. Otherwise they are packed in order into chunks that each fit
/// (``summaryChunks(_:budget:)``), each chunk is summarised on its own ("part 2 of 5"), and the
/// chunk summaries are summarised in turn, in chunks again while they do not fit, until one
/// call makes the final summary.
extension Prompt {
    /// What a summary call is given: the thread's articles, or summaries of its parts.
    public enum SummaryInput: Hashable, Sendable {
        /// Articles of the thread (all of it when `part` is `nil`).
        case articles
        /// Summaries of consecutive parts of the thread, oldest first.
        case partSummaries
    }

    /// The articles of a thread as summary entries, in the order given (date order, from
    /// ``ForumDatabase/wholeThread(ofArticle:)``):
    /// `[3] Bob (persona), 2026-12-06 10:15, in reply to [1]:` then the author's own text.
    public static func summaryEntries(of thread: [ThreadArticle]) -> [String] {
        var numbers: [String: Int] = [:]
        var entries: [String] = []
        for entry in thread {
            guard let article = try? Article(parsing: entry.article.bytes) else { continue }
            let number = entries.count + 1
            numbers[entry.article.messageID] = number
            let from = article["From"].flatMap { try? Mailbox(parsing: $0) }
            var line = "[\(number)] \(from?.friendlyName ?? "someone")"
            if entry.authorPersonaID != nil { line += " (persona)" }
            if let date = article["Date"].flatMap(NewsDate.parse) {
                line += ", " + Self.summaryDate(date)
            }
            let references = article["References"].map(Threading.parseReferences) ?? []
            if let parent = references.last {
                if let parentNumber = numbers[parent.value] {
                    line += ", in reply to [\(parentNumber)]"
                } else {
                    line += ", in reply to an article not on the server"
                }
            } else if let subject = article["Subject"].map(EncodedWord.decode) {
                line += ", subject: \(subject)"
            }
            let text = ArticleText.authoredText(ArticleText.plainText(of: article))
            entries.append(line + ":\n\n" + text)
        }
        return entries
    }

    /// The separator between entries in a chunk.
    static let summarySeparator = "\n\n"

    /// `entries` packed in order into chunks of at most `budget` characters each (entries
    /// joined by a blank line). An entry longer than the budget alone is shortened to it
    /// (its start and end kept) and makes a chunk of its own.
    public static func summaryChunks(_ entries: [String], budget: Int) -> [String] {
        let budget = max(budget, 400)
        var chunks: [String] = []
        var current: [String] = []
        var size = 0
        for entry in entries {
            let entry = entry.count > budget ? Self.shorten(entry, to: budget) : entry
            let added = entry.count + (current.isEmpty ? 0 : Self.summarySeparator.count)
            if !current.isEmpty, size + added > budget {
                chunks.append(current.joined(separator: Self.summarySeparator))
                current = []
                size = 0
            }
            size += entry.count + (current.isEmpty ? 0 : Self.summarySeparator.count)
            current.append(entry)
        }
        if !current.isEmpty { chunks.append(current.joined(separator: Self.summarySeparator)) }
        return chunks
    }

    /// The messages of one summary call.
    /// - Parameters:
    ///   - text: the chunk (entries or part summaries) to summarise.
    ///   - part: which part of how many this call summarises; `nil` for the final summary.
    public static func summaryMessages(
        instructions: String,
        personaName: String,
        group: String,
        subject: String,
        input: SummaryInput,
        text: String,
        part: (number: Int, count: Int)?
    ) -> [LLMMessage] {
        let system =
            instructions.trimmingCharacters(in: .whitespacesAndNewlines)
            + "\n\nYou are \(personaName), taking part in the newsgroup \(group). "
            + "You are asked to summarise a thread of the newsgroup: who said what, where they agree and "
            + "disagree, and what is still open. Write the summary only, without a signature."
        let what: String
        switch (input, part) {
        case (.articles, nil):
            what =
                "Summarise the whole thread \"\(subject)\". Its articles follow, oldest first; "
                + "each says which article it replies to."
        case (.articles, let part?):
            what =
                "The thread \"\(subject)\" is too long to read at once. Summarise part \(part.number) of "
                + "\(part.count) of it; a later step combines the parts. Its articles follow, oldest first; "
                + "each says which article it replies to."
        case (.partSummaries, nil):
            what =
                "The thread \"\(subject)\" was summarised in parts, oldest first. Combine these summaries "
                + "of its parts into one summary of the whole thread."
        case (.partSummaries, let part?):
            what =
                "The thread \"\(subject)\" was summarised in parts, oldest first. Combine these part "
                + "summaries (group \(part.number) of \(part.count)) into one shorter summary; "
                + "a later step combines the groups."
        }
        return [
            LLMMessage(role: .system, content: system),
            LLMMessage(role: .user, content: what + "\n\n" + text)
        ]
    }

    /// A chunk summary as an entry of the next level: `Summary of part 2 of 5:` then the text.
    public static func partSummaryEntry(_ text: String, number: Int, count: Int) -> String {
        "Summary of part \(number) of \(count):\n\n" + text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `2026-12-06 10:15` (UTC).
    static func summaryDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0
        )
    }
}
