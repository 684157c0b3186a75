import FORLLMForum
import FORLLMTestSupport
@testable import FORLLMStore
import Foundation
import GRDB
import NewsArticle
import Testing

@Suite("Injecting articles")
struct InjectionTests {
    @Test("a fresh database has forllm.general in auto mode, empty, low water mark 1")
    func seeded() async throws {
        let (_, database) = try await makeForum()
        let group = try #require(try await database.group(named: "forllm.general"))
        #expect(group.mode == .auto)
        #expect(group.articleCount == 0)
        #expect(group.lowNumber == 1)
        #expect(group.lastNumber == 0)
    }

    @Test("articles are numbered 1, 2, 3 and the group's marks follow")
    func numbering() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        var numbers: [Int64] = []
        for index in 1...3 {
            let injected = try await forum.inject(raw: rawArticle(groups: "test.plain", subject: "n\(index)"))
            numbers.append(try #require(injected.numbers.first).number)
        }
        #expect(numbers == [1, 2, 3])
        let group = try #require(try await database.group(named: "test.plain"))
        #expect(group.lowNumber == 1)
        #expect(group.lastNumber == 3)
        #expect(group.articleCount == 3)
        #expect(try await database.articleNumbers(inGroup: "test.plain", range: 1...100) == [1, 2, 3])
    }

    @Test("the server adds Path, Message-ID, Date, Injection-Date and Xref, and drops client Xref")
    func addedHeaders() async throws {
        let (forum, database) = try await makeForum(configuration: ForumConfiguration(hostname: "news.example"))
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let injected = try await forum.inject(
            raw: rawArticle(groups: "test.plain", extraHeaders: ["Xref: evil.example test.plain:99", "Path: elsewhere"])
        )
        #expect(injected.messageID.value.hasSuffix("@news.example>"))
        let stored = try #require(try await database.article(inGroup: "test.plain", number: 1))
        let article = try Article(parsing: stored.bytes)
        #expect(article.fields.first?.name == "Path")
        #expect(article["Path"] == "news.example!not-for-mail")
        #expect(article.values(named: "Xref") == ["news.example test.plain:1"])
        #expect(article.values(named: "Path").count == 1)
        #expect(article["Message-ID"] == injected.messageID.value)
        #expect(article["Date"].flatMap(NewsDate.parse) != nil)
        #expect(article["Injection-Date"].flatMap(NewsDate.parse) != nil)
    }

    @Test("the body and the client's headers are stored byte-exact")
    func byteExact() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        let body = "Grüße aus Köln 🍺\n.leading dot\n\nlast line\n"
        let raw = rawArticle(
            groups: "test.plain",
            subject: "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=",
            from: "=?UTF-8?Q?J=C3=BCrgen?= <j@example.org>",
            messageID: "<exact.1@example.org>",
            extraHeaders: ["X-Folded: first part", " second part"],
            body: body
        )
        _ = try await forum.inject(raw: raw)
        let stored = try #require(try await database.article(messageID: "<exact.1@example.org>"))
        let text = String(decoding: stored.bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n")))
        #expect(text.contains("\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"))
        #expect(text.contains("\r\nX-Folded: first part\r\n second part\r\n"))
    }

