@testable import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Synchronization
import Testing

@Suite("Group commit of injected articles", .timeLimit(.minutes(2)))
struct GroupCommitTests {
    @Test("200 concurrent posts over 16 tasks get distinct consecutive numbers, in batches larger than one")
    func concurrentPosts() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let before = forum.injections.statistics

        let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<16 {
                group.addTask {
                    var mine: [Int64] = []
                    for index in stride(from: task, to: 200, by: 16) {
                        let injected = try await forum.inject(
                            raw: rawArticle(groups: "test.plain", messageID: "<gc.\(index)@example.org>")
                        )
                        mine.append(try #require(injected.numbers.first).number)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        #expect(numbers.sorted() == Array(1...200))
        let statistics = forum.injections.statistics
        #expect(statistics.articles - before.articles == 200)
        #expect(statistics.largestBatch > 1)
        #expect(statistics.batches - before.batches < 200)
        let group = try #require(try await database.group(named: "test.plain"))
        #expect(group.lastNumber == 200)
        #expect(group.articleCount == 200)
        try await forum.close()
    }

    @Test("after inject returns, another connection to the file sees the article")
    func visibleToAnotherConnection() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let other = try await ForumDatabase.open(path: path)
        for index in 1...3 {
            let injected = try await forum.inject(
                raw: rawArticle(groups: "test.plain", messageID: "<seen.\(index)@example.org>")
            )
            let stored = try #require(try await other.article(messageID: injected.messageID.value))
            #expect(try Article(parsing: stored.bytes)["Message-ID"] == "<seen.\(index)@example.org>")
        }
        try await other.close()
        try await forum.close()
    }

    @Test("the same Message-ID posted twice at once is stored once; the other poster hears it is a duplicate")
    func concurrentDuplicates() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let raw = rawArticle(groups: "test.plain", messageID: "<twice@example.org>")
        async let first = Self.outcome { try await forum.inject(raw: raw) }
        async let second = Self.outcome { try await forum.inject(raw: raw) }
        let outcomes = await [first, second]

        #expect(outcomes.count(where: { (try? $0.get()) != nil }) == 1)
        let refusals = outcomes.compactMap { outcome -> ForumError? in
            guard case .failure(let error) = outcome else { return nil }
            return error as? ForumError
        }
        #expect(refusals.map(\.code) == [.duplicateArticle])
        #expect(try await database.group(named: "test.plain")?.articleCount == 1)
        try await forum.close()
    }

    @Test("refused articles in a batch roll back alone: their neighbours commit, each poster gets its own answer")
    func refusalInBatch() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let gate = Gate(forum)

        async let held = Self.outcome {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<held@example.org>"))
        }
        await gate.batchHeld()
        let raws = [
            rawArticle(groups: "test.plain", messageID: "<good.1@example.org>"),
            rawArticle(groups: "no.such.group", messageID: "<lost@example.org>"),
            rawArticle(groups: "test.plain", messageID: "<good.2@example.org>"),
            rawArticle(groups: "test.plain", messageID: "<good.1@example.org>"),
            // Refused after its rows were written (no requests in an `off` group): only its
            // savepoint's rollback takes them out again.
            rawArticle(
                groups: "test.plain",
                messageID: "<asks@example.org>",
                extraHeaders: ["X-FORLLM-Request: Assistant"]
            )
        ]
        let outcomes = await withTaskGroup(of: (Int, Result<InjectedArticle, any Error>).self) { group in
            for (index, raw) in raws.enumerated() {
                group.addTask { (index, await Self.outcome { try await forum.inject(raw: raw) }) }
            }
            await gate.waitForQueue(length: raws.count)
            gate.open()
            var outcomes: [Int: Result<InjectedArticle, any Error>] = [:]
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }

        #expect(try await held.get().numbers.first?.number == 1)
        // The five waited behind the held write and went together in the next transaction.
        #expect(forum.injections.statistics.batches == 2)
        #expect(forum.injections.statistics.largestBatch == 5)
        // The writer went on to the second batch itself, in the turn that wrote the first.
        #expect(forum.injections.statistics.turns == 1)
        let lost = try #require(outcomes[1])
        guard case .failure(let error) = lost, let refusal = error as? ArticleError else {
            Issue.record("the post to a missing group was not refused: \(lost)")
            return
        }
        #expect(refusal.code == .invalidNewsgroups)
        let asks = try #require(outcomes[4])
        guard case .failure(let asksError) = asks, let refusedRequest = asksError as? ArticleError else {
            Issue.record("the request in an off group was not refused: \(asks)")
            return
        }
        #expect(refusedRequest.code == .invalidRequest)
        let good2 = try #require(outcomes[2]).get()
        // good.1 twice: whichever came first is stored, the other is the duplicate.
        let pair = [try #require(outcomes[0]), try #require(outcomes[3])]
        let stored = pair.compactMap { try? $0.get() }
        #expect(stored.count == 1)
        let duplicates = pair.compactMap { outcome -> ForumError? in
            guard case .failure(let error) = outcome else { return nil }
            return error as? ForumError
        }
        #expect(duplicates.map(\.code) == [.duplicateArticle])
        let numbers = Set((stored + [good2]).compactMap { $0.numbers.first?.number })
        #expect(numbers == [2, 3])
        let group = try #require(try await database.group(named: "test.plain"))
        #expect(group.articleCount == 3)
        #expect(group.lastNumber == 3)
        #expect(try await database.article(messageID: "<lost@example.org>") == nil)
        #expect(try await database.article(messageID: "<asks@example.org>") == nil)
        try await forum.close()
    }

    @Test("a post cancelled while it waits is not written and returns at once; the one behind it is")
    func cancelledWhileQueued() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let gate = Gate(forum)

        async let held = Self.outcome {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<held@example.org>"))
        }
        await gate.batchHeld()
        let cancelled = Task {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<cancelled@example.org>"))
        }
        await gate.waitForQueue(length: 1)
        let kept = Task {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<kept@example.org>"))
        }
        await gate.waitForQueue(length: 2)
        cancelled.cancel()
        // Resumed while the first write is still held: it was not left waiting for it.
        let result = await cancelled.result
        guard case .failure(let error) = result, error is CancellationError else {
            Issue.record("the cancelled post was not cancelled: \(result)")
            return
        }
        gate.open()

        #expect(try await held.get().numbers.first?.number == 1)
        #expect(try await kept.value.numbers.first?.number == 2)
        #expect(try await database.article(messageID: "<cancelled@example.org>") == nil)
        #expect(try await database.group(named: "test.plain")?.articleCount == 2)
        try await forum.close()
    }

