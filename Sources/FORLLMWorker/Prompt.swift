import FORLLMStore
import Foundation
import NewsArticle

/// One article of the thread as the prompt sees it.
public struct PromptTurn: Hashable, Sendable {
    /// Who wrote it, as a person reads the name.
    public var author: String
    /// Whether a persona wrote it (an `assistant` turn, whichever persona answers now).
    public var isOwn: Bool
    public var subject: String
    /// The author's own text: decoded, quotes and signature removed; then the article's
    /// attachments as ``Prompt/attachmentText(_:seesImages:)`` renders them.
    public var text: String
    /// The article's images, for a model that can see (``Prompt/turn(of:isOwn:seesImages:)``).
    public var images: [LLMImage] = []
    /// The article's attachments the model does not get (images it cannot see, PDFs, ...).
    public var unseenAttachments: [UnseenAttachment] = []

    public init(author: String, isOwn: Bool, subject: String, text: String) {
        self.author = author
        self.isOwn = isOwn
        self.subject = subject
        self.text = text
    }
}

/// Builds the chat messages for a request (PRODUCT.md "Context sent to the model").
///
/// **The layout puts what every persona shares first**, so that the model server's prompt
/// cache (llama.cpp, Ollama and vLLM skip evaluating a prefix they still hold) serves it to
/// the next request in the thread, whichever persona answers it:
///
/// 1. a `system` message that is the same for every persona of the group: FORLLM's rules and
///    the group's name (``groupSystemMessage(group:)``);
/// 2. the thread from its root down to the requested article, with roles that do not depend
///    on who answers: people's articles as `user` turns and every persona's articles as
///    `assistant` turns, each prefixed with its author's name (`Jane wrote:`);
/// 3. the answers other personas already gave to the requested article (``siblingTurns(of:)``);
/// 4. last, a `system` message with the answering persona's instructions and whose turn it is
///    (``personaSystemMessage(instructions:personaName:group:)``).
///
/// The trade: the persona's instructions come after the thread, not before it. Two personas'
/// prompts for one thread now share everything up to the sibling answers (before, they differed
/// from the first token, and every switch of persona evaluated the whole thread again); in
/// exchange the model reads the persona's voice last, next to where it writes, instead of as
/// the frame of the conversation, and its own earlier articles are no longer told apart from
/// other personas' by the role alone (the name prefix does it). Chat templates that take a
/// `system` message anywhere (ChatML: SmolLM2, Qwen; Llama 3; Ollama's) render it as it is.
///
/// **Trimming keeps the prompt's head stable**, so that the cache serves it again on the next
/// request in the thread. When the thread is over the budget:
///
/// 1. the *head* is the root and the turns right after it, in order, as long as they fit in
///    half the budget. It depends only on the start of the thread and the budget, so the next
///    request in the same thread, however much the thread grew, begins with the same messages;
/// 2. the *tail* is the newest turns, back from the requested article, as many as fit in what
///    the head leaves;
/// 3. the turns between are dropped, and the first tail message begins with a note saying how
///    many (after the head, where a changing count does not break the shared prefix).
///
/// The root and the requested article are never dropped, only shortened as a last resort.
///
/// Sibling answers take at most a quarter of the budget; the thread's tail makes room for them,
/// the head does not change.
public enum Prompt {
    /// Turns for the articles of a stored thread: every persona's articles are `assistant` turns,
    /// whichever persona answers (see the type).
    /// `seesImages`: whether the model takes the articles' images (else they are named only).
    public static func turns(of thread: [ThreadArticle], seesImages: Bool = false) -> [PromptTurn] {
        thread.compactMap { entry in
            guard let article = try? Article(parsing: entry.article.bytes) else { return nil }
            return Self.turn(of: article, isOwn: entry.authorPersonaID != nil, seesImages: seesImages)
        }
    }