    @Test("a cross-post is stored once and numbered in each group")
    func crossPost() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        try await database.createGroup(name: "test.b", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.b", subject: "first in b"))
        let injected = try await forum.inject(
            raw: rawArticle(groups: "test.a,test.b", subject: "both", messageID: "<cross@example.org>")
        )
        #expect(injected.numbers == [GroupNumber(group: "test.a", number: 1), GroupNumber(group: "test.b", number: 2)])
        let inA = try #require(try await database.article(inGroup: "test.a", number: 1))
        let inB = try #require(try await database.article(inGroup: "test.b", number: 2))
        #expect(inA.id == inB.id)
        #expect(inA.numbers == [GroupNumber(group: "test.a", number: 1)])
        let byID = try #require(try await database.article(messageID: "<cross@example.org>"))
        #expect(byID.id == inA.id)
        #expect(Set(byID.numbers) == Set(injected.numbers))
        let article = try Article(parsing: inA.bytes)
        #expect(article["Xref"] == "forllm.local test.a:1 test.b:2")
        let count = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article WHERE newsgroups LIKE 'test.%'")
        }
        #expect(count == 2)
    }

    @Test(
        "refused articles say why and store nothing",
        arguments: [
            (rawArticle(groups: "no.such.group"), "no such group"),
            (rawArticle(groups: "forllm.general", subject: ""), "Subject"),
            (Array("Newsgroups: forllm.general\r\nSubject: x\r\n\r\nbody\r\n".utf8), "From"),
            (rawArticle(extraHeaders: ["Date: Mon, 1 Jan 2001 00:00:00 +0000"]), "Date"),
            (rawArticle(extraHeaders: ["X-FORLLM-Request: nobody-here"]), "no persona named 'nobody-here'")
        ]
    )
    func refused(raw: [UInt8], reason: String) async throws {
        let (forum, database) = try await makeForum()
        let before = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article") }
        await #expect {
            _ = try await forum.inject(raw: raw)
        } throws: { error in
            let message = (error as? ArticleError)?.message ?? (error as? StoreError)?.message ?? ""
            return message.contains(reason)
        }
        let count = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM article") }
        #expect(count == before)
        let group = try #require(try await database.group(named: "forllm.general"))
        #expect(group.lastNumber == 0)
    }

    @Test("a duplicate Message-ID is refused and the first article stays")
    func duplicate() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<dup@example.org>"))
        await #expect {
            _ = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<dup@example.org>"))
        } throws: { error in
            (error as? ForumError)?.code == .duplicateArticle
        }
        let group = try #require(try await database.group(named: "test.plain"))
        #expect(group.articleCount == 1)
        #expect(group.lastNumber == 1)
    }

    @Test("posting to a read-only group is refused for users")
    func readOnly() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.ro", mode: .off, postingAllowed: false, now: Date())
        await #expect(throws: ArticleError.self) {
            _ = try await forum.inject(raw: rawArticle(groups: "test.ro"))
        }
    }

    @Test("overview lines come from one range scan, with number, fields and Xref")
    func overview() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        for index in 1...5 {
            _ = try await forum.inject(
                raw: rawArticle(
                    groups: "test.plain",
                    subject: "tab\there \(index)",
                    messageID: "<ov\(index)@example.org>"
                )
            )
        }
        let page = try await database.overview(inGroup: "test.plain", range: 2...4, limit: 2)
        #expect(page.count == 2)
        #expect(page.lastNumber == 3)
        let lines = String(decoding: page.bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.count == 3 && lines[2].isEmpty)
        let fields = lines[0].split(separator: "\t", omittingEmptySubsequences: false)
        #expect(fields.count == 9)
        #expect(fields[0] == "2")
        #expect(fields[1] == "tab here 2")
        #expect(fields[4] == "<ov2@example.org>")
        #expect(fields[8] == "Xref: forllm.local test.plain:2")
        let stored = try #require(try await database.article(inGroup: "test.plain", number: 2))
        #expect(fields[6] == Substring(String(stored.bytes.count)))

        let rest = try await database.overview(inGroup: "test.plain", range: 4...Int64.max, limit: 100)
        #expect(rest.count == 2)
        #expect(rest.lastNumber == 5)
    }

    @Test("header values come from columns or the stored head")
    func headerValues() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        _ = try await forum.inject(
            raw: rawArticle(groups: "test.plain", subject: "one", extraHeaders: ["X-Custom: yes"])
        )
        _ = try await forum.inject(raw: rawArticle(groups: "test.plain", subject: "two"))
        let subjects = try await database.headerValues(
            field: "subject",
            inGroup: "test.plain",
            range: 1...10,
            limit: 10
        )
        #expect(subjects.map(\.value) == ["one", "two"])
        let custom = try await database.headerValues(field: "x-custom", inGroup: "test.plain", range: 1...10, limit: 10)
        #expect(custom.map(\.value) == ["yes", ""])
        let lines = try await database.headerValues(field: ":lines", inGroup: "test.plain", range: 1...1, limit: 10)
        #expect(lines.map(\.value) == ["1"])
    }

    @Test("HDR by range says what HDR by message-id says, for every overview field of a cross-post")
    func headerValuesFromOverview() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        try await database.createGroup(name: "test.b", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.a", messageID: "<root@example.org>"))
        _ = try await forum.inject(
            raw: rawArticle(
                groups: "test.b,test.a",
                subject: "Re: a\ttab and\r\n a fold",
                messageID: "<reply@example.org>",
                references: "<root@example.org>",
                body: "one\ntwo\nthree\n"
            )
        )
        for field in ["Subject", "from", "DATE", "message-id", "references", "xref", ":bytes", ":lines"] {
            let values = try await database.headerValues(field: field, inGroup: "test.a", range: 2...2, limit: 10)
            let byID = try #require(try await database.headerValue(field: field, messageID: "<reply@example.org>"))
            let expected = byID.value
            #expect(values.map(\.number) == [2], "\(field)")
            #expect(values.map(\.value) == [expected], "\(field)")
            #expect(!expected.isEmpty, "\(field)")
        }
        let xref = try await database.headerValues(field: "Xref", inGroup: "test.b", range: 1...1, limit: 10)
        #expect(xref.map(\.value) == ["forllm.local test.b:1 test.a:2"])
        let subjects = try await database.headerValues(field: "subject", inGroup: "test.a", range: 1...9, limit: 10)
        #expect(subjects.map(\.value) == ["Hello", "Re: a tab and a fold"])
    }

    @Test("next and previous articles skip gaps")
    func neighbours() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        try await database.createGroup(name: "test.b", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.a"))
        _ = try await forum.inject(raw: rawArticle(groups: "test.b"))
        _ = try await forum.inject(raw: rawArticle(groups: "test.a,test.b"))
        #expect(try await database.neighbour(inGroup: "test.a", of: 1, next: true)?.number == 2)
        #expect(try await database.neighbour(inGroup: "test.b", of: 2, next: false)?.number == 1)
        #expect(try await database.neighbour(inGroup: "test.b", of: 2, next: true) == nil)
    }

    @Test("a removed group comes back empty without reusing numbers; its own articles are gone")
    func removeAndRecreate() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        try await database.createGroup(name: "test.b", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.a", messageID: "<only-a@example.org>"))
        _ = try await forum.inject(raw: rawArticle(groups: "test.a,test.b", messageID: "<both@example.org>"))
        let deleted = try await database.removeGroup("test.a", now: Date())
        #expect(deleted == 1)
        #expect(try await database.group(named: "test.a") == nil)
        #expect(try await database.article(messageID: "<only-a@example.org>") == nil)
        #expect(try await database.article(messageID: "<both@example.org>") != nil)
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        let group = try #require(try await database.group(named: "test.a"))
        #expect(group.lowNumber == 3)
        #expect(group.lastNumber == 2)
        let injected = try await forum.inject(raw: rawArticle(groups: "test.a"))
        #expect(injected.numbers.first?.number == 3)
    }

    @Test("NEWNEWS sees articles by arrival time")
    func arrivals() async throws {
        let t0 = Date()
        let clock = ManualClock(date: t0)
        let (forum, database) = try await makeForum(clock: clock)
        try await database.createGroup(name: "test.plain", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<old@example.org>"))
        clock.advance(by: .seconds(60))
        _ = try await forum.inject(raw: rawArticle(groups: "test.plain", messageID: "<new@example.org>"))
        let arrived = try await database.articles(arrivedSince: t0.addingTimeInterval(30))
        #expect(arrived.map(\.messageID) == ["<new@example.org>"])
        #expect(arrived.first?.groups == ["test.plain"])
    }

    @Test("a file database keeps everything across close and reopen")
    func persistence() async throws {
        let (forum, database, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await database.createGroup(name: "test.keep", mode: .off, now: Date())
        _ = try await forum.inject(raw: rawArticle(groups: "test.keep", messageID: "<keep@example.org>"))
        try await database.close()
        let reopened = try await ForumDatabase.open(path: path)
        let group = try #require(try await reopened.group(named: "test.keep"))
        #expect(group.articleCount == 1)
        #expect(try await reopened.article(messageID: "<keep@example.org>") != nil)
        try await reopened.close()
    }
}
