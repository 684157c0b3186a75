@testable import FORLLMForum
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Synchronization
import Testing

/// Full-text search: the FTS5 index follows injection (queued in its transaction, indexed in
/// batches, always before a search) and every deletion, an older database gets its index built
/// with progress, bm25 ranking, groups, snippets, bad queries, and the
/// forllm.search group.
@Suite("Full-text search")
struct SearchTests {
    static let wildmatAll = GroupFilter(pattern: "*", matching: { _ in true })

    static func filter(_ names: Set<String>) -> GroupFilter {
        GroupFilter(pattern: names.sorted().joined(separator: ","), matching: { names.contains($0) })
    }

    func ids(_ hits: [SearchHit]) -> [String] { hits.map(\.messageID) }

    @Test("an injected article is found by subject, author, decoded body; removed by cancel, Supersedes, group removal")
    func followsInjectionAndDeletion() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.cooking", description: "", mode: .off, now: Date())
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.cooking",
                subject: "=?UTF-8?Q?Cr=C3=A8me_br=C3=BBl=C3=A9e?= torch",
                from: "=?UTF-8?Q?J=C3=BCrgen?= <juergen@example.org>",
                messageID: "<a@example.org>",
                extraHeaders: [
                    "Content-Transfer-Encoding: quoted-printable", "Content-Type: text/plain; charset=UTF-8"
                ],
                body: "Caramelise the sug=\nar with a blowtorch, then serve.\n"
            )
        )
        #expect(ids(try await forum.search("creme")) == ["<a@example.org>"])
        #expect(ids(try await forum.search("jurgen")) == ["<a@example.org>"])
        #expect(ids(try await forum.search("author:\"juergen@example.org\"")) == ["<a@example.org>"])
        // Quoted-printable decoded: the soft line break joined "sugar".
        #expect(ids(try await forum.search("sugar blowtorch")) == ["<a@example.org>"])
        #expect(try await forum.search("sug").isEmpty)

        // A cancel withdraws it: its row goes with it.
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.cooking",
                subject: "cancel <a@example.org>",
                from: "Jurgen <juergen@example.org>",
                extraHeaders: ["Control: cancel <a@example.org>"]
            )
        )
        #expect(try await forum.search("blowtorch").isEmpty)

        // Supersedes: the old version's row goes, the new one's comes.
        _ = try await forum.inject(
            raw: rawArticle(groups: "test.cooking", subject: "Bread", messageID: "<b1@example.org>", body: "rye\n")
        )
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.cooking",
                subject: "Bread",
                messageID: "<b2@example.org>",
                extraHeaders: ["Supersedes: <b1@example.org>"],
                body: "spelt\n"
            )
        )
        #expect(try await forum.search("rye").isEmpty)
        #expect(ids(try await forum.search("spelt")) == ["<b2@example.org>"])

        // A removed group takes its articles (and their rows) along.
        try await database.removeGroup("test.cooking", now: Date())
        #expect(try await forum.search("spelt").isEmpty)

        // A replaced persona card: the old card's row goes.
        _ = try await forum.createPersona(name: "Critic", instructions: "Be zanzibarian.", model: nil, by: "jane")
        #expect(try await forum.search("zanzibarian").count == 1)
        _ = try await forum.editPersona("critic", PersonaChanges(instructions: "Be fair."), by: "jane")
        #expect(try await forum.search("zanzibarian").isEmpty)

        // Nothing is left behind: the index has a row for each stored article at most.
        let orphans = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article_search WHERE rowid NOT IN (SELECT id FROM article)")
        }
        #expect(orphans == 0)
    }

    @Test("bm25: a subject match ranks above body matches; limit; snippet marks the words")
    func ranking() async throws {
        let (forum, _) = try await makeForum()
        for index in 0..<5 {
            _ = try await forum.inject(
                raw: rawArticle(
                    subject: "Note \(index)",
                    messageID: "<body\(index)@example.org>",
                    extraHeaders: ["X-FORLLM-Request: none"],
                    body: "Some words first. The kestrel hovered over the field, and the kestrel dived.\n"
                )
            )
        }
        _ = try await forum.inject(
            raw: rawArticle(
                subject: "Kestrel",
                messageID: "<subject@example.org>",
                extraHeaders: ["X-FORLLM-Request: none"],
                body: "A small falcon, seen once.\n"
            )
        )
        let hits = try await forum.search("kestrel")
        #expect(hits.count == 6)
        #expect(hits.first?.messageID == "<subject@example.org>")
        #expect(hits.first?.subject == "Kestrel")
        #expect(hits.first?.from == "Jane Doe <jane@example.org>")
        #expect(hits[1].snippet.contains("*kestrel*"), "\(hits[1].snippet)")
        #expect(try await forum.search("kestrel", limit: 2).count == 2)
        #expect(try await forum.search("\"kestrel dived\"").count == 5)
        #expect(try await forum.search("kest*").count == 6)
        #expect(ids(try await forum.search("subject:kestrel")) == ["<subject@example.org>"])
    }

    @Test("a group filter keeps the articles of the matching groups, cross-posts included")
    func groupFilter() async throws {
        let (forum, database) = try await makeForum()
        for name in ["comp.lang.swift", "comp.lang.c", "rec.food"] {
            try await database.createGroup(name: name, description: "", mode: .off, now: Date())
        }
        _ = try await forum.inject(raw: rawArticle(groups: "comp.lang.swift", messageID: "<s@x.org>", body: "otter\n"))
        _ = try await forum.inject(raw: rawArticle(groups: "comp.lang.c", messageID: "<c@x.org>", body: "otter\n"))
        _ = try await forum.inject(
            raw: rawArticle(groups: "rec.food,comp.lang.c", messageID: "<f@x.org>", body: "otter\n")
        )
        #expect(Set(ids(try await forum.search("otter"))) == ["<s@x.org>", "<c@x.org>", "<f@x.org>"])
        #expect(ids(try await forum.search("otter", groups: Self.filter(["comp.lang.swift"]))) == ["<s@x.org>"])
        #expect(
            Set(ids(try await forum.search("otter", groups: Self.filter(["comp.lang.c"])))) == [
                "<c@x.org>", "<f@x.org>"
            ]
        )
        #expect(try await forum.search("otter", groups: Self.filter(["nothing.here"])).isEmpty)
    }

    @Test("a bad query is one clear line, not an SQLite dump")
    func badQuery() async throws {
        let (forum, _) = try await makeForum()
        for (query, expected) in [
            ("swift AND", "syntax error"), ("what's new?", "put words with punctuation in double quotes"),
            ("colour:red", "unknown column 'colour'"), ("\"unbalanced", "unterminated string")
        ] {
            let error = await #expect(throws: StoreError.self) { try await forum.search(query) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains(expected) == true, "\(query): \(error?.message ?? "")")
            #expect(error?.message.contains("\n") == false)
        }
    }

    @Test("forllm.search: the Subject is the query; FORLLM Search answers in the thread at once, never indexed")
    func searchGroup() async throws {
        let (forum, database) = try await makeForum()
        _ = try await forum.inject(
            raw: rawArticle(subject: "Heron sightings", messageID: "<heron@example.org>", body: "A grey heron.\n")
        )
        let queued = try await database.requests(status: .pending).count
        let query = try await forum.inject(
            raw: rawArticle(groups: "forllm.search", subject: "heron", messageID: "<q1@example.org>", body: "?\n")
        )
        #expect(query.requestIDs.isEmpty)
        #expect(try await database.requests(status: .pending).count == queued)
        let numbers = try await database.articleNumbers(inGroup: "forllm.search", range: 1...Int64.max)
        #expect(numbers.count == 2)
        let stored = try #require(try await database.article(inGroup: "forllm.search", number: numbers[1]))
        let answer = try Article(parsing: stored.bytes)
        #expect(answer["From"] == "FORLLM Search <search@forllm.local>")
        #expect(answer["References"] == "<q1@example.org>")
        #expect(answer["Subject"] == "Re: heron")
        let text = ArticleText.plainText(of: answer)
        #expect(text.contains("news:heron@example.org"), "\(text)")
        #expect(text.contains("Heron sightings"))
        #expect(text.contains("forllm.general, "))
        #expect(text.contains("Jane Doe <jane@example.org>"))
        #expect(text.contains("*Heron* sightings"), "\(text)")
        // Neither the query nor the answer turns up in searches.
        #expect(ids(try await forum.search("heron")) == ["<heron@example.org>"])

        // A follow-up "Re: query" searches again; none found is said plainly.
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "forllm.search",
                subject: "Re: albatross",
                messageID: "<q2@example.org>",
                references: "<q1@example.org>"
            )
        )
        let last = try await database.articleNumbers(inGroup: "forllm.search", range: 1...Int64.max).last ?? 0
        let none = try #require(try await database.article(inGroup: "forllm.search", number: last))
        let noneText = ArticleText.plainText(of: try Article(parsing: none.bytes))
        #expect(noneText.contains("Query: albatross\n\nNo article matches."), "\(noneText)")

        // A bad query is refused, nothing stored.
        let error = await #expect(throws: ForumError.self) {
            try await forum.inject(raw: rawArticle(groups: "forllm.search", subject: "heron AND", body: "x\n"))
        }
        #expect(error?.message.contains("is not a search query") == true, "\(error?.message ?? "")")
        #expect(try await database.articleNumbers(inGroup: "forllm.search", range: 1...Int64.max).count == 4)
        // No persona answers there, even when asked.
        await #expect(throws: (any Error).self) {
            try await forum.inject(
                raw: rawArticle(groups: "forllm.search", subject: "heron", extraHeaders: ["X-FORLLM-Request: default"])
            )
        }
    }

    @Test(
        "an older database: the migration queues its articles for the index; the build shows progress, resumes after a kill"
    )
    func migrationBuildsIndex() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("forllm-search-\(UUID().uuidString).db").path
        defer { removeDatabaseFile(path) }
        // The schema before search, with 1,234 articles stored.
        do {
            let pool = try DatabasePool(path: path, configuration: ForumDatabase.grdbConfiguration())
            try ForumDatabase.migrator.migrate(pool, upTo: "v8-queue-order")
            try await pool.write { db in
                let transaction = StoreTransaction(db)
                let group = try #require(try transaction.group(named: "forllm.general"))
                var lastNumber = group.lastNumber
                for index in 0..<1234 {
                    var row = group
                    row.lastNumber = lastNumber
                    let article = try Article(
                        parsing: rawArticle(
                            subject: "Old \(index)",
                            messageID: "<old\(index)@example.org>",
                            extraHeaders: ["Date: Sat, 05 Dec 2026 10:00:00 +0000"],
                            body: index == 700 ? "The word platypus.\n" : "Nothing special.\n"
                        )
                    )
                    let id = try MessageID("<old\(index)@example.org>")
                    _ = try transaction.insertArticle(
                        article,
                        messageID: id,
                        parent: nil,
                        root: id,
                        groups: [row],
                        hostname: "forllm.local",
                        author: nil,
                        now: Date()
                    )
                    lastNumber += 1
                }
            }
            try pool.close()
        }
        let database = try await ForumDatabase.open(path: path)
        #expect(try await database.group(named: "forllm.search")?.mode == .off)
        #expect(try await database.searchIndexProgress() == SearchIndexProgress(done: 0, total: 1234))
        let forum = Forum(database: database)
        #expect(try await database.search(SearchQuery(text: "platypus")).isEmpty)

        // One batch (as if killed after it): the next build resumes where it stopped.
        let first = try await database.write { transaction in try Forum.indexBatch(transaction) }
        #expect(first == 500)
        #expect(try await database.searchIndexProgress() == SearchIndexProgress(done: 500, total: 1234))

        // Injected meanwhile: queued behind the older ones.
        _ = try await forum.inject(raw: rawArticle(subject: "New platypus", messageID: "<new@example.org>"))
        #expect(try await database.searchIndexProgress() == SearchIndexProgress(done: 500, total: 1235))
        #expect(try await database.search(SearchQuery(text: "platypus")).isEmpty)
        let lines = Mutex<[String]>([])
        let indexed = try await forum.buildSearchIndex(every: 500) { state in
            lines.withLock { $0.append("\(state.done) of \(state.total)") }
        }
        #expect(indexed == 735)
        #expect(lines.withLock { $0 } == ["500 of 1235", "1000 of 1235", "1235 of 1235"])
        #expect(try await database.searchIndexProgress() == nil)
        #expect(
            Set(ids(try await database.search(SearchQuery(text: "platypus"))))
                == ["<old700@example.org>", "<new@example.org>"]
        )
        #expect(try await forum.search("special", limit: 5000).count == 1233)

        // Built: nothing more to do, no progress shown.
        let again = Mutex(0)
        #expect(try await forum.buildSearchIndex { _ in again.withLock { $0 += 1 } } == 0)
        // A backlog of one batch or less is indexed without a word.
        _ = try await forum.inject(raw: rawArticle(subject: "Another platypus", messageID: "<another@example.org>"))
        #expect(try await forum.buildSearchIndex { _ in again.withLock { $0 += 1 } } == 1)
        #expect(again.withLock { $0 } == 0)
        try await database.close()
    }

    @Test(
        "an article is queued for the index in its transaction; a search indexes the queue first; a deletion empties it"
    )
    func queuedForIndex() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await forum.buildSearchIndex()  // what the seed stored
        _ = try await forum.inject(raw: rawArticle(subject: "Kestrel", messageID: "<k@example.org>"))
        _ = try await forum.inject(raw: rawArticle(subject: "Merlin", messageID: "<m@example.org>"))
        // Stored, queued, not yet in the index.
        let waiting = try #require(try await database.searchIndexProgress())
        #expect(waiting.total - waiting.done == 2)
        #expect(try await database.search(SearchQuery(text: "kestrel OR merlin")).isEmpty)
        // A search indexes what is queued first: it finds every article stored before it.
        #expect(ids(try await forum.search("kestrel")) == ["<k@example.org>"])
        #expect(try await database.searchIndexProgress() == nil)
        #expect(ids(try await database.search(SearchQuery(text: "merlin"))) == ["<m@example.org>"])

        // Withdrawn before it was indexed: it leaves the queue with the article, and the id
        // SQLite may give the next article is indexed for that article.
        _ = try await forum.inject(raw: rawArticle(subject: "Osprey", messageID: "<o@example.org>"))
        _ = try await forum.inject(
            raw: rawArticle(subject: "cancel <o@example.org>", extraHeaders: ["Control: cancel <o@example.org>"])
        )
        #expect(try await database.searchIndexProgress() == nil)
        _ = try await forum.inject(raw: rawArticle(subject: "Harrier", messageID: "<h@example.org>"))
        #expect(ids(try await forum.search("harrier")) == ["<h@example.org>"])
        #expect(try await forum.search("osprey").isEmpty)
        try await database.close()
    }
}