    /// The messages to send.
    /// - Parameters:
    ///   - budget: most characters of thread text (the two system messages excluded).
    public static func messages(
        instructions: String,
        personaName: String,
        group: String,
        turns: [PromptTurn],
        siblings: [PromptTurn] = [],
        budget fullBudget: Int
    ) -> [LLMMessage] {
        var messages = [LLMMessage(role: .system, content: Self.groupSystemMessage(group: group))]

        var contents = turns.enumerated().map { index, turn in
            Self.content(of: turn, isRoot: index == 0)
        }
        let siblingContents = Self.siblingContents(siblings, budget: fullBudget / 4)
        let reserved = siblingContents.reduce(0) { $0 + $1.count }
        // What the thread may take: the budget less the sibling answers.
        let budget = fullBudget - reserved
        var kept = Array(turns.indices)
        var dropped = 0
        func total() -> Int { kept.reduce(0) { $0 + contents[$1].count } }
        if total() > budget, kept.count > 2 {
            kept = Self.stableHeadAndTail(lengths: contents.map(\.count), budget: fullBudget, reserved: reserved)
            dropped = turns.count - kept.count
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
        // Where the dropped turns were: the first kept turn after a gap.
        let firstAfterGap = zip(kept, kept.dropFirst()).first { $1 - $0 > 1 }?.1
        for index in kept {
            var content = contents[index]
            if index == firstAfterGap, dropped > 0 {
                content = "[\(dropped) earlier message\(dropped == 1 ? "" : "s") of the thread omitted]\n\n" + content
            }
            messages.append(
                LLMMessage(role: turns[index].isOwn ? .assistant : .user, content: content, images: turns[index].images)
            )
        }
        messages += siblingContents.map { LLMMessage(role: .user, content: $0) }
        messages.append(
            LLMMessage(
                role: .system,
                content: Self.personaSystemMessage(instructions: instructions, personaName: personaName, group: group)
            )
        )
        return messages
    }

    /// The first message: the same for every persona of `group`, so that the prompts of all
    /// its personas share it (and the thread after it). FORLLM's rules for a reply are here, not
    /// in the last message: they are the same for every persona.
    static func groupSystemMessage(group: String) -> String {
        "This is a thread of the newsgroup \(group) on FORLLM, a Usenet-style discussion forum where people "
            + "and AI personas write to each other. Each message begins with its author's name; the personas' "
            + "messages are the assistant turns. After the thread, a note says which persona replies next and "
            + "how that persona writes. The reply answers the last message of the thread. It is the reply "
            + "only: without the persona's name in front, without a signature and without quoting the whole "
            + "message."
    }

    /// The last message: the answering persona's instructions, then whose turn it is.
    static func personaSystemMessage(instructions: String, personaName: String, group: String) -> String {
        instructions.trimmingCharacters(in: .whitespacesAndNewlines)
            + "\n\nYou are \(personaName), taking part in the newsgroup \(group). "
            + "Write your reply to the last message of the thread now."
    }

    /// The turns kept when the thread is over `budget` (see the type): the stable head (the
    /// root always, then the following turns while the head fits in half the budget, and
    /// leaves room for the requested article) and the
    /// newest turns that fit in the rest (the last always). `lengths` are the turns' sizes;
    /// `reserved` is taken from the tail's room (for the sibling answers), not from the head's.
    static func stableHeadAndTail(lengths: [Int], budget: Int, reserved: Int = 0) -> [Int] {
        guard let last = lengths.indices.last, last > 0 else { return Array(lengths.indices) }
        var head = [0]
        var headSize = lengths[0]
        // Half the budget; less only when the requested article is so long that the two would
        // not fit (then the head is not stable, but the prompt fits).
        let headLimit = min(budget / 2, budget - reserved - lengths[last])
        for index in 1..<last {
            guard headSize + lengths[index] <= headLimit else { break }
            head.append(index)
            headSize += lengths[index]
        }
        var tail = [last]
        var size = headSize + lengths[last]
        var index = last - 1
        while index > head[head.count - 1], size + lengths[index] <= budget - reserved {
            tail.insert(index, at: 0)
            size += lengths[index]
            index -= 1
        }
        return head + tail
    }

    static func content(of turn: PromptTurn, isRoot: Bool) -> String {
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
