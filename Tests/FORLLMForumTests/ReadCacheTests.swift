import FORLLMForum
import FORLLMStore
import Foundation
import NewsArticle
import Testing

/// The server's read cache (``ReadCache``) on a real database file: what a commit of this
/// process changes is there before `inject` returns; what another process changes is there
/// after ``ForumDatabase/checkOtherWriters()``; nothing removed comes back.
@Suite("Read cache")
struct ReadCacheTests {
    @Test("a posted article and its group's new numbers are served from memory as soon as inject returns")
    func commitUpdatesCache() async throws {
        let (forum, cache, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        let before = try #require(try await forum.database.group(named: "forllm.general"))
        let misses = cache.statistics.misses

        let injected = try await forum.inject(raw: rawArticle(messageID: "<cached.1@example.org>"))
        let number = try #require(injected.numbers.first?.number)

        let group = try #require(try await forum.database.group(named: "forllm.general"))
        #expect(group.lastNumber == before.lastNumber + 1)
        #expect(group.articleCount == before.articleCount + 1)
        let article = try #require(try await forum.database.article(inGroup: "forllm.general", number: number))
        #expect(article.messageID == "<cached.1@example.org>")
        #expect(String(decoding: article.body, as: UTF8.self) == "Hello world.\r\n")
        #expect(article.numbers == [GroupNumber(group: "forllm.general", number: number)])
        let byID = try #require(try await forum.database.article(messageID: "<cached.1@example.org>"))
        #expect(byID.head == article.head)
        let ref = try await forum.database.articleRef(inGroup: "forllm.general", number: number)
        #expect(ref?.messageID == "<cached.1@example.org>")
        // None of these went to the database.
        #expect(cache.statistics.misses == misses)
        try await forum.close()
    }

    @Test("the reads from memory only (what the news server answers on its event loop) see each commit at once")
    func memoryOnlyReads() async throws {
        let (forum, _, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        // The group table is loaded by the first read that needs it; until then memory says nothing.
        #expect(forum.database.groupInMemory(named: "forllm.general") == nil)
        _ = try await forum.database.groups()
        let before = try #require(forum.database.groupInMemory(named: "forllm.general"))
        #expect(forum.database.groupInMemory(named: "no.such.group") == nil)

        let injected = try await forum.inject(raw: rawArticle(messageID: "<memory.1@example.org>"))
        let number = try #require(injected.numbers.first?.number)

        let group = try #require(forum.database.groupInMemory(named: "forllm.general"))
        #expect(group.lastNumber == before.lastNumber + 1)
        #expect(group.articleCount == before.articleCount + 1)
        let article = try #require(forum.database.articleInMemory(inGroup: "forllm.general", number: number))
        #expect(article.messageID == "<memory.1@example.org>")
        #expect(forum.database.articleInMemory(messageID: "<memory.1@example.org>")?.head == article.head)
        #expect(forum.database.articleInMemory(inGroup: "forllm.general", number: number + 1) == nil)

        _ = try await forum.inject(raw: ControlTests.cancel("<memory.1@example.org>"))
        #expect(forum.database.articleInMemory(messageID: "<memory.1@example.org>") == nil)
        #expect(forum.database.articleInMemory(inGroup: "forllm.general", number: number) == nil)
        try await forum.close()
    }

    @Test("a cancelled article is gone from the cache with the commit that removes it")
    func cancelRemoves() async throws {
        let (forum, cache, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        let injected = try await forum.inject(raw: rawArticle(messageID: "<gone@example.org>"))
        let number = try #require(injected.numbers.first?.number)
        #expect(try await forum.database.article(messageID: "<gone@example.org>") != nil)
        let count = cache.statistics.articles

        _ = try await forum.inject(raw: ControlTests.cancel("<gone@example.org>"))

        #expect(cache.statistics.articles == count - 1)
        #expect(try await forum.database.article(messageID: "<gone@example.org>") == nil)
        #expect(try await forum.database.article(inGroup: "forllm.general", number: number) == nil)
        #expect(try await forum.database.articleRef(inGroup: "forllm.general", number: number) == nil)
        try await forum.close()
    }

    @Test("a removed group takes its articles' numbers with it; a created one is listed at once")
    func groupChanges() async throws {
        let (forum, cache, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        _ = try await forum.database.groups()
        try await forum.database.createGroup(name: "forllm.extra", now: Date())
        #expect(try await forum.database.groups().map(\.name).contains("forllm.extra"))
        let injected = try await forum.inject(raw: rawArticle(groups: "forllm.extra", messageID: "<x@example.org>"))
        let number = try #require(injected.numbers.first?.number)
        #expect(try await forum.database.article(inGroup: "forllm.extra", number: number) != nil)

        _ = try await forum.database.removeGroup("forllm.extra", now: Date())

        #expect(try await forum.database.group(named: "forllm.extra") == nil)
        #expect(!(try await forum.database.groups().map(\.name).contains("forllm.extra")))
        #expect(try await forum.database.article(inGroup: "forllm.extra", number: number) == nil)
        #expect(try await forum.database.article(messageID: "<x@example.org>") == nil)
        #expect(cache.statistics.articles == 0)
        try await forum.close()
    }

    @Test("another process's commit is seen once checkOtherWriters has looked, and only then")
    func otherWriters() async throws {
        let (forum, cache, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        let first = try await forum.inject(raw: rawArticle(messageID: "<mine@example.org>"))
        let before = try #require(try await forum.database.group(named: "forllm.general"))
        // Its own commits are not another writer's.
        #expect(try await forum.database.checkOtherWriters() == false)

        // The CLI: a second connection to the file, without a cache, cancels and posts.
        let cli = try await Forum.open(path: path)
        _ = try await cli.inject(raw: ControlTests.cancel("<mine@example.org>"))
        _ = try await cli.inject(raw: rawArticle(messageID: "<theirs@example.org>"))
        try await cli.close()

        // Until the check, the cache answers what it had (the staleness the interval bounds).
        #expect(try await forum.database.group(named: "forllm.general")?.lastNumber == before.lastNumber)
        #expect(try await forum.database.article(messageID: "<mine@example.org>") != nil)

        #expect(try await forum.database.checkOtherWriters() == true)

        let after = try #require(try await forum.database.group(named: "forllm.general"))
        #expect(after.lastNumber == before.lastNumber + 1)
        #expect(try await forum.database.article(messageID: "<mine@example.org>") == nil)
        let number = try #require(first.numbers.first?.number)
        #expect(try await forum.database.article(inGroup: "forllm.general", number: number) == nil)
        #expect(try await forum.database.article(messageID: "<theirs@example.org>") != nil)
        #expect(try await forum.database.checkOtherWriters() == false)
        #expect(cache.statistics.articles >= 1)
        try await forum.close()
    }

    @Test("an article read from the database is kept for the next read")
    func readThrough() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("forllm-cache-\(UUID().uuidString).db").path
        defer { removeDatabaseFile(path) }
        // Written by another process before the server opened the file: not in the cache.
        let cli = try await Forum.open(path: path)
        let injected = try await cli.inject(raw: rawArticle(messageID: "<old@example.org>"))
        try await cli.close()
        let forum = try await Forum.open(path: path, readCache: true)
        let cache = try #require(forum.database.readCache)
        let number = try #require(injected.numbers.first?.number)
        _ = try await forum.database.groups()

        let misses = cache.statistics.misses
        let first = try await forum.database.article(inGroup: "forllm.general", number: number)
        #expect(cache.statistics.misses == misses + 1)
        let second = try await forum.database.article(inGroup: "forllm.general", number: number)
        #expect(cache.statistics.misses == misses + 1)
        #expect(first == second)
        #expect(first?.messageID == "<old@example.org>")
        // Found by Message-ID with every number it has, as the database gives it.
        #expect(try await forum.database.article(messageID: "<old@example.org>")?.numbers == injected.numbers)
        #expect(cache.statistics.misses == misses + 1)
        try await forum.close()
    }

    @Test("a row id given again after a savepoint's rollback holds the later article, however many came before")
    func rowIDReusedAfterRollback() async throws {
        let (forum, _, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        struct Refused: Error {}
        // 63 articles, then one rolled back in its savepoint, then one that gets its row id:
        // 64 stored, the most a commit hands the cache, and 65 inserts.
        try await forum.database.write { transaction in
            func insert(_ name: String) throws {
                let article = try Article(parsing: rawArticle(messageID: "<\(name)@example.org>"))
                guard let row = try transaction.group(named: "forllm.general") else { throw Refused() }
                _ = try transaction.insertArticle(
                    article,
                    messageID: try MessageID("<\(name)@example.org>"),
                    parent: nil,
                    root: try MessageID("<\(name)@example.org>"),
                    groups: [row],
                    hostname: "forllm.test",
                    author: nil,
                    now: Date()
                )
            }
            for index in 1...63 { try insert("before.\(index)") }
            _ = try? transaction.savepoint {
                try insert("rolled-back")
                throw Refused()
            }
            try insert("reused")
        }

        let other = try await ForumDatabase.open(path: path)
        let stored = try #require(try await other.article(messageID: "<reused@example.org>"))
        #expect(forum.database.articleInMemory(messageID: "<reused@example.org>") == stored)
        #expect(forum.database.articleInMemory(messageID: "<rolled-back@example.org>") == nil)
        try await other.close()
        try await forum.close()
    }
}
