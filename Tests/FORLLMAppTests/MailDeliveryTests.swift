import FORLLMApp
import FORLLMForum
@testable import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import Logging
import Maildir
import Synchronization
import Testing

/// The Maildir side of the gateway, in process: the real service group over a real SQLite
/// file and a real Maildir in a temporary directory.
@Suite("Mail delivery", .endToEnd)
struct MailDeliveryTests {
    /// The test configuration with mail on, delivering to `directory/Mail`.
    static func configuration(
        _ directory: TestDirectory,
        backend url: String,
        layout: MaildirLayout = .plain
    ) -> FORLLMConfiguration {
        var configuration = RunningApp.configuration(directory: directory, backends: [("ollama", .ollama, url)])
        configuration.mailDelivery.maildir = directory.path + "/Mail"
        configuration.mailDelivery.layout = layout
        return configuration
    }

    /// Waits (a GRDB observation, no polling) until the copy of `messageID` in `group` has
    /// reached `state`; returns its file name.
    static func waitForDelivery(
        _ app: RunningApp,
        _ messageID: String,
        group: String = "forllm.general",
        state: String = "delivered"
    ) async throws -> String {
        try await app.waitFor("\(messageID) \(state) in \(group)") { db in
            try String.fetchOne(
                db,
                sql: "SELECT file_name FROM delivery WHERE message_id = ? AND group_name = ? AND state = ?",
                arguments: [messageID, group, state]
            )
        }
    }

