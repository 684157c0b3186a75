import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("Personas")
struct PersonaTests {
    /// The cards in forllm.personas, parsed.
    func cards(_ database: ForumDatabase) async throws -> [Article] {
        let numbers = try await database.articleNumbers(inGroup: "forllm.personas", range: 1...Int64.max)
        var cards: [Article] = []
        for number in numbers {
            let stored = try #require(try await database.article(inGroup: "forllm.personas", number: number))
            cards.append(try Article(parsing: stored.bytes))
        }
        return cards
    }

    @Test("a fresh database shows Assistant's card")
    func builtinCard() async throws {
        let (_, database) = try await makeForum()
        let cards = try await self.cards(database)
        #expect(cards.count == 1)
        #expect(cards.first?["Subject"] == "Assistant (@assistant)")
        #expect(cards.first?["X-FORLLM-Persona"] == "assistant (version 1)")
        let text = ArticleText.plainText(of: try #require(cards.first))
        #expect(
            text.hasPrefix(
                "Name: Assistant\nHandle: assistant\nModel: (default)\nGroups: forllm.general\nDefault-For: forllm.general\n\nYou are Assistant"
            )
        )
        #expect(text.contains("\n-- \nVersion 1"))
    }

    @Test("handles are derived from names, unique, and names are unique case-insensitively")
    func handles() async throws {
        let (forum, database) = try await makeForum()
        let anna = try await forum.createPersona(name: "Chef Anna Müller", instructions: "Cook.", by: "test")
        #expect(anna.handle == "chef-anna-muller")
        let again = try await forum.createPersona(name: "Chef Anna-Muller", instructions: "Cook.", by: "test")
        #expect(again.handle == "chef-anna-muller-2")
        await #expect(throws: ForumError.self) {
            try await forum.createPersona(name: "chef anna müller", instructions: "x", by: "test")
        }
        await #expect(throws: ForumError.self) {
            try await forum.createPersona(name: "Bad", handle: "Bad Handle", instructions: "x", by: "test")
        }
        await #expect(throws: ForumError.self) {
            try await forum.createPersona(name: "Other", handle: "assistant", instructions: "x", by: "test")
        }
        await #expect(throws: ForumError.self) {
            try await forum.createPersona(name: "Empty", instructions: "   ", by: "test")
        }
        #expect(try await database.persona(named: "CHEF ANNA MÜLLER")?.id == anna.id)
        #expect(try await database.persona(named: "chef-anna-muller-2")?.id == again.id)
    }

    @Test("every edit is a new version; revert makes a new version equal to an old one")
    func versions() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.createPersona(name: "Critic", instructions: "Be harsh.", model: "llama3.2", by: "jane")
        _ = try await forum.editPersona("critic", PersonaChanges(instructions: "Be fair."), by: "jane")
        let third = try await forum.editPersona(
            "Critic",
            PersonaChanges(name: "The Critic", model: .some(nil)),
            by: "bob"
        )
        #expect(third.version == 3)
        #expect(third.name == "The Critic")
        #expect(third.model == nil)
        await #expect(throws: ForumError.self) {
            try await forum.editPersona("critic", PersonaChanges(instructions: "Be fair."), by: "bob")
        }
        let reverted = try await forum.revertPersona("critic", to: 1, by: "jane")
        #expect(reverted.version == 4)
        #expect(reverted.name == "Critic")
        #expect(reverted.instructions == "Be harsh.")
        #expect(reverted.model == "llama3.2")
        let history = try await database.personaHistory("critic")
        #expect(history.map(\.version) == [1, 2, 3, 4])
        #expect(history.map(\.change) == ["created", "instructions", "name, model", "reverted to version 1"])
        #expect(history.map(\.changedBy) == ["jane", "jane", "bob", "jane"])
        await #expect(throws: StoreError.self) { try await forum.revertPersona("critic", to: 9, by: "x") }

        // Only the newest card stays in forllm.personas; it supersedes the previous one.
        let cards = try await self.cards(database).filter { $0["Subject"]?.contains("@critic") == true }
        #expect(cards.count == 1)
        #expect(cards.first?["X-FORLLM-Persona"] == "critic (version 4)")
        #expect(cards.first?["Supersedes"] == history[2].articleMessageID)
    }

    @Test("deleting retires: no new requests, pending ones cancelled, history kept; Assistant stays")
    func delete() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.createPersona(name: "Critic", instructions: "Be harsh.", by: "jane")
        let injected = try await forum.inject(raw: rawArticle(body: "@critic thoughts?\n"))
        try await forum.deletePersona("critic", by: "jane")
        #expect(try await database.request(id: injected.requestIDs[0]).status == .cancelled)
        #expect(try await database.persona(named: "critic") == nil)
        #expect(try await database.personaHistory("critic").count == 1)
        await #expect(throws: ArticleError.self) {
            _ = try await forum.inject(raw: rawArticle(extraHeaders: ["X-FORLLM-Request: critic"]))
        }
        await #expect(throws: ForumError.self) { try await forum.deletePersona("assistant", by: "jane") }
        let subjects = try await self.cards(database).compactMap { $0["Subject"] }
        #expect(subjects.contains("Critic (@critic) [deleted]"))
        // The name is free again.
        _ = try await forum.createPersona(name: "Critic", instructions: "New one.", by: "jane")
    }

    @Test(
        "who answers: the request, else the group's default, else the global default, else Assistant",
        arguments: [
            (nil as String?, true, true, "named"),
            (nil, true, true, "group"),
            (nil, false, true, "global"),
            (nil, false, false, "assistant")
        ]
    )
    func resolution(_ unused: String?, groupDefault: Bool, globalDefault: Bool, expected: String) async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.auto", mode: .auto, now: Date())
        _ = try await forum.createPersona(name: "Named", instructions: "x", by: "t")
        _ = try await forum.createPersona(name: "Group", instructions: "x", by: "t")
        _ = try await forum.createPersona(name: "Global", instructions: "x", by: "t")
        if groupDefault { try await forum.assignPersona("group", to: "test.auto", asDefault: true) }
        if globalDefault { try await forum.setGlobalDefaultPersona("global") }
        let header = expected == "named" ? ["X-FORLLM-Request: named"] : []
        let injected = try await forum.inject(raw: rawArticle(groups: "test.auto", extraHeaders: header))
        let request = try await database.request(id: try #require(injected.requestIDs.first))
        #expect(request.personaHandle == expected)
        if expected != "named" {
            let asked = try await forum.inject(
                raw: rawArticle(groups: "test.auto", extraHeaders: ["X-FORLLM-Request: default"])
            )
            #expect(try await database.request(id: asked.requestIDs[0]).personaHandle == expected)
        }
    }

    @Test("assign, default and unassign show in the details and on the card")
    func assignments() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.kitchen", mode: .request, now: Date())
        _ = try await forum.createPersona(name: "Chef", instructions: "Cook.", by: "t")
        try await forum.assignPersona("chef", to: "test.kitchen", asDefault: true)
        var details = try await database.personaDetails("chef")
        #expect(details.groups == ["test.kitchen"])
        #expect(details.defaultFor == ["test.kitchen"])
        #expect(try await database.personas(assignedTo: "test.kitchen").map(\.handle) == ["chef"])
        let card = try #require(try await self.cards(database).first { $0["Subject"] == "Chef (@chef)" })
        #expect(ArticleText.plainText(of: card).contains("Groups: test.kitchen\nDefault-For: test.kitchen\n"))
        try await forum.unassignPersona("chef", from: "test.kitchen")
        details = try await database.personaDetails("chef")
        #expect(details.groups.isEmpty)
        #expect(details.defaultFor.isEmpty)
        await #expect(throws: StoreError.self) { try await forum.unassignPersona("chef", from: "test.kitchen") }
        await #expect(throws: StoreError.self) {
            try await forum.assignPersona("chef", to: "no.such", asDefault: false)
        }
    }

    // MARK: - Posting to forllm.personas

    func personaPost(subject: String, body: String, groups: String = "forllm.personas") -> [UInt8] {
        rawArticle(groups: groups, subject: subject, body: body)
    }

    @Test("a post creates a persona with its handle, model, groups and default")
    func createByPost() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.kitchen", mode: .request, now: Date())
        let body = """
            Handle: chef
            Model: qwen2.5:7b
            Groups: test.kitchen, forllm.general
            Default-For: test.kitchen

            You are Chef Anna, a cook who loves bread.
            Answer briefly.
            """
        let injected = try await forum.inject(raw: self.personaPost(subject: "persona: Chef Anna", body: body + "\n"))
        #expect(injected.numbers.first?.group == "forllm.personas")
        let details = try await database.personaDetails("chef")
        #expect(details.persona.name == "Chef Anna")
        #expect(details.persona.model == "qwen2.5:7b")
        #expect(details.persona.instructions == "You are Chef Anna, a cook who loves bread.\nAnswer briefly.")
        #expect(details.groups == ["forllm.general", "test.kitchen"])
        #expect(details.defaultFor == ["test.kitchen"])
        #expect(try await database.personaHistory("chef").first?.changedBy == "jane@example.org")
        // The post itself is not stored; the card is.
        let cards = try await self.cards(database)
        #expect(cards.map { $0["Subject"] ?? "" }.sorted() == ["Assistant (@assistant)", "Chef Anna (@chef)"])
    }

    @Test("a post edits an existing persona: only the lines given change")
    func editByPost() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.createPersona(
            name: "Chef Anna",
            handle: "chef",
            instructions: "Cook.",
            model: "llama3.2",
            by: "t"
        )
        _ = try await forum.inject(raw: self.personaPost(subject: "persona: chef", body: "Model: none\n"))
        var persona = try #require(try await database.persona(named: "chef"))
        #expect(persona.model == nil)
        #expect(persona.instructions == "Cook.")
        #expect(persona.version == 2)
        _ = try await forum.inject(raw: self.personaPost(subject: "persona: Chef Anna", body: "Name: Anna\n\nBake.\n"))
        persona = try #require(try await database.persona(named: "chef"))
        #expect(persona.name == "Anna")
        #expect(persona.instructions == "Bake.")
        #expect(persona.version == 3)
    }

    @Test(
        "bad persona posts are refused with the reason and change nothing",
        arguments: [
            ("Chef Anna", "Handle: chef\n", "Subject: to create or change a persona"),
            ("persona: Newbie", "Model: llama3.2\n", "write its instructions"),
            ("persona: Chef", "Colour: blue\n\nCook.\n", "unknown key 'Colour'"),
            ("persona: Chef", "Handle: Not Valid\n\nCook.\n", "handle 'Not Valid' is not valid"),
            ("persona: Chef", "Groups: no.such.group\n\nCook.\n", "no group named no.such.group"),
            (
                "persona: Chef", "Groups: forllm.general\nDefault-For: forllm.personas\n\nCook.\n",
                "Default-For: forllm.personas is not in Groups"
            ),
            ("persona: Chef", "Model: two words\n\nCook.\n", "must be one word"),
            ("persona: Assistant", "Handle: other\n", "cannot be changed"),
            ("persona: Chef", "just text without keys\n", "is not 'Key: value'")
        ]
    )
    func badPosts(subject: String, body: String, reason: String) async throws {
        let (forum, database) = try await makeForum()
        let before = try await self.cards(database).count
        await #expect {
            _ = try await forum.inject(raw: self.personaPost(subject: subject, body: body))
        } throws: { error in
            let message = (error as? ArticleError)?.message ?? ""
            return message.contains(reason)
        }
        #expect(try await database.personas().map(\.handle) == ["assistant"])
        #expect(try await self.cards(database).count == before)
    }

    @Test("a persona post cannot be cross-posted")
    func crossPostedPersonaPost() async throws {
        let (forum, _) = try await makeForum()
        await #expect(throws: ArticleError.self) {
            _ = try await forum.inject(
                raw: self.personaPost(
                    subject: "persona: Chef",
                    body: "\nCook.\n",
                    groups: "forllm.personas,forllm.general"
                )
            )
        }
    }
}
