import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import NewsArticle
import Testing

@Suite("End to end: votes and typos over NNTP", .endToEnd)
struct EndToEndVoteTests {
    @Test("a newsreader's +1 follow-up to an answer is counted and never answered; a mistyped @handle gets 441")
    func votesOverNNTP() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            let client = try await app.connect()
            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Bread
                Message-ID: <bread@example.org>

                How long should dough proof?
                """
            #expect(try await client.postArticle(question).code == 240)
            let request = try #require(try await app.database.requests().first)
            try await app.waitForRequest(request.id)
            let answerID = try #require(try await app.database.request(id: request.id).answerMessageID)

            // slrn and tin quote the answer above what the reader writes.
            let bare = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Re: Bread
                References: <bread@example.org> \(answerID)
                Message-ID: <vote1@example.org>

                Assistant wrote:
                > About an hour.

                +1
                """
            #expect(try await client.postArticle(bare).code == 240)
            let header = """
                From: Bob <bob@example.org>
                Newsgroups: forllm.general
                Subject: Re: Bread
                References: <bread@example.org> \(answerID)
                X-FORLLM-Vote: -1

                Too short an answer.
                """
            #expect(try await client.postArticle(header).code == 240)
            // Both are in the group for every reader, and neither asked the persona (auto group).
            #expect(try await client.overview(group: "forllm.general").count == 4)
            #expect(try await app.database.requests().count == 1)
            let stats = try await app.forum.voteStatistics()
            #expect(stats.personas == [VoteTally(subject: "assistant", up: 1, down: 1, answers: 1)])
            #expect(stats.models == [VoteTally(subject: "llama3.2", up: 1, down: 1, answers: 1)])

            let typo = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Knives

                @asistant which knife for bread?
                """
            let refused = try await client.postArticle(typo)
            #expect(refused.code == 441)
            #expect(refused.text.contains("@asistant: no persona with that handle (known: @assistant)"))
            try await client.close()
            try await app.stop()
        }
    }
}

extension EndToEndVoteTests {
    @Test("a persona card posted with a model no backend offers is refused like a request's model")
    func personaModelChecked() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(
                RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, await stub.baseURL)])
            )
            // The model check gives the backends 2 s; with their lists remembered, the refusal
            // below does not depend on how loaded the machine is.
            _ = try await app.assembly.llm.catalog.models(of: "ollama")
            let client = try await app.connect()
            func card(_ model: String) -> String {
                """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.personas
                Subject: persona: Chef Anna

                Handle: chef
                Model: \(model)

                You are Chef Anna.
                """
            }
            let refused = try await client.postArticle(card("lama3.2"))
            #expect(refused.code == 441)
            #expect(refused.text.contains("Model: model 'lama3.2' is not offered by any backend"), "\(refused.text)")
            #expect(try await app.database.persona(named: "chef") == nil)
            #expect(try await client.postArticle(card("llama3.2")).code == 240)
            #expect(try await app.database.persona(named: "chef")?.model == "llama3.2")
            try await client.close()
            try await app.stop()
        }
    }
}