    @Test("a poster cancelled while its batch is written gets its outcome, and the others in the batch commit")
    func cancelledWhileWritten() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let gate = Gate(forum, holding: 2)

        async let first = Self.outcome {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<first@example.org>"))
        }
        await gate.batchHeld()
        let poster = Task {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<held@example.org>"))
        }
        await gate.waitForQueue(length: 1)
        let followers = (1...2).map { index in
            Task {
                try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<f.\(index)@example.org>"))
            }
        }
        await gate.waitForQueue(length: 3)
        gate.open()
        #expect(try await first.get().numbers.first?.number == 1)
        // The second batch (its first article and the two behind it) is held; the poster of
        // its first article is cancelled now.
        await gate.batchHeld()
        poster.cancel()
        gate.open()

        #expect(try await poster.value.numbers.first?.number == 2)
        for follower in followers {
            _ = try await follower.value
        }
        #expect(forum.injections.statistics.largestBatch == 3)
        #expect(try await database.group(named: "test.plain")?.articleCount == 4)
        try await forum.close()
    }

    @Test("a batch whose COMMIT fails fails every article of it; the next post is written")
    func failedCommit() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let gate = Gate(forum)
        let commits = Counter()
        forum.injections.setHooks(
            InjectionBatcher.Hooks(
                didQueue: gate.hooks.didQueue,
                willWrite: gate.hooks.willWrite,
                beforeCommit: { transaction in
                    // The second batch's transaction vanishes under it: its COMMIT fails.
                    if commits.next() == 2 { try transaction.db.execute(sql: "ROLLBACK") }
                }
            )
        )

        async let held = Self.outcome {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<held@example.org>"))
        }
        await gate.batchHeld()
        let outcomes = await withTaskGroup(of: Result<InjectedArticle, any Error>.self) { group in
            for index in 1...3 {
                group.addTask {
                    await Self.outcome {
                        try await forum.inject(
                            raw: rawArticle(groups: "test.plain", messageID: "<b.\(index)@example.org>")
                        )
                    }
                }
            }
            await gate.waitForQueue(length: 3)
            gate.open()
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(try await held.get().numbers.first?.number == 1)
        #expect(outcomes.count == 3)
        #expect(outcomes.allSatisfy { (try? $0.get()) == nil })
        #expect(forum.injections.statistics.largestBatch == 3)
        #expect(try await database.group(named: "test.plain")?.articleCount == 1)

        let after = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<after@example.org>"))
        #expect(after.numbers.first?.number == 2)
        try await forum.close()
    }

    @Test("a drain leaves the writer to the writes queued behind it after its batches per turn, then goes on")
    func otherWritesGetTheirTurn() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        // One article per batch, two batches per turn.
        let batcher = InjectionBatcher(maximumBatchSize: 1, batchesPerTurn: 2)
        let gate = Gate(batcher)
        let order = Mutex<[String]>([])
        var hooks = gate.hooks
        hooks.beforeCommit = { transaction in
            let id = try String.fetchOne(transaction.db, sql: "SELECT message_id FROM article ORDER BY id DESC LIMIT 1")
            order.withLock { $0.append(id ?? "?") }
        }
        batcher.setHooks(hooks)
        let post: @Sendable (String) async throws -> InjectedArticle = { name in
            let now = forum.now()
            let article = try Article(parsing: rawArticle(groups: "test.plain", messageID: "<\(name)@example.org>"))
            let prepared = try forum.prepare(article, origin: .user, now: now)
            return try await batcher.commit(.init(prepared: prepared, origin: .user, now: now), forum: forum)
        }

        async let first = Self.outcome { try await post("a") }
        await gate.batchHeld()
        var rest: [Task<InjectedArticle, any Error>] = []
        for (index, name) in ["b", "c", "d"].enumerated() {
            rest.append(Task { try await post(name) })
            await gate.waitForQueue(length: index + 1)
        }
        // Another write, queued on the writer while the drain's turn is held.
        let (otherDone, otherWritten) = AsyncStream<Void>.makeStream()
        database.takeWriterTurn { _ in
            order.withLock { $0.append("other") }
            otherWritten.yield()
            otherWritten.finish()
        }
        gate.open()

        _ = try await first.get()
        for task in rest { _ = try await task.value }
        for await _ in otherDone {}
        #expect(
            order.withLock { $0 } == [
                "<a@example.org>", "<b@example.org>", "other", "<c@example.org>", "<d@example.org>"
            ]
        )
        #expect(batcher.statistics.batches == 4)
        #expect(batcher.statistics.turns == 2)
        try await forum.close()
    }

    @Test(
        "the read cache holds each article of a batch as the database does, crossposts too; a refused one is not there"
    )
    func readCacheAfterBatch() async throws {
        let (forum, _, path) = try await makeCachedFileForum()
        defer { removeDatabaseFile(path) }
        let database = forum.database
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        try await database.createGroup(name: "test.other", mode: .off, now: Date())
        let gate = Gate(forum)

        async let held = Self.outcome {
            try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<held@example.org>"))
        }
        await gate.batchHeld()
        let raws = [
            // Crossposted, named against the order of the groups' ids.
            rawArticle(groups: "test.other,test.plain", messageID: "<both@example.org>", body: "In two groups.\n"),
            // Written, then refused (no requests in an `off` group): its savepoint rolls back,
            // and the next article gets its row id again.
            rawArticle(
                groups: "test.plain",
                messageID: "<refused@example.org>",
                extraHeaders: ["X-FORLLM-Request: Assistant"],
                body: "Refused.\n"
            ),
            rawArticle(groups: "test.plain", messageID: "<after@example.org>", body: "After the refusal.\n")
        ]
        var posts: [Task<InjectedArticle, any Error>] = []
        for (index, raw) in raws.enumerated() {
            posts.append(Task { try await forum.inject(raw: raw) })
            await gate.waitForQueue(length: index + 1)
        }
        gate.open()
        _ = try await held.get()
        _ = try await posts[0].value
        await #expect(throws: ArticleError.self) { try await posts[1].value }
        _ = try await posts[2].value
        #expect(forum.injections.statistics.largestBatch == 3)

        let other = try await ForumDatabase.open(path: path)
        for messageID in ["<held@example.org>", "<both@example.org>", "<after@example.org>"] {
            let stored = try #require(try await other.article(messageID: messageID))
            #expect(database.articleInMemory(messageID: messageID) == stored, "\(messageID)")
        }
        #expect(try await other.article(messageID: "<both@example.org>")?.numbers.count == 2)
        #expect(database.articleInMemory(messageID: "<refused@example.org>") == nil)
        try await other.close()
        try await forum.close()
    }

    private static func outcome(
        _ body: () async throws -> InjectedArticle
    ) async -> Result<InjectedArticle, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}

