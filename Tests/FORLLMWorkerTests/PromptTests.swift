import FORLLMWorker
import Testing

/// The prompt's layout and trimming: what the model sees, and a head that stays the same from
/// one request in a thread to the next so that the server's prompt cache serves it.
@Suite("Prompt")
struct PromptTests {
    /// A thread of `count` turns of about `size` characters each, alternating Jane and the persona.
    static func thread(_ count: Int, size: Int = 1000) -> [PromptTurn] {
        (0..<count).map { index in
            PromptTurn(
                author: index % 2 == 0 ? "Jane" : "Assistant",
                isOwn: index % 2 == 1,
                subject: "Sourdough",
                text: "Turn \(index). " + String(repeating: "x", count: size)
            )
        }
    }

    static func messages(_ turns: [PromptTurn], budget: Int) -> [LLMMessage] {
        Prompt.messages(
            instructions: "You bake.",
            personaName: "Assistant",
            group: "forllm.cooking",
            turns: turns,
            budget: budget
        )
    }

    @Test("under the budget: the system prompt, then every turn in order, roles by author")
    func whole() {
        let messages = Self.messages(Self.thread(4, size: 10), budget: 10_000)
        #expect(messages.map(\.role) == [.system, .user, .assistant, .user, .assistant])
        #expect(
            messages[0].content.hasPrefix(
                "You bake.\n\nYou are Assistant, taking part in the newsgroup forllm.cooking."
            )
        )
        #expect(messages[1].content.hasPrefix("Jane wrote (subject: Sourdough):\n\nTurn 0."))
        #expect(messages[2].content.hasPrefix("Turn 1."))
        #expect(messages.allSatisfy { !$0.content.contains("omitted") })
    }

    @Test("over the budget: the head stays the same as the thread grows; the newest turns fill the rest")
    func stableHead() {
        let budget = 8000
        var previous: [LLMMessage]?
        for count in stride(from: 12, through: 30, by: 2) {
            let messages = Self.messages(Self.thread(count + 1), budget: budget)
            let thread = messages.dropFirst().map(\.content).joined()
            #expect(thread.count <= budget + 200, "\(count): \(thread.count) characters")
            // The root and the requested article are always there.
            #expect(messages[1].content.contains("Turn 0."))
            #expect(messages.last?.content.contains("Turn \(count).") == true)
            // The head: the system prompt, the root and the turns after it that fit in half the
            // budget; the same messages, byte for byte, whatever the thread's length.
            let head = Array(messages.prefix { !$0.content.contains("omitted") })
            #expect(head.count == 4, "system + turns 0...2: about 3,070 characters; with turn 3, 4,080 > 4,000")
            if let previous {
                #expect(Array(previous.prefix(head.count)) == head)
            }
            previous = messages
            // The note follows the head, saying how many turns were left out.
            let note = messages[head.count].content
            let kept = messages.count - 1
            #expect(note.hasPrefix("[\(count + 1 - kept) earlier messages of the thread omitted]"))
        }
    }

    @Test("a requested article longer than half the budget still fits; root and request shortened last")
    func longRequest() {
        var turns = Self.thread(8)
        turns[7].text = String(repeating: "y", count: 6000)
        let messages = Self.messages(turns, budget: 8000)
        let thread = messages.dropFirst().map(\.content).joined()
        #expect(thread.count <= 8000 + 200)
        #expect(messages.last?.content.hasSuffix(String(repeating: "y", count: 100)) == true)

        var huge = Self.thread(3)
        huge[2].text = String(repeating: "z", count: 20_000)
        let shortened = Self.messages(huge, budget: 4000)
        #expect(shortened.count == 3, "system, root, request")
        #expect(shortened.dropFirst().map(\.content).joined().count <= 4000 + 400)
        #expect(shortened[2].content.contains("[…]"))
    }
}
