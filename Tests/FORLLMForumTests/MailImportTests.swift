import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation
import MailFormat
import NewsArticle
import Testing

@Suite("Importing mail archives")
struct MailImportTests {
    /// The messages of an mbox text.
    static func messages(_ mbox: String) throws -> [[UInt8]] {
        var reader = MboxReader()
        return (try reader.read(Array(mbox.utf8)) + reader.finish()).map(\.bytes)
    }

    /// A list archive of `count` messages, every third one without a Message-ID, each a reply to
    /// the first, dated years ago.
    static func archive(count: Int) -> String {
        var text = ""
        for index in 1...count {
            text += "From user\(index)@example.org Mon Jan  1 00:00:00 2001\n"
            text += "From: User \(index) <user\(index)@example.org>\n"
            text += "Subject: \(index == 1 ? "Topic" : "Re: Topic")\n"
            text += "Date: Mon, 1 Jan 2001 00:\(String(format: "%02d", index % 60)):00 +0000\n"
            if index % 3 != 0 { text += "Message-ID: <msg\(index)@example.org>\n" }
            if index > 1 { text += "In-Reply-To: <msg1@example.org>\n" }
            text += "\nMessage number \(index).\n>From the archive.\n\n"
        }
        return text
    }

    static func storedBodies(_ database: ForumDatabase, group: String) async throws -> [String: [UInt8]] {
        var bodies: [String: [UInt8]] = [:]
        for article in try await database.articles(inGroup: group, after: 0, limit: 10_000) {
            bodies[article.messageID] = [UInt8](article.body)
        }
        return bodies
    }

    @Test("an archive is imported: dates of any age kept, threading kept, no requests, IDs derived when missing")
    func importArchive() async throws {
        let (forum, database) = try await makeForum()
        let summary = try await forum.importMail(try Self.messages(Self.archive(count: 6)), intoGroup: "forllm.general")
        #expect(summary.imported == 6)
        #expect(summary.duplicates == 0)
        #expect(summary.rejections.isEmpty)
        // forllm.general is in auto mode; imports ask nobody.
        #expect(try await database.requests().isEmpty)
        let articles = try await database.articles(inGroup: "forllm.general", after: 0, limit: 100)
        #expect(articles.map { $0.numbers[0].number } == [1, 2, 3, 4, 5, 6])
        let third = try Article(parsing: articles[2].bytes)
        #expect(third["Date"] == "Mon, 1 Jan 2001 00:03:00 +0000")
        #expect(third["References"] == "<msg1@example.org>")
        #expect(third["Newsgroups"] == "forllm.general")
        let derived = MailConversion.derivedMessageID(
            of: MailConversion.crlfNormalized(try Self.messages(Self.archive(count: 6))[2]),
            domain: "forllm.local"
        )
        #expect(articles[2].messageID == derived.value)
        #expect(articles[2].body == Data("Message number 3.\r\nFrom the archive.\r\n".utf8))
    }

    @Test("an interrupted import run again stores nothing twice, also messages without Message-ID")
    func resume() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.archive", mode: .off, now: Date())
        let messages = try Self.messages(Self.archive(count: 10))
        // The first run committed four messages before it was stopped.
        let first = try await forum.importMail(Array(messages.prefix(4)), intoGroup: "test.archive")
        #expect(first.imported == 4)
        var again = ImportSummary()
        for start in stride(from: 0, to: messages.count, by: 3) {
            again.add(
                try await forum.importMail(
                    Array(messages[start..<min(start + 3, messages.count)]),
                    intoGroup: "test.archive",
                    firstPosition: start + 1
                )
            )
        }
        #expect(again.imported == 6)
        #expect(again.duplicates == 4)
        #expect(try await database.group(named: "test.archive")?.articleCount == 10)
        // The same message twice within one archive is a duplicate too; and a Message-ID is one
        // article on the whole server, whichever group it was imported into.
        let fresh = Array("From: a@b\nSubject: no id\n\nnew\n".utf8)
        let twice = try await forum.importMail([fresh, messages[2], fresh], intoGroup: "forllm.general")
        #expect(twice.imported == 1)
        #expect(twice.duplicates == 2)
    }

    @Test("bad messages are listed with their positions; good ones around them are imported")
    func rejections() async throws {
        let (forum, _) = try await makeForum()
        let messages: [[UInt8]] = [
            Array("From: a@b\nSubject: fine\nMessage-ID: <ok1@x>\n\nbody\n".utf8),
            Array("no header here\n".utf8),
            Array("From: a@b\nSubject: cancel\nMessage-ID: <c@x>\nControl: cancel <ok1@x>\n\nx\n".utf8),
            Array("Subject: no author\nMessage-ID: <na@x>\n\nx\n".utf8),
            Array("From: a@b\nSubject: fine too\n\nbody\n".utf8)
        ]
        let summary = try await forum.importMail(messages, intoGroup: "forllm.general", firstPosition: 11)
        #expect(summary.imported == 2)
        #expect(summary.rejections.map(\.position) == [12, 13, 14])
        #expect(summary.rejections[1].reason.contains("control message"))
        #expect(summary.rejections[2].messageID == "<na@x>")
        #expect(summary.rejections[2].reason.contains("From"))
    }

    @Test("no import into forllm.personas or a group that does not exist")
    func refusedGroups() async throws {
        let (forum, _) = try await makeForum()
        let one = try Self.messages(Self.archive(count: 1))
        await #expect(throws: ForumError.self) { _ = try await forum.importMail(one, intoGroup: "forllm.personas") }
        await #expect(throws: StoreError.self) { _ = try await forum.importMail(one, intoGroup: "no.such") }
    }

    @Test("import, export as mboxrd, import into a fresh forum: the same bodies, byte for byte")
    func roundTrip() async throws {
        let (first, firstDatabase) = try await makeForum()
        var messages = try Self.messages(Self.archive(count: 5))
        messages.append(
            Array(
                """
                From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>
                Subject: =?UTF-8?B?U2F1ZXJ0ZWlnIMO8YmVyIE5hY2h0?=
                References: <msg1@example.org>
                 <msg2@example.org>
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary="b1"

                --b1\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                Grüße, 8-bit\r
                --b1--\r

                """.utf8
            )
        )
        // Edge cases of quoting and line ends in bodies.
        messages.append(
            Array("From: a@b\nSubject: q\n\nFrom start\n>From one\n>>From two\n\n\ntrailing blank lines\n\n".utf8)
        )
        let imported = try await first.importMail(messages, intoGroup: "forllm.general")
        #expect(imported.imported == messages.count)

        var mbox: [UInt8] = []
        for article in try await firstDatabase.articles(inGroup: "forllm.general", after: 0, limit: 1000) {
            MboxWriter.append(article.bytes, sender: "x@y", date: Date(timeIntervalSince1970: 0), to: &mbox)
        }
        var reader = MboxReader()
        let exported = try reader.read(mbox) + reader.finish()
        #expect(exported.count == messages.count)

        let (second, secondDatabase) = try await makeForum()
        let again = try await second.importMail(exported.map(\.bytes), intoGroup: "forllm.general")
        #expect(again.imported == messages.count)
        let before = try await Self.storedBodies(firstDatabase, group: "forllm.general")
        let after = try await Self.storedBodies(secondDatabase, group: "forllm.general")
        #expect(before.count == messages.count)
        // The one body without a final newline gains it on the way through mbox; every other
        // body is identical.
        for (id, body) in before {
            let other = try #require(after[id], "\(id) lost")
            if body.last == 10 {
                #expect(other == body, "\(id)")
            } else {
                #expect(other == body + [13, 10], "\(id)")
            }
        }
    }
}
