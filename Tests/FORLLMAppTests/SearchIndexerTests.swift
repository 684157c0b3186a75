@testable import FORLLMApp
import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The service that writes the search index behind the posts (`SearchIndexer`), on a real
/// database file, with a manual clock.
@Suite("Search index written behind the posts", .timeLimit(.minutes(1)))
struct SearchIndexerTests {
    static func article(_ subject: String, _ id: String) -> [UInt8] {
        Array(
            ("From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: \(subject)\r\n"
                + "Message-ID: <\(id)@example.org>\r\nX-FORLLM-Request: none\r\n\r\nAbout \(subject).\r\n").utf8
        )
    }

    @Test(
        "woken by a post, it waits for the posts arriving meanwhile and indexes them in one pass; another process's by the interval"
    )
    func passes() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let configuration = FORLLMConfiguration().forumConfiguration
        let forum = try await Forum.open(path: directory.databasePath, configuration: configuration)
        try await forum.buildSearchIndex()  // what the seed stored
        let clock = ManualClock()
        let (passes, pass) = AsyncStream.makeStream(of: Int.self)
        let passCount = Mutex(0)
        let indexer = SearchIndexer(
            forum: forum,
            gathering: .milliseconds(100),
            interval: .seconds(30),
            clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            didPass: { indexed in
                passCount.withLock { $0 += 1 }
                pass.yield(indexed)
            }
        )
        var results = passes.makeAsyncIterator()

        // Stored before it runs: the signal waits for it, so it gathers at once.
        _ = try await forum.inject(raw: Self.article("Kestrel", "k"))
        _ = try await forum.inject(raw: Self.article("Merlin", "m"))
        let running = Task { try await indexer.run() }
        await clock.waitForSleepers(atLeast: 1)
        // Posted while it gathers: it gathers again, and the same pass takes it.
        _ = try await forum.inject(raw: Self.article("Osprey", "o"))
        clock.advance(by: .milliseconds(100))
        await clock.waitForSleepers(atLeast: 1)
        #expect(passCount.withLock { $0 } == 0)
        #expect(try await forum.database.searchIndexWaiting() == 3)
        clock.advance(by: .milliseconds(100))
        #expect(await results.next() == 3)
        let hits = try await forum.database.search(SearchQuery(text: "kestrel OR merlin OR osprey"))
        #expect(Set(hits.map(\.messageID)) == ["<k@example.org>", "<m@example.org>", "<o@example.org>"])
        #expect(try await forum.database.searchIndexProgress() == nil)

        // Stored by another process (the CLI): no signal here; found at the next interval.
        await clock.waitForSleepers(atLeast: 1)
        let cli = try await Forum.open(path: directory.databasePath, configuration: configuration)
        _ = try await cli.inject(raw: Self.article("Harrier", "h"))
        try await cli.close()
        clock.advance(by: .seconds(30))
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .milliseconds(100))
        #expect(await results.next() == 1)
        #expect(try await forum.database.search(SearchQuery(text: "harrier")).map(\.messageID) == ["<h@example.org>"])

        running.cancel()
        _ = await running.result
        try await forum.close()
    }

    @Test("posts that keep coming are indexed every longest gathering, not only once they stop")
    func longestGathering() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let forum = try await Forum.open(
            path: directory.databasePath,
            configuration: FORLLMConfiguration().forumConfiguration
        )
        try await forum.buildSearchIndex()  // what the seed stored
        let clock = ManualClock()
        let (passes, pass) = AsyncStream.makeStream(of: Int.self)
        let indexer = SearchIndexer(
            forum: forum,
            gathering: .milliseconds(100),
            longestGathering: .milliseconds(500),
            interval: .seconds(30),
            clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            didPass: { pass.yield($0) }
        )
        var results = passes.makeAsyncIterator()
        _ = try await forum.inject(raw: Self.article("Post 0", "p0"))
        let running = Task { try await indexer.run() }
        // A post in every 100 ms it gathers: after 500 ms it indexes what came, though more comes.
        for number in 1...5 {
            await clock.waitForSleepers(atLeast: 1)
            _ = try await forum.inject(raw: Self.article("Post \(number)", "p\(number)"))
            clock.advance(by: .milliseconds(100))
        }
        #expect(await results.next() == 6)
        #expect(try await forum.database.searchIndexWaiting() == 0)
        running.cancel()
        _ = await running.result
        try await forum.close()
    }
}
