import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("End to end: personas", .endToEnd)
struct EndToEndPersonaTests {
    @Test("a persona created by posting to forllm.personas answers a mention, signed with its name")
    func createByPostAndMention() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            try await app.database.createGroup(
                name: "forllm.cooking",
                description: "Food and kitchens",
                mode: .request,
                now: Date()
            )
            let client = try await app.connect()
            let create = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.personas
                Subject: persona: Chef Anna

                Handle: chef
                Groups: forllm.cooking
                Default-For: forllm.cooking

                You are Chef Anna, a patient cook who always explains why.
                """
            #expect(try await client.postArticle(create).code == 240)
            let cards = try await client.overview(group: "forllm.personas")
            #expect(cards.map { String($0[1]) }.sorted() == ["Assistant (@assistant)", "Chef Anna (@chef)"])
            let cardNumber = try #require(cards.first { $0[1] == "Chef Anna (@chef)" }?[0])
            let card = try #require(try await client.fetchArticle(String(cardNumber)))
            #expect(
                ArticleText.plainText(of: card).contains(
                    "Handle: chef\nModel: (default)\nGroups: forllm.cooking\nDefault-For: forllm.cooking\n\nYou are Chef Anna"
                )
            )

            // A bad edit is refused with the reason, and changes nothing.
            let bad =
                "From: jane@example.org\nNewsgroups: forllm.personas\nSubject: persona: Chef Anna\n\nHandle: anna\n"
            let refused = try await client.postArticle(bad)
            #expect(refused.code == 441)
            #expect(refused.text.contains("cannot be changed"))

            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.cooking
                Subject: Knife skills
                Message-ID: <knife@example.org>

                @chef how do I hold a chef's knife?
                """
            #expect(try await client.postArticle(question).code == 240)
            let request = try #require(try await app.database.requests().first)
            #expect(request.personaHandle == "chef")
            try await app.waitForRequest(request.id)
            let answers = try await client.overview(group: "forllm.cooking")
            #expect(answers.count == 2)
            let answer = try #require(try await client.fetchArticle(String(answers[1][0])))
            #expect(answer["From"] == "Chef Anna <chef@personas.forllm.local>")
            #expect(answer["X-FORLLM-Persona"] == "chef (version 1)")
            #expect(ArticleText.plainText(of: answer).hasSuffix("-- \nChef Anna (@chef), llama3.2 on ollama"))
            let chat = try #require(await stub.chatRequests.last)
            // The persona's note, right before the article it answers.
            #expect(
                chat.messages[chat.messages.count - 2].content.hasPrefix(
                    "You are Chef Anna, a patient cook who always explains why."
                )
            )
            try await client.close()
            try await app.stop()
        }
    }

    @Test("@a:@b makes a answer, then b answer a; persona turns stop at the budget")
    func chainsAndBudget() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            configuration.forum.maximumPersonaTurns = 2
            let app = try await RunningApp.start(configuration)
            _ = try await app.forum.createPersona(
                name: "Alice",
                handle: "alice",
                instructions: "You are Alice.",
                by: "t"
            )
            _ = try await app.forum.createPersona(name: "Bob", handle: "bob", instructions: "You are Bob.", by: "t")
            // Every answer mentions the other persona, which would go on forever without the budget.
            await stub.setDefaultBehaviour(.answer(["I think so. What do you say, @bob and @alice?"]))
            let client = try await app.connect()
            let post = """
                From: Jane <jane@example.org>
                Newsgroups: forllm.general
                Subject: Debate
                Message-ID: <debate@example.org>
                X-FORLLM-Request: none

                @alice:@bob is a hot dog a sandwich?
                """
            // `none` suppresses everything, chains included.
            #expect(try await client.postArticle(post).code == 240)
            #expect(try await app.database.requests().isEmpty)
            let asked = post.replacingOccurrences(of: "X-FORLLM-Request: none\n", with: "")
                .replacingOccurrences(of: "<debate@", with: "<debate2@")
            #expect(try await client.postArticle(asked).code == 240)

            // alice answers the post (turn 0), bob answers alice (chain, turn 1), alice answers bob
            // (mention, turn 2); then the budget of 2 persona turns is spent.
            _ = try await app.waitFor("three answers") { db in
                let done = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status = 'done'") ?? 0
                let open =
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status IN ('pending', 'running')")
                    ?? 0
                return done == 3 && open == 0 ? done : nil
            }
            let requests = try await app.database.requests().sorted { $0.id < $1.id }
            #expect(requests.map { $0.personaHandle ?? "" } == ["alice", "bob", "alice"])
            #expect(requests.map(\.turn) == [0, 1, 2])
            let overview = try await client.overview(group: "forllm.general")
            let authors = overview.map { String($0[2]) }
            #expect(
                authors.suffix(3) == [
                    "Alice <alice@personas.forllm.local>", "Bob <bob@personas.forllm.local>",
                    "Alice <alice@personas.forllm.local>"
                ]
            )
            // Each answer follows up the previous one.
            let bobAnswer = try #require(overview.first { $0[2].hasPrefix("Bob") })
            let aliceFirst = try #require(overview.first { $0[2].hasPrefix("Alice") })
            #expect(bobAnswer[5].hasSuffix(aliceFirst[4]))
            try await client.close()
            try await app.stop()
        }
    }

    @Test("forllm.personas, read over NNTP, follows every change: one card per persona, superseding the last")
    func cardsFollowChanges() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(
            RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, "http://127.0.0.1:9")])
        )
        let client = try await app.connect()
        func card(_ handle: String) async throws -> (number: Substring, article: Article)? {
            let lines = try await client.overview(group: "forllm.personas")
            guard let line = lines.first(where: { $0[1].contains("(@\(handle))") }) else { return nil }
            guard let article = try await client.fetchArticle(String(line[0])) else { return nil }
            return (line[0], article)
        }
        try await app.forum.createPersona(name: "Critic", handle: "critic", instructions: "Be harsh.", by: "jane")
        let first = try #require(try await card("critic"))
        #expect(first.article["X-FORLLM-Persona"] == "critic (version 1)")
        #expect(ArticleText.plainText(of: first.article).contains("Be harsh."))

        try await app.forum.editPersona("critic", PersonaChanges(instructions: "Be fair."), by: "jane")
        let second = try #require(try await card("critic"))
        #expect(second.number != first.number)
        #expect(second.article["X-FORLLM-Persona"] == "critic (version 2)")
        #expect(second.article["Supersedes"] == first.article["Message-ID"])
        #expect(ArticleText.plainText(of: second.article).contains("Be fair."))
        // The superseded card is gone, by number and by Message-ID.
        #expect(try await client.command("STAT \(first.number)").code == 423)
        #expect(try await client.command("STAT \(first.article["Message-ID"] ?? "")").code == 430)

        try await app.forum.revertPersona("critic", to: 1, by: "jane")
        let third = try #require(try await card("critic"))
        #expect(third.article["X-FORLLM-Persona"] == "critic (version 3)")
        #expect(ArticleText.plainText(of: third.article).contains("Be harsh."))

        try await app.forum.deletePersona("critic", by: "jane")
        let deleted = try #require(try await card("critic"))
        #expect(deleted.article["Subject"] == "Critic (@critic) [deleted]")
        let all = try await client.overview(group: "forllm.personas")
        #expect(all.filter { $0[1].contains("(@critic)") }.count == 1)
        try await client.close()
        try await app.stop()
    }
}