extension SearchTests {
    @Test("attached text files are found by their words and their file name; an attached image by its name")
    func attachments() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.code", mode: .off, now: Date())
        let csv = Data("city,rainfall\nKirkwall,1070\n".utf8).base64EncodedString()
        let body = """
            This is a multi-part message in MIME format.
            --b1
            Content-Type: text/plain; charset=UTF-8; format=flowed

            What do you make of these figures?
            --b1
            Content-Type: text/csv; charset=UTF-8; name="rain.csv"
            Content-Disposition: attachment; filename="rain.csv"
            Content-Transfer-Encoding: base64

            \(csv)
            --b1
            Content-Type: image/png; name="chart.png"
            Content-Disposition: attachment; filename="chart.png"
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --b1--

            """
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.code",
                subject: "Rain",
                messageID: "<rain@example.org>",
                extraHeaders: ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\""],
                body: body
            )
        )
        #expect(ids(try await forum.search("kirkwall")) == ["<rain@example.org>"])
        #expect(ids(try await forum.search("\"rain.csv\"")) == ["<rain@example.org>"])
        #expect(ids(try await forum.search("\"chart.png\"")) == ["<rain@example.org>"])
        #expect(ids(try await forum.search("figures")) == ["<rain@example.org>"])
        // The image's base64 is no text to find.
        #expect(try await forum.search("iVBORw0KGgo").isEmpty)
    }
}
