import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation
import NewsArticle
import Testing

/// The server's read cache with the real server and the real `forllm` CLI writing to the same
/// file from another process.
@Suite("Read cache, end to end", .endToEnd)
struct ReadCacheEndToEndTests {
    @Test(
        "what the CLI writes while the server runs reaches newsreaders: a new group at once, a new article within the check interval"
    )
    func otherProcessWrites() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let app = try await RunningApp.start(RunningApp.configuration(directory: directory, backends: []))
        // A group without answers: no commit of the server's own touches it below.
        try await app.database.createGroup(name: "forllm.quiet", mode: .off, now: Date())
        let client = try await app.connect()
        // The group table is in memory from now on.
        #expect(try await client.command("LIST ACTIVE").code == 215)
        _ = try await client.readMultiline()
        let before = try await client.command("GROUP forllm.quiet")
        #expect(before.code == 211)

        // A group created by another process is found at once: a name the cache does not know
        // is looked up in the database.
        let created = try await ForLLMProcess.run(
            ["group", "create", "forllm.fresh", "--mode", "off", "--database", directory.databasePath],
            in: directory
        )
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try await client.command("GROUP forllm.fresh").code == 211)

        // An article posted by another process to a group the cache holds: the group's numbers
        // show it once the server's check for other writers has run (every 50 ms).
        let posted = try await ForLLMProcess.run(
            [
                "post", "--group", "forllm.quiet", "--subject", "From the shell", "--from", "Jane <jane@example.org>",
                "--database", directory.databasePath
            ],
            in: directory,
            input: "Posted with forllm post.\n"
        )
        #expect(posted.status == 0, "\(posted.stderr)")
        let deadline = ContinuousClock.now + .seconds(5)
        var group = try await client.command("GROUP forllm.quiet")
        while group.text == before.text, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            group = try await client.command("GROUP forllm.quiet")
        }
        #expect(group.code == 211)
        let count = { (text: String) in Int(text.split(separator: " ").first ?? "") ?? -1 }
        let high = { (text: String) in text.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } ?? -1 }
        #expect(count(group.text) == count(before.text) + 1, "\(before.text) -> \(group.text)")
        let article = try await client.fetchArticle("\(high(group.text))")
        #expect(article?["Subject"] == "From the shell")
        try await client.close()
        try await app.stop()
    }

    @Test("with server.read_cache_mb: 0 the server reads the database for everything, and keeps running")
    func withoutCache() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        var configuration = RunningApp.configuration(directory: directory, backends: [])
        configuration.forum.readCacheMegabytes = 0
        let app = try await RunningApp.start(configuration)
        #expect(app.database.readCache == nil)
        let client = try await app.connect()
        let posted = try await client.postArticle(
            "From: Jane <jane@example.org>\nNewsgroups: forllm.general\nSubject: No cache\n\nHello.\n"
        )
        #expect(posted.code == 240)
        #expect(try await client.command("GROUP forllm.general").code == 211)
        #expect(try await client.fetchArticle("1")?["Subject"] == "No cache")
        try await client.close()
        try await app.stop()
    }
}