/// Holds the first `held` batches of a group commit on the writer's thread, each until the
/// test opens it, and tells the test when a batch is held and how long the queue behind it
/// is: no sleeping.
private final class Gate: Sendable {
    let hooks: InjectionBatcher.Hooks
    private let arrivals: AsyncStream<Void>
    private let lengths: AsyncStream<Int>
    private let opening = DispatchSemaphore(value: 0)

    convenience init(_ forum: Forum, holding held: Int = 1) {
        self.init(forum.injections, holding: held)
    }

    init(_ batcher: InjectionBatcher, holding held: Int = 1) {
        let (arrivals, arrival) = AsyncStream<Void>.makeStream()
        let (lengths, length) = AsyncStream<Int>.makeStream()
        let batches = Counter()
        let opening = self.opening
        self.arrivals = arrivals
        self.lengths = lengths
        self.hooks = InjectionBatcher.Hooks(
            didQueue: { length.yield($0) },
            willWrite: { _ in
                guard batches.next() <= held else { return }
                arrival.yield()
                // The writer's thread (a dispatch queue's), not a task: blocking it holds
                // every write behind this batch, as a slow disk would.
                opening.wait()
            }
        )
        batcher.setHooks(self.hooks)
    }

    /// Returns once the next held batch waits before its write.
    func batchHeld() async {
        for await _ in self.arrivals { return }
    }

    /// Returns once `length` articles wait behind the held batch.
    func waitForQueue(length: Int) async {
        for await queued in self.lengths where queued >= length { return }
    }

    /// Lets the held batch be written.
    func open() {
        self.opening.signal()
    }
}

/// A count shared between a test and the hooks it installs.
private final class Counter: Sendable {
    private let count = Mutex(0)

    /// Counts one more and returns the count: 1 the first time.
    func next() -> Int {
        self.count.withLock { count in
            count += 1
            return count
        }
    }
}
