import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

/// Issue 10, parts 3–5 from the newsreader: regenerate, summaries, personas that hear each other.
@Suite("End to end: regenerate, summaries, conversations between personas", .endToEnd)
struct EndToEndThreadsTests {
    /// `Date:` `minutes` before now.
    static func date(minutesAgo minutes: Int) -> String {
        NewsDate.format(Date().addingTimeInterval(-Double(minutes) * 60))
    }

    /// Waits until every request is finished and `count` are done.
    static func waitForDone(_ app: RunningApp, _ count: Int) async throws {
        _ = try await app.waitFor("\(count) requests done, none open") { db in
            let done = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status = 'done'") ?? 0
            let open =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM request WHERE status IN ('pending', 'running')") ?? 0
            return done == count && open == 0 ? done : nil
        }
    }

    @Test("regenerate: a follow-up with X-FORLLM-Request: regenerate, and queue retry of a done request")
    func regenerate() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            let app = try await RunningApp.start(configuration)
            await stub.enqueue(.answer(["First answer."]), .answer(["Second answer."]), .answer(["Third answer."]))
            let client = try await app.connect()
            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Rye or wheat?
                Message-ID: <q@example.org>

                Which flour for a first sourdough?
                """
            #expect(try await client.postArticle(question).code == 240)
            let first = try await app.waitForRequest(1)
            let firstAnswer = try #require(first.answerMessageID)

            // A follow-up to a question (not an answer) cannot regenerate anything.
            let wrong = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Re: Rye or wheat?
                References: <q@example.org>
                X-FORLLM-Request: regenerate

                Again?
                """
            let refused = try await client.postArticle(wrong)
            #expect(refused.code == 441)
            #expect(refused.text.contains("<q@example.org> is not a persona's answer"))

            let again = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Re: Rye or wheat?
                Message-ID: <again@example.org>
                References: <q@example.org> \(firstAnswer)
                X-FORLLM-Request: regenerate

