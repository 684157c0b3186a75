import FORLLMStore
import Foundation
import NewsArticle

/// The other personas' answers to the requested article, in the prompt (issue 10, part 4):
/// a persona answering a post that other personas already answered hears them, marked with
/// their names, after the requested article.
extension Prompt {
    /// The answers, as turns (never the persona's own: ``ForumDatabase/personaAnswers(toArticle:excludingPersona:)``
    /// leaves them out).
    public static func siblingTurns(of answers: [ThreadArticle]) -> [PromptTurn] {
        self.turns(of: answers)
    }

    /// The sibling answers' messages, oldest first, in at most `budget` characters together
    /// (each shortened to an equal share when they do not fit): `Bob (persona) answered it:`,
    /// the text, and after the last one a line saying whose turn it is.
    static func siblingContents(_ siblings: [PromptTurn], budget: Int) -> [String] {
        guard !siblings.isEmpty else { return [] }
        let closing =
            "\n\n[The answers above came from other personas. Now write your own reply to the message "
            + "they answered; you may agree or disagree with them, but do not repeat them.]"
        var contents = siblings.map { "\($0.author) (persona) answered it:\n\n" + $0.text }
        contents[contents.count - 1] += closing
        let total = contents.reduce(0) { $0 + $1.count }
        guard total > budget else { return contents }
        let share = max(200, budget / contents.count)
        return contents.enumerated().map { index, content in
            guard index == contents.count - 1 else { return Self.shorten(content, to: share) }
            // Keep the closing line whole on the last one.
            let text = String(content.dropLast(closing.count))
            return Self.shorten(text, to: max(100, share - closing.count)) + closing
        }
    }
}
