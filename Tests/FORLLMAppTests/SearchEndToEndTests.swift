import FORLLMApp
import FORLLMStore
import FORLLMTestSupport
import Foundation
import Testing

/// Full-text search as users meet it: `forllm search` (the executable) and the forllm.search
/// group over NNTP.
@Suite("Search from the CLI and the newsreader", .endToEnd)
struct SearchEndToEndTests {
    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("forllm search: hits with group, date, author, snippet; --group, --limit, --json; a bad query exits 1")
    func command() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        func forllm(_ arguments: [String], input: String? = nil) async throws -> ForLLMProcess.Result {
            try await ForLLMProcess.run(arguments, in: directory, input: input)
        }
        #expect(try await forllm(["migrate"]).status == 0)
        #expect(try await forllm(["group", "create", "rec.birds", "--mode", "off"]).status == 0)
        for (group, subject, body) in [
            ("rec.birds", "Kingfisher by the river", "Blue and orange, very fast.\n"),
            ("rec.birds", "Ducks", "A kingfisher flew past the ducks.\n"),
            ("forllm.general", "Kingfisher question", "What do they eat?\n")
        ] {
            let posted = try await forllm(
                [
                    "post", "--group", group, "--subject", subject, "--from", "Ann <ann@example.org>", "--request",
                    "none"
                ],
                input: body
            )
            #expect(posted.status == 0, "\(posted.stderr)")
        }
        let all = try await forllm(["search", "kingfisher"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("Kingfisher by the river"))
        #expect(all.stdout.contains("*kingfisher*") || all.stdout.contains("*Kingfisher*"), "\(all.stdout)")
        #expect(all.stdout.contains("Ann <ann@example.org>"))

        let json = try await Self.json(try forllm(["search", "kingfisher", "--group", "rec.*", "--json"]).stdout)
        #expect(json.count == 2)
        #expect(json.first?["subject"] as? String == "Kingfisher by the river")
        #expect(json.allSatisfy { ($0["groups"] as? [String]) == ["rec.birds"] })
        #expect(json.first?["message_id"] as? String != nil)
        #expect(json.first?["snippet"] as? String != nil)
        let limited = try await Self.json(try forllm(["search", "kingfisher", "--limit", "1", "--json"]).stdout)
        #expect(limited.count == 1)
        let none = try await forllm(["search", "pelican"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("no article matches pelican"))

        let bad = try await forllm(["search", "kingfisher AND"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("forllm: 'kingfisher AND' is not a search query: syntax error"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)
        let badGroup = try await forllm(["search", "kingfisher", "--group", "rec.[birds"])
        #expect(badGroup.status == 1)
        #expect(badGroup.stderr.contains("--group: 'rec.[birds' is not a wildmat"), "\(badGroup.stderr)")
        let badLimit = try await forllm(["search", "kingfisher", "--limit", "0"])
        #expect(badLimit.status == 1)
    }

    @Test("forllm.search over NNTP: POST a query, read FORLLM Search's answer in the thread, no request queued")
    func group() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(RunningApp.configuration(directory: directory, backends: []))
        let client = try await app.connect()
        let posted = try await client.post(
            article: """
                From: Ann <ann@example.org>
                Newsgroups: forllm.general
                Subject: Sourdough starter
                Message-ID: <dough@example.org>
                X-FORLLM-Request: none

                Feed the starter with rye flour every day.
                """
        )
        #expect(posted.code == 240)
        let queued = try await app.database.requests().count

        let query = try await client.post(
            article: """
                From: Ann <ann@example.org>
                Newsgroups: forllm.search
                Subject: starter rye
                Message-ID: <query@example.org>

                Search, please.
                """
        )
        #expect(query.code == 240, "\(query.text)")
        // The answer is there as soon as POST returns.
        let group = try await client.command("GROUP forllm.search")
        #expect(group.code == 211)
        #expect(group.text.hasPrefix("2 1 2 "), "\(group.text)")
        #expect(try await client.command("ARTICLE 2").code == 220)
        let answer = try await client.readMultiline().joined(separator: "\n")
        #expect(answer.contains("From: FORLLM Search <search@forllm.local>"))
        #expect(answer.contains("References: <query@example.org>"))
        #expect(answer.contains("Subject: Re: starter rye"))
        #expect(answer.contains("news:dough@example.org"), "\(answer)")
        #expect(answer.contains("forllm.general, "))
        #expect(answer.contains("Ann <ann@example.org>"))
        #expect(answer.contains("*starter*"))
        #expect(try await app.database.requests().count == queued)

        // A bad query: 441 with the reason, nothing stored.
        let bad = try await client.post(
            article: """
                From: Ann <ann@example.org>
                Newsgroups: forllm.search
                Subject: starter AND

                x
                """
        )
        #expect(bad.code == 441)
        #expect(bad.text.contains("is not a search query"), "\(bad.text)")
        #expect(try await client.command("GROUP forllm.search").text.hasPrefix("2 1 2 "))
        try await client.close()
        try await app.stop()
    }
}
