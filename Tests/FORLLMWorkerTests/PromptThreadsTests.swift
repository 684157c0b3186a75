import FORLLMForum
import FORLLMStore
import FORLLMWorker
import Foundation
import NewsArticle
import Testing

/// The prompts of issue 10's thread features: a summary's entries and chunks, and the other
/// personas' answers in a persona's context.
@Suite("Prompt: summaries and sibling answers")
struct PromptThreadsTests {
    /// `Date:` `minutes` after an hour ago.
    static func date(_ minutes: Int) -> String {
        "Date: " + NewsDate.format(Date().addingTimeInterval(-3600 + Double(minutes) * 60))
    }

    @Test("chunks: a thread just within the budget is one chunk, one character more makes two")
    func chunkBoundaries() {
        // Three entries of 133 characters joined by two blank-line separators: 403 characters.
        let entries = (0..<3).map { String(repeating: Character("\($0)"), count: 133) }
        #expect(Prompt.summaryChunks(entries, budget: 403) == [entries.joined(separator: "\n\n")])
        #expect(Prompt.summaryChunks(entries, budget: 402) == [entries[0] + "\n\n" + entries[1], entries[2]])
        // Every chunk fits; an entry larger than the budget alone is shortened to it.
        let mixed = [String(repeating: "a", count: 300), String(repeating: "b", count: 2000), "c"]
        let chunks = Prompt.summaryChunks(mixed, budget: 500)
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0.count <= 500 })
        #expect(chunks[1].hasPrefix("bbb") && chunks[1].contains("[…]"))
    }

    @Test("summary entries: every branch of the thread, oldest first, each saying what it replies to")
    func wholeThreadInDateOrder() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.talk", mode: .request, now: Date())
        // root (0) ← a (1) ← c (3);  root ← b (2): b is a side branch, posted between a and c.
        let articles: [(id: String, references: String?, minutes: Int, from: String, body: String)] = [
            ("<c@example.org>", "<root@example.org> <a@example.org>", 3, "Carol <carol@example.org>", "C text"),
            ("<root@example.org>", nil, 0, "Jane Doe <jane@example.org>", "Root text"),
            ("<b@example.org>", "<root@example.org>", 2, "Bob <bob@example.org>", "B text"),
            ("<a@example.org>", "<root@example.org>", 1, "Al <al@example.org>", "A text")
        ]
        // Stored out of date order (c's Date is later, but root must come first for References).
        for index in [1, 3, 2, 0] {
            let article = articles[index]
            _ = try await forum.inject(
                raw: rawArticle(
                    groups: "test.talk",
                    subject: "Bread",
                    from: article.from,
                    messageID: article.id,
                    references: article.references,
                    extraHeaders: [Self.date(article.minutes)],
                    body: article.body + "\n"
                )
            )
        }
        let b = try #require(try await database.article(messageID: "<b@example.org>"))
        let thread = try await database.wholeThread(ofArticle: b.id)
        #expect(
            thread.map(\.article.messageID) == [
                "<root@example.org>", "<a@example.org>", "<b@example.org>", "<c@example.org>"
            ]
        )
        let entries = Prompt.summaryEntries(of: thread)
        #expect(entries.count == 4)
        #expect(entries[0].hasPrefix("[1] Jane Doe, ") && entries[0].contains(", subject: Bread:\n\nRoot text"))
        #expect(entries[1].hasPrefix("[2] Al, ") && entries[1].hasSuffix(", in reply to [1]:\n\nA text"))
        #expect(entries[2].hasPrefix("[3] Bob, ") && entries[2].hasSuffix(", in reply to [1]:\n\nB text"))
        #expect(entries[3].hasPrefix("[4] Carol, ") && entries[3].hasSuffix(", in reply to [2]:\n\nC text"))
    }

    @Test("summary messages: the final call, a part, and the combination of part summaries")
    func summaryMessages() {
        func user(_ input: Prompt.SummaryInput, _ part: (number: Int, count: Int)?) -> String {
            let messages = Prompt.summaryMessages(
                instructions: "Be brief.",
                personaName: "Assistant",
                group: "g",
                subject: "Bread",
                input: input,
                text: "TEXT",
                part: part
            )
            #expect(messages.map(\.role) == [.system, .user])
            #expect(messages[0].content.hasPrefix("Be brief.\n\nYou are Assistant"))
            return messages[1].content
        }
        #expect(user(.articles, nil).hasPrefix("Summarise the whole thread \"Bread\"."))
        #expect(user(.articles, (2, 5)).contains("Summarise part 2 of 5 of it"))
        #expect(user(.partSummaries, nil).contains("Combine these summaries of its parts into one summary"))
        #expect(user(.articles, nil).hasSuffix("\n\nTEXT"))
    }

    static func thread(_ count: Int, size: Int = 1000) -> [PromptTurn] {
        (0..<count).map { index in
            PromptTurn(
                author: index % 2 == 0 ? "Jane" : "Assistant",
                isPersona: index % 2 == 1,
                subject: "Sourdough",
                text: "Turn \(index). " + String(repeating: "x", count: size)
            )
        }
    }

    static func messages(_ turns: [PromptTurn], siblings: [PromptTurn], budget: Int) -> [LLMMessage] {
        Prompt.messages(
            instructions: "You bake.",
            personaName: "Assistant",
            group: "forllm.cooking",
            turns: turns,
            siblings: siblings,
            budget: budget
        )
    }

    @Test("sibling answers follow the requested article as user turns marked with their names")
    func siblings() {
        let bob = PromptTurn(author: "Bob", isPersona: false, subject: "Re: Sourdough", text: "Use rye.")
        let carol = PromptTurn(author: "Carol", isPersona: false, subject: "Re: Sourdough", text: "Use spelt.")
        let messages = Self.messages(Self.thread(3, size: 10), siblings: [bob, carol], budget: 10_000)
        #expect(messages.map(\.role) == [.system, .user, .assistant, .system, .user, .user, .user])
        #expect(messages[4].content.contains("Turn 2."))
        #expect(messages[5].content == "Bob (persona) answered it:\n\nUse rye.")
        #expect(messages[6].content.hasPrefix("Carol (persona) answered it:\n\nUse spelt.\n\n[The answers above"))
    }

    @Test("with sibling answers the head stays the same and the whole fits the budget")
    func siblingsKeepStableHead() {
        let budget = 8000
        let long = PromptTurn(author: "Bob", isPersona: false, subject: "", text: String(repeating: "b", count: 5000))
        for count in [13, 21, 29] {
            let plain = Self.messages(Self.thread(count), siblings: [], budget: budget)
            let with = Self.messages(Self.thread(count), siblings: [long], budget: budget)
            let head = Array(plain.prefix { !$0.content.contains("omitted") })
            #expect(head.count == 4)
            #expect(Array(with.prefix(head.count)) == head)
            // The requested article is still there, followed by Bob's answer, shortened to a quarter.
            #expect(with[with.count - 2].content.contains("Turn \(count - 1)."))
            #expect(with.last?.content.hasPrefix("Bob (persona) answered it:") == true)
            #expect((with.last?.content.count ?? 0) <= budget / 4)
            #expect(with[with.count - 3].role == .system)
            let total = with.filter { $0.role != .system }.map(\.content.count).reduce(0, +)
            #expect(total <= budget + 200, "\(count): \(total)")
        }
    }
}