    /// The files in `directory` of a Maildir.
    static func files(_ maildir: String, _ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + directory)) ?? []).sorted()
    }

    /// A Maildir file read back as the CRLF message it was written from.
    static func message(at path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// `message` without the three header lines delivery adds.
    static func withoutAddedHeaders(_ message: String) -> String {
        message.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("In-Reply-To: ") && !$0.hasPrefix("List-Id: ") && !$0.hasPrefix("List-Post: ") }
            .joined(separator: "\r\n")
    }

    @Test("a post and its persona answer land in new/, the article byte for byte plus In-Reply-To and List headers")
    func postAndAnswer() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(Self.configuration(directory, backend: await stub.baseURL))
            let client = try await app.connect()
            let question = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: Sourdough starter
                Message-ID: <starter@example.org>

                How often should I feed it?
                """
            #expect(try await client.postArticle(question).code == 240)
            let maildir = directory.path + "/Mail/forllm.general"
            let name = try await Self.waitForDelivery(app, "<starter@example.org>")
            #expect(Self.files(maildir, "new") == [name].sorted() || Self.files(maildir, "new").contains(name))
            #expect(MaildirUniqueName(fileName: name) != nil)
            let copy = try Self.message(at: maildir + "/new/" + name)
            let stored = try #require(try await app.database.article(messageID: "<starter@example.org>"))
            #expect(Self.withoutAddedHeaders(copy) == String(decoding: stored.bytes, as: UTF8.self))
            #expect(copy.contains("\r\nList-Id: <forllm.general.forllm.local>\r\n"))
            #expect(copy.contains("\r\nList-Post: <mailto:forllm.general@forllm.local>\r\n\r\n"))
            #expect(!copy.contains("In-Reply-To:"))
            #expect(copy.contains("\r\nXref: forllm.local forllm.general:"))

            // The answer: queued by the post, written by the worker, delivered by the deliverer.
            let request = try #require(try await app.database.requests().first)
            let done = try await app.waitForRequest(request.id)
            let answerID = try #require(done.answerMessageID)
            let answerName = try await Self.waitForDelivery(app, answerID)
            let answer = try Self.message(at: maildir + "/new/" + answerName)
            let storedAnswer = try #require(try await app.database.article(messageID: answerID))
            #expect(Self.withoutAddedHeaders(answer) == String(decoding: storedAnswer.bytes, as: UTF8.self))
            #expect(answer.contains("\r\nIn-Reply-To: <starter@example.org>\r\n"))
            #expect(answer.contains("\r\nFrom: Assistant <assistant@personas.forllm.local>\r\n"))
            #expect(Self.files(maildir, "tmp").isEmpty)
            #expect(Self.files(maildir, "new").count == 2)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("a cancel removes the copy after the reader moved it to cur/ and flagged it seen")
    func cancelFromCur() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(Self.configuration(directory, backend: await stub.baseURL))
            let client = try await app.connect()
            for index in 1...2 {
                let post = """
                    From: Jane Doe <jane@example.org>
                    Newsgroups: forllm.general
                    Subject: Post \(index)
                    Message-ID: <cancel.\(index)@example.org>
                    X-FORLLM-Request: none

                    Text \(index).
                    """
                #expect(try await client.postArticle(post).code == 240)
            }
            let maildir = directory.path + "/Mail/forllm.general"
            let name = try await Self.waitForDelivery(app, "<cancel.1@example.org>")
            let kept = try await Self.waitForDelivery(app, "<cancel.2@example.org>")
            // What mutt does on reading: new/NAME becomes cur/NAME:2,S.
            try FileManager.default.moveItem(
                atPath: maildir + "/new/" + name,
                toPath: maildir + "/cur/" + name + ":2,S"
            )

            let cancel = """
                From: Jane Doe <jane@example.org>
                Newsgroups: forllm.general
                Subject: cmsg cancel <cancel.1@example.org>
                Control: cancel <cancel.1@example.org>

                Cancelled.
                """
            #expect(try await client.postArticle(cancel).code == 240)
            _ = try await Self.waitForDelivery(app, "<cancel.1@example.org>", state: "removed")
            #expect(Self.files(maildir, "cur").isEmpty)
            #expect(Self.files(maildir, "new") == [kept])
            #expect(Self.files(maildir, "tmp").isEmpty)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("latency, stored to new/: 100 posts and their 100 answers, one after the other")
    func latency() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            let app = try await RunningApp.start(Self.configuration(directory, backend: await stub.baseURL))
            let client = try await app.connect()
            let count = 100
            // One at a time: the post, then its answer, each awaited in the Maildir, so that
            // what is measured is the way from the commit to new/, not a queue of copies.
            for index in 0..<count {
                let post =
                    "From: Jane <jane@example.org>\nNewsgroups: forllm.general\nSubject: Q\(index)\n"
                    + "Message-ID: <lat.\(index)@example.org>\n\nQuestion \(index)?\n"
                #expect(try await client.postArticle(post).code == 240)
                _ = try await app.waitFor("copies of question \(index) and its answer") { db in
                    let delivered =
                        try Int.fetchOne(
                            db,
                            sql:
                                "SELECT COUNT(*) FROM delivery WHERE state = 'delivered' AND group_name = 'forllm.general'"
                        ) ?? 0
                    return delivered >= 2 * (index + 1) ? delivered : nil
                }
            }
            let rows = try await app.database.writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT d.delivered_at - a.arrived_at AS latency, a.author_persona_id IS NOT NULL AS answer
                        FROM delivery d JOIN article a ON a.id = d.article_id
                        WHERE d.state = 'delivered' AND d.group_name = 'forllm.general'
                        """
                ).map { (latency: $0["latency"] as Double, answer: $0["answer"] as Bool) }
            }
            #expect(rows.count == 2 * count)
            func percentiles(_ values: [Double]) -> (p50: Double, p99: Double) {
                let sorted = values.sorted()
                return (
                    sorted[sorted.count / 2] * 1000,
                    sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)] * 1000
                )
            }
            let all = percentiles(rows.map(\.latency))
            let answers = percentiles(rows.filter(\.answer).map(\.latency))
            let posts = percentiles(rows.filter { !$0.answer }.map(\.latency))
            func milliseconds(_ value: Double) -> String { String(format: "%.1f", value) }
            print(
                "mail delivery latency, stored → new/ (ms, debug build): all p50 \(milliseconds(all.p50)) "
                    + "p99 \(milliseconds(all.p99)); answers p50 \(milliseconds(answers.p50)) "
                    + "p99 \(milliseconds(answers.p99)); posts p50 \(milliseconds(posts.p50)) p99 \(milliseconds(posts.p99))"
            )
            // Woken by the commit, not by the poll (every 2 s): the median is far below the poll.
            #expect(all.p50 < 250)
            #expect(Self.files(directory.path + "/Mail/forllm.general", "new").count == 2 * count)
            try await client.close()
            try await app.stop()
        }
    }

    @Test("a backlog goes in growing batches, each synced once: each copy in new/ once, none in tmp/")
    func backlog() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        var configuration = FORLLMConfiguration()
        configuration.mailDelivery.maildir = directory.path + "/Mail"
        configuration.mailDelivery.batchSize = 4
        let forum = try await Forum.open(path: directory.databasePath, configuration: configuration.forumConfiguration)
        let count = 50
        for index in 0..<count {
            _ = try await forum.inject(
                raw: Array(
                    ("From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: B\(index)\r\n"
                        + "Message-ID: <backlog.\(index)@example.org>\r\nX-FORLLM-Request: none\r\n\r\n"
                        + "Body \(index)\r\n").utf8
                )
            )
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let deliverer = try #require(MailDeliverer(configuration.mailDelivery, forum: forum, logger: logger))
        let progress = Mutex<[Int]>([])
        let summary = try await deliverer.deliverDue(groups: ["forllm.general"]) { summary in
            progress.withLock { $0.append(summary.delivered) }
        }
        #expect(summary.delivered == count)
        #expect(summary.failed == 0)
        // 4, then twice the last while claims come back full: 8, 16 (one sync of the file
        // system from 16 copies on), then the 22 left.
        #expect(progress.withLock { $0 } == [4, 12, 28, 50])
        let maildir = directory.path + "/Mail/forllm.general"
        let files = Self.files(maildir, "new")
        #expect(files.count == count)
        #expect(Self.files(maildir, "tmp").isEmpty)
        var bodies: Set<String> = []
        for file in files {
            let message = try Self.message(at: maildir + "/new/" + file)
            bodies.insert(String(message.split(separator: "\r\n\r\n", maxSplits: 1).last ?? ""))
        }
        #expect(bodies == Set((0..<count).map { "Body \($0)\r\n" }))
        #expect(try await forum.database.deliveryStatus().first?.delivered == count)
        #expect(try await deliverer.deliverDue(groups: ["forllm.general"]) == MailDeliverer.Summary())
        try await forum.close()
    }

    @Test("while the server runs, an article another process stored without mail configuration reaches new/")
    func serverDeliversWhatAnotherProcessStored() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        try await LLMStubServer(.ollama).run { stub in
            var configuration = Self.configuration(directory, backend: await stub.baseURL)
            configuration.mailDelivery.pollInterval = .milliseconds(50)
            let app = try await RunningApp.start(configuration)
            // The deliverer has looked at the group once: what is stored from now on is new.
            _ = try await app.waitFor("the deliverer's first pass") { db in
                try Int64.fetchOne(
                    db,
                    sql: "SELECT delivered_through FROM newsgroup WHERE name = 'forllm.general'"
                )
            }
            // `forllm post --database` without a configuration file: no mail, no delivery row.
            let cli = try await Forum.open(
                path: directory.databasePath,
                configuration: FORLLMConfiguration().forumConfiguration
            )
            _ = try await cli.inject(
                raw: Array(
                    ("From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: From the CLI\r\n"
                        + "Message-ID: <cli@example.org>\r\nX-FORLLM-Request: none\r\n\r\nPosted by a CLI.\r\n").utf8
                )
            )
            try await cli.close()
            let name = try await Self.waitForDelivery(app, "<cli@example.org>")
            let message = try Self.message(at: directory.path + "/Mail/forllm.general/new/" + name)
            #expect(message.contains("Subject: From the CLI\r\n"))
            try await app.stop()
        }
    }

    @Test("articles a process without the mail configuration stored are delivered; those from before mail are not")
    func articlesStoredWithoutMail() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        func article(_ tag: String, groups: String = "forllm.general") -> [UInt8] {
            Array(
                ("From: Jane <jane@example.org>\r\nNewsgroups: \(groups)\r\nSubject: \(tag)\r\n"
                    + "Message-ID: <\(tag)@example.org>\r\nX-FORLLM-Request: none\r\n\r\nBody \(tag)\r\n").utf8
            )
        }
        // `forllm post` with no mail configuration: no delivery is queued.
        let withoutMail = try await Forum.open(
            path: directory.databasePath,
            configuration: FORLLMConfiguration().forumConfiguration
        )
        try await withoutMail.database.createGroup(name: "forllm.misc", mode: .off, now: Date())
        _ = try await withoutMail.inject(raw: article("before.1"))
        _ = try await withoutMail.inject(raw: article("before.2"))
        var configuration = FORLLMConfiguration()
        configuration.mailDelivery.maildir = directory.path + "/Mail"
        configuration.mailDelivery.groups = "forllm.general"
        let forum = try await Forum.open(path: directory.databasePath, configuration: configuration.forumConfiguration)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let deliverer = try #require(MailDeliverer(configuration.mailDelivery, forum: forum, logger: logger))
        // Mail is new for the group: what was there is left to `forllm mail sync`.
        #expect(try await deliverer.queueUnqueued() == 0)
        #expect(try await deliverer.deliverDue() == MailDeliverer.Summary())

        _ = try await withoutMail.inject(raw: article("after.1"))
        _ = try await withoutMail.inject(raw: article("after.2", groups: "forllm.general,forllm.misc"))
        _ = try await withoutMail.inject(raw: article("elsewhere", groups: "forllm.misc"))
        #expect(try await deliverer.queueUnqueued() == 2)
        #expect(try await deliverer.queueUnqueued() == 0)
        #expect(try await deliverer.deliverDue().delivered == 2)
        let maildir = directory.path + "/Mail/forllm.general"
        let subjects = try Self.files(maildir, "new").map { file in
            try Self.message(at: maildir + "/new/" + file).split(separator: "\r\n")
                .first { $0.hasPrefix("Subject: ") }.map(String.init) ?? ""
        }
        #expect(subjects.sorted() == ["Subject: after.1", "Subject: after.2"])
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/Mail/forllm.misc"))

        // The server's own posts queue their copies in their transaction; the pass finds
        // nothing more to queue, and nothing is delivered twice.
        _ = try await forum.inject(raw: article("served"))
        #expect(try await deliverer.queueUnqueued() == 0)
        #expect(try await deliverer.deliverDue().delivered == 1)

        // Delivery off for the group (another mail.groups): the mark goes; on again, it starts
        // afresh from the last article, not from where it stood.
        var other = configuration
        other.mailDelivery.groups = "forllm.misc"
        let otherForum = try await Forum.open(path: directory.databasePath, configuration: other.forumConfiguration)
        let otherDeliverer = try #require(MailDeliverer(other.mailDelivery, forum: otherForum, logger: logger))
        #expect(try await otherDeliverer.queueUnqueued() == 0)
        try await otherForum.close()
        _ = try await withoutMail.inject(raw: article("while.off"))
        #expect(try await deliverer.queueUnqueued() == 0)
        #expect(try await deliverer.deliverDue() == MailDeliverer.Summary())
        #expect(Self.files(maildir, "new").count == 3)
        try await withoutMail.close()
        try await forum.close()
    }

    @Test(
        "a delivery interrupted after the rename (kill -9) is recorded, not written again; one cut before it is written"
    )
    func interruptedDelivery() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        var configuration = FORLLMConfiguration()
        configuration.mailDelivery.maildir = directory.path + "/Mail"
        let forum = try await Forum.open(path: directory.databasePath, configuration: configuration.forumConfiguration)
        for index in 1...2 {
            _ = try await forum.inject(
                raw: Array(
                    ("From: Jane <jane@example.org>\r\nNewsgroups: forllm.general\r\nSubject: S\(index)\r\n"
                        + "Message-ID: <cut.\(index)@example.org>\r\nX-FORLLM-Request: none\r\n\r\nBody \(index)\r\n")
                        .utf8
                )
            )
        }
        // A deliverer that dies: it claims both, renames the first into new/ and leaves half of
        // the second in tmp/, then records nothing.
        let tree = try #require(configuration.mailDelivery.tree)
        let maildir = try tree.createFolder("forllm.general")
        let claimed = try await forum.database.claimDeliveries(
            now: Date(),
            lease: 60,
            limit: 10,
            groups: ["forllm.general"]
        ) { id, now in
            MaildirUniqueName.make(sequence: id, at: now.timeIntervalSince1970).description
        }
        try #require(claimed.count == 2)
        guard case .deliver(let head, let body, let references) = claimed[0].kind else {
            Issue.record("expected a delivery")
            return
        }
        try maildir.deliver(
            forum.mailCopy(head: head, body: body, references: references, group: "forllm.general"),
            as: claimed[0].fileName
        )
        try "From: Jane <jane@exa".write(
            toFile: maildir.path + "/tmp/" + claimed[1].fileName,
            atomically: false,
            encoding: .utf8
        )
        // The reader saw the first one meanwhile.
        try FileManager.default.moveItem(
            atPath: maildir.path + "/new/" + claimed[0].fileName,
            toPath: maildir.path + "/cur/" + claimed[0].fileName + ":2,S"
        )

        // The next start: claims released, the first found in cur/, the second written whole.
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let deliverer = try #require(MailDeliverer(configuration.mailDelivery, forum: forum, logger: logger))
        #expect(try await forum.database.releaseDeliveryClaims() == 2)
        let summary = try await deliverer.deliverDue(groups: ["forllm.general"])
        #expect(summary.recovered == 1)
        #expect(summary.delivered == 1)
        #expect(Self.files(maildir.path, "cur") == [claimed[0].fileName + ":2,S"])
        #expect(Self.files(maildir.path, "new") == [claimed[1].fileName])
        #expect(Self.files(maildir.path, "tmp").isEmpty)
        #expect(try Self.message(at: maildir.path + "/new/" + claimed[1].fileName).contains("\r\n\r\nBody 2\r\n"))
        #expect(try await forum.database.deliveryStatus().first?.delivered == 2)
        // Nothing left to do, nothing written twice.
        #expect(try await deliverer.deliverDue(groups: ["forllm.general"]) == MailDeliverer.Summary())
        try await forum.close()
    }
}
