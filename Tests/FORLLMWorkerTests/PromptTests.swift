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
                isPersona: index % 2 == 1,
                subject: "Sourdough",
                text: "Turn \(index). " + String(repeating: "x", count: size)
            )
        }
    }

    /// The end of a persona's note.
    static func turnOf(_ name: String) -> String {
        "You are \(name), taking part in the newsgroup forllm.cooking. The next message is the one you answer."
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

    @Test("under the budget: the group's system message, the thread, the persona's note, the requested article")
    func whole() {
        let messages = Self.messages(Self.thread(5, size: 10), budget: 10_000)
        #expect(messages.map(\.role) == [.system, .user, .assistant, .user, .assistant, .system, .user])
        #expect(messages[0].content.hasPrefix("This is a thread of the newsgroup forllm.cooking on FORLLM,"))
        #expect(!messages[0].content.contains("You bake.") && !messages[0].content.contains("You are Assistant"))
        #expect(messages[1].content.hasPrefix("Jane wrote (subject: Sourdough):\n\nTurn 0."))
        // A persona's article: an assistant turn, its text as the model wrote it.
        #expect(messages[2].content.hasPrefix("Turn 1."))
        #expect(messages[5].content == "You bake.\n\n" + Self.turnOf("Assistant"))
        #expect(messages[6].content.hasPrefix("Jane wrote:\n\nTurn 4."))
        #expect(messages.allSatisfy { !$0.content.contains("omitted") })
    }

    @Test(
        "two personas' prompts for one thread share the whole thread; a note only where the answering persona changes"
    )
    func sharedPrefixAcrossPersonas() throws {
        // Two personas' articles in the thread, one of them the persona that answers now.
        var turns = Self.thread(5, size: 10)
        (turns[1].personaName, turns[1].personaInstructions) = ("Assistant", "You bake.")
        (turns[3].author, turns[3].personaName, turns[3].personaInstructions) = (
            "Critic", "Critic", "You doubt everything."
        )
        // Whole, the last note in the thread names the Critic: the Assistant gets a note before the
        // requested article, the Critic none. Trimmed to root + the last two, the notes of the
        // dropped turns are gone, so after the gap the note in force is said again: both get one.
        for budget in [10_000, 3000] {
            let big = turns.map { turn in
                var turn = turn
                turn.text += String(repeating: "y", count: budget == 3000 ? 800 : 0)
                return turn
            }
            let assistant = Self.messages(big, budget: budget)
            let critic = Prompt.messages(
                instructions: "You doubt everything.",
                personaName: "Critic",
                group: "forllm.cooking",
                turns: big,
                budget: budget
            )
            #expect(assistant[assistant.count - 2].role == .system)
            #expect(assistant[assistant.count - 2].content.hasSuffix(Self.turnOf("Assistant")))
            #expect(assistant.last == critic.last)
            if budget == 3000 {
                // Everything before the note, byte for byte: the group's system message and the thread.
                #expect(Array(assistant.dropLast(2)) == Array(critic.dropLast(2)))
                #expect(critic[critic.count - 2].content.hasSuffix(Self.turnOf("Critic")))
                #expect(assistant.contains { $0.content.contains("omitted") })
            } else {
                #expect(Array(assistant.dropLast(2)) == Array(critic.dropLast(1)))
                #expect(critic[critic.count - 2].role == .assistant)
            }
        }
        // Before each article a persona answered, the note that asked that persona for it.
        let messages = Self.messages(turns, budget: 10_000)
        #expect(
            messages.map(\.role) == [.system, .system, .user, .assistant, .system, .user, .assistant, .system, .user]
        )
        #expect(messages[1].content == "You bake.\n\n" + Self.turnOf("Assistant"))
        #expect(messages[4].content == "You doubt everything.\n\n" + Self.turnOf("Critic"))
        #expect(messages[6].content.hasPrefix("Turn 3."))
        // A persona's instructions once, at its first note: after that, whose turn it is.
        #expect(messages[7].content == Self.turnOf("Assistant"))
    }

    @Test("the prompt that asked for an answer, then the answer, is the start of the next prompt in the thread")
    func appendOnly() {
        var turns = Self.thread(3, size: 10)
        (turns[1].personaName, turns[1].personaInstructions) = ("Assistant", "You bake.")
        let first = Self.messages(turns, budget: 10_000)
        var answer = PromptTurn(author: "Assistant", isPersona: true, subject: "Re: Sourdough", text: "Turn 3.")
        (answer.personaName, answer.personaInstructions) = ("Assistant", "You bake.")
        let next = Self.messages(turns + [answer, Self.thread(5, size: 10)[4]], budget: 10_000)
        #expect(Array(next.prefix(first.count)) == first)
        #expect(next[first.count] == LLMMessage(role: .assistant, content: "Turn 3."))
        // One persona answering message after message: its first note stands, each turn adds only
        // the new messages.
        #expect(first.map(\.role) == [.system, .system, .user, .assistant, .user])
        #expect(next.map(\.role) == [.system, .system, .user, .assistant, .user, .assistant, .user])
        #expect(next[1].content == "You bake.\n\n" + Self.turnOf("Assistant"))
    }

    @Test("after the dropped turns the note in force is said again, even for the same persona")
    func noteAfterGap() {
        // One persona answers every other turn: whole, only its first note is there.
        let turns = Self.thread(21).map { turn in
            var turn = turn
            if turn.isPersona { (turn.personaName, turn.personaInstructions) = ("Assistant", "You bake.") }
            return turn
        }
        let whole = Self.messages(turns, budget: 100_000)
        #expect(whole.filter { $0.role == .system }.count == 2)
        // Trimmed: the first note after the gap names it again.
        let trimmed = Self.messages(turns, budget: 8000)
        guard let gap = trimmed.firstIndex(where: { $0.content.contains("omitted") }) else {
            Issue.record("no turns were dropped")
            return
        }
        #expect(trimmed[..<gap].filter { $0.role == .system }.count == 2)
        let after = trimmed[gap...].filter { $0.role == .system }.map(\.content)
        #expect(after.count == 1)
        #expect(after.first?.hasSuffix(Self.turnOf("Assistant")) == true)
    }

    @Test("the answering persona's instructions reach the model: a system note right before the requested article")
    func instructionsReachTheModel() {
        let messages = Prompt.messages(
            instructions: "  Always answer in haiku.\n",
            personaName: "Poet",
            group: "forllm.poetry",
            turns: Self.thread(3, size: 10),
            budget: 10_000
        )
        let note = messages[messages.count - 2]
        #expect(note.role == .system)
        #expect(
            note.content
                == "Always answer in haiku.\n\nYou are Poet, taking part in the newsgroup forllm.poetry. "
                + "The next message is the one you answer."
        )
        #expect(messages.last?.content.hasPrefix("Jane wrote:\n\nTurn 2.") == true)
        #expect(messages.filter { $0.content.contains("haiku") || $0.content.contains("Poet") } == [note])
    }

    @Test("over the budget: the head stays the same as the thread grows; the newest turns fill the rest")
    func stableHead() {
        let budget = 8000
        var previous: [LLMMessage]?
        for count in stride(from: 12, through: 30, by: 2) {
            let messages = Self.messages(Self.thread(count + 1), budget: budget)
            let thread = messages.filter { $0.role != .system }.map(\.content).joined()
            #expect(thread.count <= budget + 200, "\(count): \(thread.count) characters")
            // The root and the requested article are always there.
            #expect(messages[1].content.contains("Turn 0."))
            #expect(messages.last?.content.contains("Turn \(count).") == true)
            // The head: the group's system message, the root and the turns after it that fit in half the
            // budget; the same messages, byte for byte, whatever the thread's length.
            let head = Array(messages.prefix { !$0.content.contains("omitted") })
            #expect(head.count == 4, "system + turns 0...2: about 3,090 characters; with turn 3, 4,115 > 4,000")
            if let previous {
                #expect(Array(previous.prefix(head.count)) == head)
            }
            previous = messages
            // The note follows the head, saying how many turns were left out.
            let note = messages[head.count].content
            let kept = messages.count - 2
            #expect(note.hasPrefix("[\(count + 1 - kept) earlier messages of the thread omitted]"))
        }
    }

    @Test("a requested article longer than half the budget still fits; root and request shortened last")
    func longRequest() {
        var turns = Self.thread(8)
        turns[7].text = String(repeating: "y", count: 6000)
        let messages = Self.messages(turns, budget: 8000)
        let thread = messages.filter { $0.role != .system }.map(\.content).joined()
        #expect(thread.count <= 8000 + 200)
        #expect(messages.last?.content.hasSuffix(String(repeating: "y", count: 100)) == true)

        var huge = Self.thread(3)
        huge[2].text = String(repeating: "z", count: 20_000)
        let shortened = Self.messages(huge, budget: 4000)
        #expect(shortened.count == 4, "system, root, the persona's note, request")
        #expect(shortened.filter { $0.role != .system }.map(\.content).joined().count <= 4000 + 400)
        #expect(shortened[3].content.contains("[…]"))
    }

    @Test(
        "notes count in the budget as they are sent: a long exchange with one persona is not trimmed for notes it leaves out"
    )
    func notesCountAsSent() {
        // Jane and the Assistant, 11 turns of about 500 characters, and instructions of 2,000.
        let instructions = String(repeating: "Bake with patience. ", count: 100)
        var turns = Self.thread(11, size: 500)
        for index in turns.indices where turns[index].isPersona {
            (turns[index].personaName, turns[index].personaInstructions) = ("Assistant", instructions)
        }
        let text = turns.reduce(0) { $0 + $1.text.count + 40 }
        // Room for the thread and the one note it sends (before the first answer): nothing is
        // dropped. Counting the five notes the Assistant's answers would have, 10,000 more.
        let budget = text + instructions.count + 200
        let messages = Prompt.messages(
            instructions: instructions,
            personaName: "Assistant",
            group: "forllm.cooking",
            turns: turns,
            budget: budget
        )
        #expect(!messages.contains { $0.content.contains("omitted") })
        #expect(messages.filter { $0.role != .system }.count == 11)
        #expect(messages.filter { $0.role == .system }.count == 2, "the group's, and the Assistant's first note")
    }

    @Test("after a gap the notes said again count too: what is sent stays within the budget")
    func gapNotesWithinBudget() {
        // Two personas taking turns with Jane, long instructions each: after the gap, the note in
        // force comes again with its instructions when they were dropped.
        let long = String(repeating: "Doubt it. ", count: 150)
        for budget in stride(from: 6000, through: 16_000, by: 500) {
            var turns = Self.thread(21, size: 400)
            for index in turns.indices where turns[index].isPersona {
                let name = index % 4 == 1 ? "Assistant" : "Critic"
                (turns[index].author, turns[index].personaName, turns[index].personaInstructions) = (
                    name, name, name == "Critic" ? long : "You bake."
                )
            }
            let messages = Self.messages(turns, budget: budget)
            // Everything but the group's system message and the answering persona's note.
            let sent = messages.dropFirst().dropLast(2).map(\.content.count).reduce(0, +) + messages.last!.content.count
            #expect(sent <= budget, "budget \(budget): \(sent) characters sent")
            #expect(messages.last?.content.contains("Turn 20.") == true)
        }
    }
}
