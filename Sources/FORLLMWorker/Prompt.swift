import FORLLMStore
import Foundation
import NewsArticle

/// One article of the thread as the prompt sees it.
public struct PromptTurn: Hashable, Sendable {
    /// Who wrote it, as a person reads the name.
    public var author: String
    /// Whether a persona wrote it: an `assistant` turn, whichever persona answers now.
    public var isPersona: Bool
    public var subject: String
    /// The author's own text: decoded, quotes and signature removed; then the article's
    /// attachments as ``Prompt/attachmentText(_:seesImages:)`` renders them.
    public var text: String
    /// The article's images, for a model that can see (``Prompt/turn(of:isPersona:seesImages:)``).
    public var images: [LLMImage] = []
    /// The article's attachments the model does not get (images it cannot see, PDFs, ...).
    public var unseenAttachments: [UnseenAttachment] = []
    /// For a persona's article: that persona's name and instructions, when it still exists.
    /// The prompt repeats, before the article this one answers, the note that asked that persona
    /// for it (``Prompt/personaSystemMessage(instructions:personaName:group:)``).
    public var personaName: String?
    public var personaInstructions: String?

    public init(author: String, isPersona: Bool, subject: String, text: String) {
        self.author = author
        self.isPersona = isPersona
        self.subject = subject
        self.text = text
    }
}

