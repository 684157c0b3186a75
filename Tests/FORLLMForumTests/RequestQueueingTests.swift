import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("Which articles queue requests")
struct RequestQueueingTests {
    /// Adds a persona directly (the persona commands come with their own tests).
    static func addPersona(_ database: ForumDatabase, handle: String, name: String) async throws -> Int64 {
        try await database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO persona (handle, name, name_key, instructions, version, created_at)
                    VALUES (?, ?, ?, 'Be brief.', 1, 0)
                    """,
                arguments: [handle, name, name.lowercased()]
            )
            return db.lastInsertedRowID
        }
    }

    func handles(_ database: ForumDatabase, _ ids: [Int64]) async throws -> [String] {
        var result: [String] = []
        for id in ids {
            result.append(try await database.request(id: id).personaHandle ?? "?")
        }
        return result
    }

    @Test("a user article in an auto group queues the default persona")
    func auto() async throws {
        let (forum, database) = try await makeForum()
        let injected = try await forum.inject(raw: rawArticle())
        #expect(try await self.handles(database, injected.requestIDs) == ["assistant"])
        let request = try await database.request(id: try #require(injected.requestIDs.first))
        #expect(request.status == .pending)
        #expect(request.messageID == injected.messageID.value)
        #expect(request.groupName == "forllm.general")
        #expect(request.answerMessageID?.hasSuffix("@forllm.local>") == true)
    }

    @Test("a request group queues nothing unless asked")
    func requestMode() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.ask", mode: .request, now: Date())
        let quiet = try await forum.inject(raw: rawArticle(groups: "test.ask"))
        #expect(quiet.requestIDs.isEmpty)
        let asked = try await forum.inject(
            raw: rawArticle(groups: "test.ask", extraHeaders: ["X-FORLLM-Request: default; model=phi3"])
        )
        #expect(try await self.handles(database, asked.requestIDs) == ["assistant"])
        let request = try await database.request(id: asked.requestIDs[0])
        #expect(request.requestedModel == "phi3")
    }

    @Test("named personas, by handle or by name, each get one request")
    func named() async throws {
        let (forum, database) = try await makeForum()
        _ = try await Self.addPersona(database, handle: "chef", name: "Chef Anna")
        _ = try await Self.addPersona(database, handle: "critic", name: "The Critic")
        let injected = try await forum.inject(
            raw: rawArticle(extraHeaders: ["X-FORLLM-Request: chef, \"the critic\", chef ; backend=ollama"])
        )
        #expect(try await self.handles(database, injected.requestIDs) == ["chef", "critic"])
        #expect(try await database.request(id: injected.requestIDs[1]).requestedBackend == "ollama")
    }

    @Test("none suppresses answers even in an auto group and with mentions")
    func none() async throws {
        let (forum, _) = try await makeForum()
        let injected = try await forum.inject(
            raw: rawArticle(extraHeaders: ["X-FORLLM-Request: none"], body: "@assistant what do you think?\n")
        )
        #expect(injected.requestIDs.isEmpty)
    }

    @Test("mentions outside quotes and signature queue those personas instead of the default")
    func mentions() async throws {
        let (forum, database) = try await makeForum()
        _ = try await Self.addPersona(database, handle: "chef", name: "Chef Anna")
        _ = try await Self.addPersona(database, handle: "critic", name: "The Critic")
        let body = """
            Jane wrote:
            > @critic said something
            @chef how long do I knead? Mail me at jane@example.org.

            -- 
            @critic fan club
            """
        let injected = try await forum.inject(raw: rawArticle(body: body + "\n"))
        #expect(try await self.handles(database, injected.requestIDs) == ["chef"])
    }

    @Test("a chain @a:@b queues a, and b after a has answered")
    func chain() async throws {
        let (forum, database) = try await makeForum()
        let chefID = try await Self.addPersona(database, handle: "chef", name: "Chef Anna")
        _ = try await Self.addPersona(database, handle: "critic", name: "The Critic")
        let injected = try await forum.inject(raw: rawArticle(body: "@chef:@critic bread?\n"))
        #expect(try await self.handles(database, injected.requestIDs) == ["chef"])
        let first = try await database.request(id: injected.requestIDs[0])
        #expect(first.chain == ["critic"])

        #expect(try await database.claim(requestID: first.id, model: "m", backend: "b", personaVersion: 1, now: Date()))
        let answer = try ArticleDraft(
            from: Mailbox(displayName: "Chef Anna", address: "chef@personas.forllm.local"),
            newsgroups: ["forllm.general"],
            subject: "Re: Hello",
            references: [injected.messageID],
            messageID: MessageID(try #require(first.answerMessageID)),
            date: Date(),
            text: "Ten minutes."
        ).build()
        let stored = try #require(
            try await forum.complete(requestID: first.id, answer: answer, personaID: chefID, personaVersion: 1)
        )
        #expect(try await self.handles(database, stored.requestIDs) == ["critic"])
        let second = try await database.request(id: stored.requestIDs[0])
        #expect(second.turn == 1)
        #expect(second.messageID == stored.messageID.value)
        #expect(second.chain.isEmpty)
    }

    @Test("persona answers never trigger auto, and persona-to-persona turns stop at the budget")
    func budget() async throws {
        let (forum, database) = try await makeForum(configuration: ForumConfiguration(maximumPersonaTurns: 2))
        let chefID = try await Self.addPersona(database, handle: "chef", name: "Chef Anna")
        let criticID = try await Self.addPersona(database, handle: "critic", name: "The Critic")
        let root = try await forum.inject(raw: rawArticle(body: "@chef start\n"))
        var requestID = root.requestIDs[0]
        var parent = root.messageID
        var rounds = 0
        // chef and critic keep mentioning each other; the budget of 2 persona turns ends it.
        while true {
            let request = try await database.request(id: requestID)
            let speaker = request.personaHandle == "chef" ? (chefID, "critic") : (criticID, "chef")
            #expect(
                try await database.claim(requestID: requestID, model: "m", backend: "b", personaVersion: 1, now: Date())
            )
            let answer = try ArticleDraft(
                from: Mailbox(displayName: request.personaHandle, address: "x@personas.forllm.local"),
                newsgroups: ["forllm.general"],
                subject: "Re: Hello",
                references: [root.messageID, parent].reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
                messageID: MessageID(try #require(request.answerMessageID)),
                date: Date(),
                text: "What do you say, @\(speaker.1)?"
            ).build()
            let stored = try #require(
                try await forum.complete(requestID: requestID, answer: answer, personaID: speaker.0, personaVersion: 1)
            )
            rounds += 1
            guard let next = stored.requestIDs.first else { break }
            requestID = next
            parent = stored.messageID
            #expect(rounds < 10)
            if rounds >= 10 { break }
        }
        #expect(rounds == 3)
    }

    @Test("an off group ignores mentions and refuses an explicit request")
    func off() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.off", mode: .off, now: Date())
        let injected = try await forum.inject(raw: rawArticle(groups: "test.off", body: "@assistant hi\n"))
        #expect(injected.requestIDs.isEmpty)
        await #expect(throws: ArticleError.self) {
            _ = try await forum.inject(
                raw: rawArticle(groups: "test.off", extraHeaders: ["X-FORLLM-Request: default"])
            )
        }
    }

    @Test("a malformed X-FORLLM-Request is refused with the reason")
    func malformed() async throws {
        let (forum, _) = try await makeForum()
        await #expect {
            _ = try await forum.inject(raw: rawArticle(extraHeaders: ["X-FORLLM-Request: chef; colour=blue"]))
        } throws: { error in
            (error as? ArticleError)?.code == .invalidRequest
        }
    }

    @Test("the group's default persona wins over the global default")
    func groupDefault() async throws {
        let (forum, database) = try await makeForum()
        let chefID = try await Self.addPersona(database, handle: "chef", name: "Chef Anna")
        try await database.createGroup(name: "test.kitchen", mode: .auto, now: Date())
        try await database.writer.write { db in
            try db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = ? WHERE name = 'test.kitchen'",
                arguments: [chefID]
            )
        }
        let injected = try await forum.inject(raw: rawArticle(groups: "test.kitchen"))
        #expect(try await self.handles(database, injected.requestIDs) == ["chef"])
        let general = try await forum.inject(raw: rawArticle())
        #expect(try await self.handles(database, general.requestIDs) == ["assistant"])
    }

    @Test("persona resolution: named, else the group's default, else the global default, else Assistant")
    func resolutionOrder() async throws {
        let (forum, database) = try await makeForum()
        try await forum.createPersona(name: "Chef Anna", handle: "chef", instructions: "Cook.", by: "t")
        try await forum.createPersona(name: "Critic", handle: "critic", instructions: "Judge.", by: "t")
        try await forum.createPersona(name: "Host", handle: "host", instructions: "Welcome.", by: "t")
        try await database.createGroup(name: "test.kitchen", mode: .auto, now: Date())
        try await database.createGroup(name: "test.hall", mode: .auto, now: Date())
        try await forum.assignPersona("chef", to: "test.kitchen", asDefault: true)
        try await forum.setGlobalDefaultPersona("host")
        func answerer(_ groups: String, _ headers: [String] = []) async throws -> [String] {
            let injected = try await forum.inject(raw: rawArticle(groups: groups, extraHeaders: headers))
            return try await self.handles(database, injected.requestIDs)
        }
        // Every level present: the request's name wins, then the group's default, then the global one.
        #expect(try await answerer("test.kitchen", ["X-FORLLM-Request: critic"]) == ["critic"])
        #expect(try await answerer("test.kitchen", ["X-FORLLM-Request: default"]) == ["chef"])
        #expect(try await answerer("test.kitchen") == ["chef"])
        #expect(try await answerer("test.hall") == ["host"])
        #expect(try await answerer("test.hall", ["X-FORLLM-Request: default"]) == ["host"])
        // The group's default retired: the global default answers there.
        try await forum.deletePersona("chef", by: "t")
        #expect(try await answerer("test.kitchen") == ["host"])
        // The global default retired too: the built-in Assistant.
        try await forum.deletePersona("host", by: "t")
        #expect(try await answerer("test.kitchen") == ["assistant"])
        #expect(try await answerer("test.hall", ["X-FORLLM-Request: default"]) == ["assistant"])
        #expect(try await database.globalDefaultPersona()?.handle == "assistant")
        // A retired persona cannot be asked for by name.
        await #expect(throws: ArticleError.self) {
            try await forum.inject(raw: rawArticle(groups: "test.hall", extraHeaders: ["X-FORLLM-Request: chef"]))
        }
    }
}

extension RequestQueueingTests {
    @Test("an @word naming no persona is refused with the known handles; addresses are no mentions")
    func mentionTypo() async throws {
        let (forum, database) = try await makeForum()
        let error = await #expect(throws: ArticleError.self) {
            try await forum.inject(raw: rawArticle(messageID: "<t@x>", body: "What do you say, @asistant and @bob?\n"))
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message == "@asistant, @bob: no persona with those handles (known: @assistant)")
        #expect(try await database.article(messageID: "<t@x>") == nil)
        // An e-mail address, a quoted @word and an off group are no typos.
        let mail = try await forum.inject(raw: rawArticle(body: "Write to jane@example.org.\n"))
        #expect(mail.requestIDs.count == 1)
        let quoted = try await forum.inject(raw: rawArticle(body: "> @nobody said so\n\nReally?\n"))
        #expect(quoted.requestIDs.count == 1)
        try await database.createGroup(name: "test.quiet", mode: .off, now: Date())
        let off = try await forum.inject(raw: rawArticle(groups: "test.quiet", body: "@nobody here\n"))
        #expect(off.requestIDs.isEmpty)
    }
}