                Could I have another answer, please?
                """
            #expect(try await client.postArticle(again).code == 240)
            let second = try await app.waitForRequest(2)
            #expect(second.regenerates == 1)
            let secondAnswer = try #require(try await client.fetchArticle(second.answerMessageID ?? ""))
            #expect(second.answerMessageID != firstAnswer)
            // Beside the old answer: a reply to the question, not to the follow-up.
            #expect(secondAnswer["References"] == "<q@example.org>")
            #expect(ArticleText.plainText(of: secondAnswer).hasPrefix("Second answer."))
            let old = try #require(try await client.fetchArticle(firstAnswer))
            #expect(ArticleText.plainText(of: old).hasPrefix("First answer."))
            // The model was asked the question again, not the follow-up.
            let chats = await stub.chatRequests
            #expect(chats.count == 2)
            #expect(chats[1].messages.last?.content.contains("Which flour for a first sourdough?") == true)
            #expect(!chats[1].messages.contains { $0.content.contains("another answer") })

            // forllm queue retry of a done request: a third answer beside the two.
            let admin = try await Admin.open(configuration)
            let retried = try await admin.retryRequest(id: 1)
            #expect(retried.hasPrefix("request 3 queued: a new answer beside the answer of request 1"))
            let third = try await app.waitForRequest(3)
            #expect(third.regenerates == 1)
            let thirdAnswer = try #require(try await client.fetchArticle(third.answerMessageID ?? ""))
            #expect(thirdAnswer["References"] == "<q@example.org>")
            #expect(Set([firstAnswer, second.answerMessageID, third.answerMessageID]).count == 3)
            let overview = try await client.overview(group: "forllm.general")
            #expect(overview.count == 5)  // question, follow-up, three answers

            // The old answer withdrawn (cancelled by Jane): still auditable in queue show.
            let cancel = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: cancel \(firstAnswer)
                Control: cancel \(firstAnswer)

                cancel
                """
            #expect(try await client.postArticle(cancel).code == 240)
            let shown = try await admin.showRequest(id: 1, json: false)
            #expect(shown.contains("answer:    \(firstAnswer) (withdrawn: no longer on the server)"))
            #expect(shown.contains("regenerated by: request 2, request 3"))
            #expect(try await admin.showRequest(id: 3, json: false).contains("regenerates: request 1"))
            let json = try await admin.showRequest(id: 1, json: true)
            #expect(json.contains("\"answer_on_server\" : false"))
            try await client.close()
            try await app.stop()
        }
    }

    /// Posts a thread with a side branch, out of date order: root (50 minutes ago) ← a (40)
    /// ← c (20); root ← b (30), posted last. Returns c's Message-ID.
    static func postThread(_ client: NNTPTestClient, group: String, size: Int = 40) async throws {
        let filler = String(repeating: "lorem ipsum ", count: size / 12 + 1).prefix(size)
        let posts: [(id: String, references: String?, minutes: Int, from: String, text: String)] = [
            ("<root@example.org>", nil, 50, "Jane Doe <jane@example.org>", "ROOT-TEXT Which flour?"),
            ("<a@example.org>", "<root@example.org>", 40, "Al <al@example.org>", "A-TEXT Rye."),
            ("<c@example.org>", "<root@example.org> <a@example.org>", 20, "Carol <carol@example.org>", "C-TEXT Why?"),
            ("<b@example.org>", "<root@example.org>", 30, "Bob <bob@example.org>", "B-TEXT Wheat.")
        ]
        for post in posts {
            var lines = [
                "From: \(post.from)", "Newsgroups: \(group)", "Subject: Flour", "Message-ID: \(post.id)",
                "Date: \(Self.date(minutesAgo: post.minutes))"
            ]
            if let references = post.references { lines.append("References: \(references)") }
            let article = lines.joined(separator: "\n") + "\n\n\(post.text) \(filler)\n"
            #expect(try await client.postArticle(article).code == 240)
        }
    }

    @Test("task=summary: the whole thread, side branch included, in date order, in one call")
    func summaryInOneCall() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            try await app.database.createGroup(name: "test.talk", mode: .request, now: Date())
            await stub.setDefaultBehaviour(.answer(["They disagree about flour."]))
            let client = try await app.connect()
            try await Self.postThread(client, group: "test.talk")
            let ask = """
                From: Jane Doe <jane@example.org>
                Newsgroups: test.talk
                Subject: Re: Flour
                Message-ID: <ask@example.org>
                References: <root@example.org> <a@example.org> <c@example.org>
                X-FORLLM-Request: default; task=summary

                Where do we stand?
                """
            #expect(try await client.postArticle(ask).code == 240)
            let request = try await app.waitForRequest(1)
            #expect(request.task == .summary)
            let chats = await stub.chatRequests
            #expect(chats.count == 1)
            let prompt = try #require(chats.first?.messages.last?.content)
            #expect(prompt.hasPrefix("Summarise the whole thread \"Flour\"."))
            let order = ["ROOT-TEXT", "A-TEXT", "B-TEXT", "C-TEXT", "Where do we stand?"].map {
                prompt.range(of: $0)?.lowerBound
            }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(prompt.contains("[3] Bob, ") && prompt.contains("in reply to [1]:\n\nB-TEXT"))
            let summary = try #require(try await client.fetchArticle(request.answerMessageID ?? ""))
            #expect(summary["X-FORLLM-Task"] == "summary")
            #expect(summary["X-FORLLM-Persona"] == "assistant (version 1)")
            #expect(summary["References"]?.hasSuffix("<ask@example.org>") == true)
            #expect(ArticleText.plainText(of: summary).hasPrefix("They disagree about flour."))
            try await client.close()
            try await app.stop()
        }
    }

    @Test("task=summary over the budget: chunk calls, each within it, then the final call over their summaries")
    func summaryInChunks() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            configuration.worker.contextCharacters = 700
            let app = try await RunningApp.start(configuration)
            try await app.database.createGroup(name: "test.talk", mode: .request, now: Date())
            await stub.setDefaultBehaviour(.answer(["Part summary."]))
            let client = try await app.connect()
            try await Self.postThread(client, group: "test.talk", size: 250)
            let ask = """
                From: Jane Doe <jane@example.org>
                Newsgroups: test.talk
                Subject: Re: Flour
                References: <root@example.org> <b@example.org>
                X-FORLLM-Request: default; task=summary

                Summary please.
                """
            #expect(try await client.postArticle(ask).code == 240)
            let request = try await app.waitForRequest(1)
            let chats = await stub.chatRequests
            let users = chats.map { $0.messages.last?.content ?? "" }
            #expect(users.count >= 3, "\(users.count) calls")
            let parts = users.dropLast()
            let count = parts.count
            for (index, text) in parts.enumerated() {
                #expect(text.contains("Summarise part \(index + 1) of \(count) of it"))
                // Each chunk within the budget (the instruction line aside).
                let chunk = text.components(separatedBy: "which article it replies to.\n\n").last ?? ""
                #expect(chunk.count <= 700, "part \(index + 1): \(chunk.count)")
            }
            // Every article in one of the parts, in date order, side branch included.
            let all = parts.joined(separator: "\n")
            let order = ["ROOT-TEXT", "A-TEXT", "B-TEXT", "C-TEXT", "Summary please."].map {
                all.range(of: $0)?.lowerBound
            }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            let final = try #require(users.last)
            #expect(final.contains("Combine these summaries of its parts into one summary"))
            #expect(final.contains("Summary of part 1 of \(count):\n\nPart summary."))
            #expect(final.contains("Summary of part \(count) of \(count):"))
            let summary = try #require(try await client.fetchArticle(request.answerMessageID ?? ""))
            #expect(summary["X-FORLLM-Task"] == "summary")
            let shown = try await Admin.open(configuration).showRequest(id: request.id, json: false)
            #expect(shown.contains("task:      summary (final summary of \(count) part summaries)"))
            try await client.close()
            try await app.stop()
        }
    }

    @Test("a persona answering after another hears the other's answer, marked with its name")
    func siblingAnswers() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            _ = try await app.forum.createPersona(
                name: "Alice",
                handle: "alice",
                instructions: "You are Alice.",
                by: "t"
            )
            _ = try await app.forum.createPersona(name: "Bob", handle: "bob", instructions: "You are Bob.", by: "t")
            await stub.enqueue(.answer(["Rye, says the first."]), .answer(["Wheat, says the second."]))
            let client = try await app.connect()
            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Flour
                X-FORLLM-Request: alice, bob

                Which flour?
                """
            #expect(try await client.postArticle(question).code == 240)
            try await Self.waitForDone(app, 2)
            let chats = await stub.chatRequests
            #expect(chats.count == 2)
            // The first to run heard nobody; the second heard the first, after the question.
            #expect(!chats[0].messages.contains { $0.content.contains("(persona) answered it") })
            let second = chats[1].messages
            let firstName = chats[0].messages[1].content.hasPrefix("You are Alice.") ? "Alice" : "Bob"
            #expect(second.last?.role == "user")
            #expect(
                second.last?.content.hasPrefix("\(firstName) (persona) answered it:\n\nRye, says the first.") == true
            )
            #expect(second[second.count - 2].content.contains("Which flour?"))
            // Before the question, the note of the persona answering now.
            #expect(
                second[second.count - 3].content.hasPrefix(firstName == "Alice" ? "You are Bob." : "You are Alice.")
            )
            try await client.close()
            try await app.stop()
        }
    }

    @Test("a debate group: personas take turns on their own and stop at llm.max_persona_turns")
    func debateStopsAtBounds() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, await stub.baseURL)]
            )
            configuration.forum.maximumPersonaTurns = 3
            let app = try await RunningApp.start(configuration)
            let admin = try await Admin.open(configuration)
            _ = try await admin.createGroup(name: "test.debate", description: nil, mode: nil, postingAllowed: nil)
            for name in ["Alice", "Bob", "Carol"] {
                _ = try await app.forum.createPersona(
                    name: name,
                    handle: name.lowercased(),
                    instructions: "You are \(name).",
                    by: "t"
                )
                try await app.forum.assignPersona(name, to: "test.debate", asDefault: false)
            }
            _ = try await admin.editGroup(
                name: "test.debate",
                description: nil,
                mode: nil,
                postingAllowed: nil,
                defaultModel: nil,
                defaultBackend: nil,
                debate: .on
            )
            #expect(try await admin.showGroup(name: "test.debate", json: false).contains("debate:          on"))
            #expect(try await admin.listGroups(json: true).contains("\"debate\" : true"))
            await stub.setDefaultBehaviour(.answer(["I see it differently."]))
            let client = try await app.connect()
            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: test.debate
                Subject: Is a hot dog a sandwich?
                X-FORLLM-Request: alice

                Discuss.
                """
            #expect(try await client.postArticle(question).code == 240)
            try await Self.waitForDone(app, 4)
            let requests = try await app.database.requests().sorted { $0.id < $1.id }
            #expect(requests.map { $0.personaHandle ?? "" } == ["alice", "bob", "carol", "alice"])
            #expect(requests.map(\.turn) == [0, 1, 2, 3])
            // Each answers the one before: a chain of persona answers below the question.
            let overview = try await client.overview(group: "test.debate")
            #expect(overview.count == 5)
            try await client.close()
            try await app.stop()
        }
    }
}