/// Builds the chat messages for a request (PRODUCT.md "Context sent to the model").
///
/// **The layout keeps what depends on the answering persona out of the shared prefix**, so
/// that the model server's prompt cache (llama.cpp, Ollama and vLLM skip evaluating a prefix
/// they still hold) serves it to the next request in the thread, whichever persona answers it:
///
/// 1. a `system` message that is the same for every persona of the group: FORLLM's rules and
///    the group's name (``groupSystemMessage(group:)``);
/// 2. the thread from its root down to the article before the requested one, with roles that
///    do not depend on who answers: people's articles as `user` turns prefixed with the author's
///    name (`Jane wrote:`), every persona's articles as `assistant` turns as the model wrote
///    them; before each article a persona answered, the note that asked that persona for it
///    (as in 3: a persona's instructions at its first note in the prompt, then only its name),
///    unless the note before it already named that persona;
/// 3. a `system` note with the answering persona's instructions (unless they came earlier in
///    the prompt) and whose turn it is
///    (``personaSystemMessage(instructions:personaName:group:)``), unless the last note in the
///    prompt named the same persona (one persona answering message after message: its note stands);
/// 4. the requested article, then the answers other personas already gave to it
///    (``siblingTurns(of:)``).
///
/// So the prompt that asked for an answer, followed by that answer, is the start of the next
/// prompt in the thread (the server's cache holds exactly that: the prompt and what it
/// generated), and two personas' prompts for one thread share everything before the note.
/// The model reads the persona's instructions right before the first message it answers in
/// the thread, as a system prompt followed by a user turn. The trade: the instructions are no
/// longer the frame of the whole conversation (they come after the thread), and a thread with
/// many persona answers repeats their personas' notes (counted in the budget as sent; the instructions
/// once per persona, and a note only where the answering persona changes, so in a long exchange
/// with one persona its instructions stand once, before its first answer, and each turn adds
/// only the new message). Before, the instructions were the first message, two personas'
/// prompts differed from the first token, and every switch of persona evaluated the whole
/// thread again. Chat templates that take a `system` message anywhere (ChatML: SmolLM2, Qwen;
/// Llama 3; Ollama's) render it as it is.
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
    /// - Parameters:
    ///   - personas: the personas that wrote articles of the thread, by id (for their notes).
    ///   - seesImages: whether the model takes the articles' images (else they are named only).
    public static func turns(
        of thread: [ThreadArticle],
        personas: [Int64: Persona] = [:],
        seesImages: Bool = false
    ) -> [PromptTurn] {
        thread.compactMap { entry in
            guard let article = try? Article(parsing: entry.article.bytes) else { return nil }
            var turn = Self.turn(of: article, isPersona: entry.authorPersonaID != nil, seesImages: seesImages)
            if let id = entry.authorPersonaID, let persona = personas[id] {
                turn.personaName = persona.name
                turn.personaInstructions = persona.instructions
            }
            return turn
        }
    }

    /// The messages to send.
    /// - Parameters:
    ///   - budget: most characters of thread text and notes (the group's system message and the
    ///     answering persona's note excluded).
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
        // The note before each article: the answering persona's before the requested article,
        // else the note of the persona whose article follows it (which answered it). Which of them
        // are sent, and in what form, is the `NoteRule`'s; they count in the size of the turn they
        // come before, as sent.
        let notes = turns.indices.map { index -> String? in
            guard index + 1 < turns.count else {
                return Self.personaSystemMessage(instructions: instructions, personaName: personaName, group: group)
            }
            let next = turns[index + 1]
            guard next.isPersona, let name = next.personaName, let text = next.personaInstructions else { return nil }
            return Self.personaSystemMessage(instructions: text, personaName: name, group: group)
        }
        let names = turns.indices.map { index in
            index + 1 < turns.count ? turns[index + 1].personaName : personaName
        }
        let siblingContents = Self.siblingContents(siblings, budget: fullBudget / 4)
        let reserved = siblingContents.reduce(0) { $0 + $1.count }
        // What the thread may take: the budget less the sibling answers.
        let budget = fullBudget - reserved
        let rule = NoteRule(notes: notes, names: names, group: group)
        var kept = Array(turns.indices)
        var dropped = 0
        // Each kept turn's size: its text and the note before it as it is sent (none while the
        // same persona answers on). The answering persona's note is outside the budget, as the
        // system prompt was.
        func sizes(_ kept: [Int]) -> [Int] {
            zip(kept, rule.notes(for: kept)).map { index, note in
                contents[index].count + (index == turns.count - 1 ? 0 : note?.count ?? 0)
            }
        }
        func total(_ kept: [Int]) -> Int {
            let marker = Self.firstAfterGap(kept) == nil ? 0 : Self.omittedNote(turns.count - kept.count).count
            return sizes(kept).reduce(marker, +)
        }
        if total(kept) > budget, kept.count > 2 {
            // The sizes in the whole thread are those of its head when trimmed (a prefix, its
            // notes the same): the head depends on the start of the thread only.
            kept = Self.stableHeadAndTail(lengths: sizes(kept), budget: fullBudget, reserved: reserved)
            // After the gap the note in force is said again (and a persona whose instructions
            // were dropped gets them again): the tail gives up its oldest turns until it fits.
            while total(kept) > budget, let gap = Self.firstAfterGap(kept), gap != kept.last {
                kept.removeAll { $0 == gap }
            }
            dropped = turns.count - kept.count
        }
        if total(kept) > budget, let last = kept.last {
            // Root and requested article alone are too long: shorten the root, then the request.
            let overflow = total(kept) - budget
            if kept.count == 2 {
                let root = kept[0]
                let keep = max(200, contents[root].count - overflow)
                contents[root] = Self.shorten(contents[root], to: keep)
            }
            if total(kept) > budget {
                contents[last] = Self.shorten(
                    contents[last],
                    to: max(200, budget - (kept.count == 2 ? contents[kept[0]].count : 0))
                )
            }
        }
        let firstAfterGap = Self.firstAfterGap(kept)
        for (index, sent) in zip(kept, rule.notes(for: kept)) {
            var content = contents[index]
            var note = sent
            if index == firstAfterGap, dropped > 0 {
                let omitted = Self.omittedNote(dropped)
                if let text = note { note = omitted + text } else { content = omitted + content }
            }
            if let note { messages.append(LLMMessage(role: .system, content: note)) }
            messages.append(
                LLMMessage(
                    role: turns[index].isPersona ? .assistant : .user,
                    content: content,
                    images: turns[index].images
                )
            )
        }
        messages += siblingContents.map { LLMMessage(role: .user, content: $0) }
        return messages
    }

    /// What begins the first message after `dropped` turns.
    static func omittedNote(_ dropped: Int) -> String {
        "[\(dropped) earlier message\(dropped == 1 ? "" : "s") of the thread omitted]\n\n"
    }

    /// The first kept turn after dropped ones, if any.
    static func firstAfterGap(_ kept: [Int]) -> Int? {
        zip(kept, kept.dropFirst()).first { $1 - $0 > 1 }?.1
    }

    /// Which notes a prompt sends, for the turns it keeps.
    ///
    /// A note only where the persona that answers changes: while one persona answers message
    /// after message, its note stands (in a long exchange with one persona, each turn adds only
    /// the new message, not a note). A persona's instructions once, at its first note in the
    /// prompt; its later notes only say whose turn it is. Both depend only on the messages
    /// before the note, so a note reads the same (or is absent) in every later prompt of the
    /// thread. Past dropped turns the last note may no longer be the one in force (the notes of
    /// the dropped turns went with them): the first note after the gap comes again. The tail
    /// changes from one request to the next anyway; the head does not.
    struct NoteRule {
        /// Each turn's full note (instructions and whose turn it is), `nil` before a person's turn.
        var notes: [String?]
        /// The persona each note is for.
        var names: [String?]
        var group: String

        /// The note sent before each of `kept`, in order.
        func notes(for kept: [Int]) -> [String?] {
            let firstAfterGap = Prompt.firstAfterGap(kept)
            var instructed: Set<String> = []
            var lastNoted: String?
            return kept.map { index in
                if index == firstAfterGap { lastNoted = nil }
                guard let note = self.notes[index], let name = self.names[index] else { return self.notes[index] }
                defer { lastNoted = name }
                if name == lastNoted { return nil }
                if !instructed.insert(name).inserted { return Prompt.turnNote(personaName: name, group: self.group) }
                return note
            }
        }
    }

    /// The first message: the same for every persona of `group`, so that the prompts of all
    /// its personas share it (and the thread after it). FORLLM's rules for a reply are here, not
    /// in the last message: they are the same for every persona.
    static func groupSystemMessage(group: String) -> String {
        "This is a thread of the newsgroup \(group) on FORLLM, a Usenet-style discussion forum where people "
            + "and AI personas write to each other. People's messages begin with their author's name; the "
            + "personas' messages are the assistant turns. A note says which persona answers the messages after "
            + "it, until the next note (the first time, with how that persona writes). A reply is the reply "
            + "only: without the persona's name in front, without a signature and without quoting the whole "
            + "message."
    }

    /// The note before the requested article: the answering persona's instructions, then whose
    /// turn it is (only whose turn it is when the persona's instructions came earlier in the
    /// prompt, ``turnNote(personaName:group:)``). The same note comes again, before the same
    /// article, in the thread's later prompts.
    static func personaSystemMessage(instructions: String, personaName: String, group: String) -> String {
        instructions.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
            + Self.turnNote(personaName: personaName, group: group)
    }

    /// A note for a persona whose instructions came earlier in the prompt: whose turn it is.
    static func turnNote(personaName: String, group: String) -> String {
        "You are \(personaName), taking part in the newsgroup \(group). The next message is the one you answer."
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
        // A persona's article as it was generated: what the server's cache holds after its prompt.
        if turn.isPersona { return turn.text }
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
