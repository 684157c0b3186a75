import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import NewsArticle
import Testing

@Suite("Persona generation")
struct PersonaGenerationTests {
    static let valid = """
        Here you go:
        ```json
        {"personas": [
          {"name": "Baker Ben", "handle": "ben", "instructions": "You are Baker Ben, a professional baker who explains the chemistry of dough."},
          {"name": "Grandma Rosa", "handle": "rosa", "instructions": "You are Grandma Rosa, who has baked bread at home for sixty years and loves stories."}
        ]}
        ```
        """

    let clock = ManualClock(date: Date())

    func setUp(_ steps: [FakeLLMClient.Step]) async throws -> (Forum, ReplyWorker, FakeLLMClient) {
        let (forum, database) = try await makeForum(clock: self.clock)
        try await database.createGroup(
            name: "test.baking",
            description: "Bread and pastry",
            mode: .request,
            now: Date()
        )
        let client = FakeLLMClient(steps: steps)
        let worker = makeWorker(forum: forum, clients: [client], clock: self.clock) {
            $0.maximumAttempts = 2
            $0.retryDelay = .seconds(1)
        }
        return (forum, worker, client)
    }

    @Test("a valid answer creates the personas, assigns them and reports in the group")
    func valid() async throws {
        let (forum, worker, client) = try await self.setUp([.answer(Self.valid)])
        let request = try await forum.queuePersonaGeneration(
            group: "test.baking",
            count: 2,
            hint: "friendly",
            regenerate: nil,
            model: nil
        )
        await worker.execute(try #require(try await worker.claimRunnable().first))
        #expect(try await forum.database.request(id: request.id).status == .done)
        #expect(try await forum.database.personas(assignedTo: "test.baking").map(\.handle) == ["ben", "rosa"])
        let sent = try #require(client.received.first)
        #expect(sent.messages.last?.content.contains("test.baking: Bread and pastry") == true)
        #expect(sent.messages.last?.content.contains("Propose 2 new") == true)
        #expect(sent.messages.last?.content.contains("friendly") == true)
        // The same num_ctx as the answers (the model's 4096 here), so Ollama keeps the model loaded.
        #expect(sent.contextLength == 4096)
        let stored = try #require(try await forum.database.article(inGroup: "test.baking", number: 1))
        let report = try Article(parsing: stored.bytes)
        #expect(report["Subject"] == "New personas for test.baking")
        #expect(ArticleText.plainText(of: report).contains("Baker Ben (@ben)"))
    }

    @Test(
        "an unusable answer is retried, then fails with a notice in the group",
        arguments: [
            ("Sure! Ben and Rosa would be great.", "was not JSON"),
            ("{\"people\": []}", "not the JSON asked for"),
            (
                "{\"personas\": [{\"name\": \"Only One\", \"instructions\": \"You are the only persona proposed here.\"}]}",
                "proposed 1 usable persona, 2 were asked for"
            )
        ]
    )
    func unusable(answer: String, reason: String) async throws {
        let (forum, worker, _) = try await self.setUp([.answer(answer), .answer(answer)])
        let request = try await forum.queuePersonaGeneration(
            group: "test.baking",
            count: 2,
            hint: nil,
            regenerate: nil,
            model: nil
        )
        await worker.execute(try #require(try await worker.claimRunnable().first))
        var state = try await forum.database.request(id: request.id)
        #expect(state.status == .pending)
        #expect(state.error?.contains(reason) == true)
        #expect(try await worker.claimRunnable().isEmpty)
        self.clock.advance(by: .seconds(2))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        state = try await forum.database.request(id: request.id)
        #expect(state.status == .failed)
        #expect(try await forum.database.personas(assignedTo: "test.baking").isEmpty)
        let stored = try #require(try await forum.database.article(inGroup: "test.baking", number: 1))
        let notice = try Article(parsing: stored.bytes)
        #expect(notice["Subject"] == "Persona generation failed")
        #expect(ArticleText.plainText(of: notice).contains(reason))
    }

    @Test("generation is bounded like an answer: a loop cut short says so, and its text is cleaned")
    func bounded() async throws {
        let loop = LLMRepetition(keptBytes: 40, period: 10, repeats: 90, droppedBytes: 890)
        let (forum, worker, client) = try await self.setUp([
            .answer("{\"personas\": [{\"name\": \"Ben and again ", truncations: [.repetition(loop)]),
            .answer(Self.valid.replacingOccurrences(of: "Baker Ben", with: "Baker\u{0} Ben\u{7}"))
        ])
        let request = try await forum.queuePersonaGeneration(
            group: "test.baking",
            count: 2,
            hint: nil,
            regenerate: nil,
            model: nil
        )
        await worker.execute(try #require(try await worker.claimRunnable().first))
        let sent = try #require(client.received.first)
        #expect(sent.maximumTokens == 4096)
        #expect(sent.stopsRepetition)
        var state = try await forum.database.request(id: request.id)
        #expect(state.status == .pending)
        #expect(state.error?.contains("the model's answer was cut (repetition (a 10-byte passage 90 times))") == true)
        self.clock.advance(by: .seconds(2))
        await worker.execute(try #require(try await worker.claimRunnable().first))
        state = try await forum.database.request(id: request.id)
        #expect(state.status == .done)
        #expect(state.answerNotes.cleaned == "removed 2 NUL (U+0000), 2 BEL (U+0007)")  // "Baker Ben" is there twice
        #expect(try await forum.database.personas(assignedTo: "test.baking").map(\.name).contains("Baker Ben"))
    }

    @Test("regenerating replaces one persona with a new version")
    func regenerate() async throws {
        let answer = """
            {"personas": [{"name": "Chef Bruno", "handle": "bruno", "instructions": "You are Chef Bruno, an Italian baker who is precise about hydration."}]}
            """
        let (forum, worker, client) = try await self.setUp([.answer(answer)])
        _ = try await forum.createPersona(name: "Dull Chef", handle: "chef", instructions: "Cook.", by: "t")
        try await forum.assignPersona("chef", to: "test.baking", asDefault: true)
        _ = try await forum.queuePersonaGeneration(
            group: "test.baking",
            count: 3,
            hint: nil,
            regenerate: "chef",
            model: nil
        )
        await worker.execute(try #require(try await worker.claimRunnable().first))
        let persona = try #require(try await forum.database.persona(named: "chef"))
        #expect(persona.name == "Chef Bruno")
        #expect(persona.version == 2)
        #expect(try await forum.database.personaHistory("chef").last?.change == "regenerated")
        #expect(client.received.first?.messages.last?.content.contains("Replace the persona Dull Chef") == true)
    }
}
