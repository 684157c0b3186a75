import FORLLMApp
import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import NewsArticle
import Testing

/// The exchange a mail user has with the forum, end to end: the application serving with
/// `mail.maildir` set and a loopback Ollama stub; a question mailed to the group through the
/// real `forllm sendmail`; its persona's answer arriving in the group's Maildir `new/`; a reply
/// to that answer built as mutt builds one, piped into `forllm sendmail -t`; the persona asked
/// again and answering in the same thread, into the Maildir too.
@Suite("A mail user's exchange: Maildir, a reply through forllm sendmail, notmuch", .endToEnd)
struct MailUserFlowTests {
    static let notmuch = findProgram("notmuch")

    /// What one run of the exchange left behind.
    struct Exchange {
        let directory: TestDirectory
        /// The group's Maildir (plain layout).
        let maildir: String
        let question: String
        let firstAnswer: String
        let reply: String
        let secondAnswer: String
    }

    /// A message in a Maildir, read back: the LF file parsed as the article it holds.
    static func mail(_ maildir: String, _ name: String) throws -> Article {
        let text = try String(contentsOfFile: maildir + "/new/" + name, encoding: .utf8)
        #expect(!text.contains("\r"), "a Maildir file has LF line ends")
        return try Article(parsing: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    /// The `References` entries of `article`, in order.
    static func references(_ article: Article) -> [String] {
        Threading.parseReferences(article["References"] ?? "").map(\.value)
    }

    /// An RFC 5322 date of now, as mutt writes it.
    static func rfc5322Now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date())
    }

    /// The reply mutt (and neomutt) writes to `answer` on `r`, with `edit_headers` and its
    /// defaults: to the answer's `From` (no `Reply-To`, no `Mail-Followup-To` in it), the
    /// answer's `References` plus its Message-ID, `In-Reply-To`, `Subject: Re: ...` (not
    /// doubled), no `Newsgroups`, the MIME headers mutt always adds, the answer quoted, and
    /// LF line ends as mutt pipes a message to `$sendmail`.
    static func muttReply(to answer: Article, messageID: String, text: String) throws -> String {
        let answerID = try #require(answer["Message-ID"])
        let subject = try #require(answer["Subject"])
        let quoted = String(decoding: answer.body, as: UTF8.self)
            .replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast()
            .map { $0.isEmpty ? ">" : "> " + $0 }
        let author = try Mailbox(parsing: try #require(answer["From"]))
        return
            ([
                "Date: \(Self.rfc5322Now())",
                "From: Jane Doe <jane@example.org>",
                "To: \(try #require(answer["From"]))",
                "Subject: \(subject.hasPrefix("Re: ") ? subject : "Re: " + subject)",
                "Message-ID: \(messageID)",
                "References: \((Self.references(answer) + [answerID]).joined(separator: " "))",
                "In-Reply-To: \(answerID)",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=us-ascii",
                "Content-Disposition: inline",
                "User-Agent: NeoMutt/20220429",
                "",
                "On \(Self.rfc5322Now()), \(author.displayName ?? author.address) wrote:"
            ] + quoted + ["", text, ""]).joined(separator: "\n")
    }

    /// Waits until the request queued for the article `messageID` is done; returns it.
    static func answered(_ app: RunningApp, _ messageID: String) async throws -> ReplyRequest {
        let id = try await app.waitFor("a request for \(messageID)") { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM request WHERE message_id = ?", arguments: [messageID])
        }
        return try await app.waitForRequest(id)
    }

    /// Runs the exchange; the caller cleans up `directory`.
    static func exchange(in directory: TestDirectory) async throws -> Exchange {
        // What `forllm sendmail` reads besides --database: mail is on, as for the server (a
        // process with mail off stores the reply but queues no copy of it for the Maildir).
        let root = directory.path + "/Mail"
        let config = directory.path + "/forllm.yaml"
        try "mail:\n  maildir: \(root)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let maildir = root + "/forllm.general"
        return try await LLMStubServer(.ollama).run { stub in
            var configuration = MailDeliveryTests.configuration(directory, backend: await stub.baseURL)
            // The deliverer and the worker notice what another process stored at this pace.
            configuration.mailDelivery.pollInterval = .milliseconds(100)
            configuration.worker.pollInterval = .milliseconds(100)
            let app = try await RunningApp.start(configuration)

            // 1. A new mail to the group, as mutt sends one: recipients on the command line.
            let question = "<sourdough.1@example.org>"
            let posted = try await ForLLMProcess.run(
                [
                    "sendmail", "--database", directory.databasePath, "--config", config, "-oem", "-oi", "--",
                    "forllm.general@forllm.local"
                ],
                in: directory,
                input: """
                    Date: \(Self.rfc5322Now())
                    From: Jane Doe <jane@example.org>
                    To: forllm.general@forllm.local
                    Subject: Sourdough starter
                    Message-ID: \(question)
                    MIME-Version: 1.0
                    Content-Type: text/plain; charset=us-ascii
                    Content-Disposition: inline
                    User-Agent: NeoMutt/20220429

                    How often should I feed it?

                    """
            )
            try #require(posted.status == 0, "forllm sendmail: \(posted.stderr)")
            #expect(posted.stderr.isEmpty)
            _ = try await MailDeliveryTests.waitForDelivery(app, question)

            // 2. Its answer arrives in new/, from the persona's address, threaded under it.
            let first = try await Self.answered(app, question)
            #expect(first.personaHandle == "assistant")
            let firstAnswer = try #require(first.answerMessageID)
            let answer = try Self.mail(maildir, try await MailDeliveryTests.waitForDelivery(app, firstAnswer))
            #expect(answer["From"] == "Assistant <assistant@personas.forllm.local>")
            #expect(answer["In-Reply-To"] == question)
            #expect(Self.references(answer) == [question])
            #expect(answer["List-Post"] == "<mailto:forllm.general@forllm.local>")
            #expect(answer["Reply-To"] == nil && answer["Mail-Followup-To"] == nil, "r must reach the persona")

            // 3. The reply, as mutt writes it on `r`, through `forllm sendmail -t`.
            let reply = "<sourdough.2@example.org>"
            let mail = try Self.muttReply(to: answer, messageID: reply, text: "And how warm should it be?")
            #expect(!mail.contains("\r") && !mail.contains("Newsgroups:"))
            let sent = try await ForLLMProcess.run(
                ["sendmail", "-t", "--database", directory.databasePath, "--config", config, "-oem", "-oi"],
                in: directory,
                input: mail
            )
            #expect(sent.status == 0, "forllm sendmail -t: \(sent.stderr)")
            #expect(sent.stderr.isEmpty)
            let stored = try #require(try await app.database.article(messageID: reply))
            let article = try Article(parsing: stored.bytes)
            #expect(article["Newsgroups"] == "forllm.general")
            #expect(article["X-FORLLM-Request"] == "assistant")
            #expect(Self.references(article) == [question, firstAnswer])
            #expect(article["To"] == "Assistant <assistant@personas.forllm.local>")
            _ = try await MailDeliveryTests.waitForDelivery(app, reply)

            // 4. The same persona is asked again, with the reply in what it reads, and answers
            // in the same thread: References root, first answer, reply.
            let second = try await Self.answered(app, reply)
            #expect(second.personaHandle == "assistant")
            #expect(second.groupName == "forllm.general")
            let chats = await stub.chatRequests
            #expect(chats.count == 2)
            #expect(chats.last?.messages.contains { $0.content.contains("And how warm should it be?") } == true)
            let secondAnswer = try #require(second.answerMessageID)
            let again = try Self.mail(maildir, try await MailDeliveryTests.waitForDelivery(app, secondAnswer))
            #expect(again["From"] == "Assistant <assistant@personas.forllm.local>")
            #expect(again["Subject"] == "Re: Sourdough starter")
            #expect(again["In-Reply-To"] == reply)
            #expect(Self.references(again) == [question, firstAnswer, reply])

            // The group's Maildir holds the exchange and nothing else, all in new/.
            let names = MailDeliveryTests.files(maildir, "new")
            let ids = try Set(names.map { try #require(try Self.mail(maildir, $0)["Message-ID"]) })
            #expect(ids == [question, firstAnswer, reply, secondAnswer])
            #expect(MailDeliveryTests.files(maildir, "tmp").isEmpty)
            try await app.stop()
            return Exchange(
                directory: directory,
                maildir: maildir,
                question: question,
                firstAnswer: firstAnswer,
                reply: reply,
                secondAnswer: secondAnswer
            )
        }
    }

    @Test("a question mailed to the group, its answer in new/, a mutt reply asking the persona again, its answer")
    func exchange() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        _ = try await Self.exchange(in: directory)
    }

    @Test(
        "notmuch indexing the Maildir shows the exchange as one thread, each message under the one it replies to",
        .enabled(
            if: Self.notmuch != nil,
            "notmuch is not installed (Debian: notmuch); the Maildir is not checked with it"
        )
    )
    func notmuchThread() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let exchange = try await Self.exchange(in: directory)
        let notmuch = try #require(Self.notmuch)
        let config = directory.path + "/notmuch-config"
        try """
        [database]
        path=\(directory.path)/Mail
        [user]
        name=Jane Doe
        primary_email=jane@example.org
        [new]
        tags=unread;inbox;
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["NOTMUCH_CONFIG": config, "HOME": directory.path]
        let indexed = try await runProgram(notmuch, ["new"], environment: environment)
        try #require(indexed.status == 0, "notmuch new: \(indexed.stderr)")

        let threads = try await runProgram(
            notmuch,
            ["search", "--format=json", "--output=threads", "folder:forllm.general"],
            environment: environment
        )
        try #require(threads.status == 0, "notmuch search: \(threads.stderr)")
        let threadIDs = try #require(try JSONSerialization.jsonObject(with: Data(threads.stdout.utf8)) as? [String])
        #expect(threadIDs.count == 1, "one thread in the group's folder: \(threads.stdout)")

        // The thread as notmuch nests it: [[message, [replies]]...], each message's id bare.
        let shown = try await runProgram(
            notmuch,
            [
                "show", "--format=json", "--entire-thread=true", "--body=false",
                "thread:\(try #require(threadIDs.first))"
            ],
            environment: environment
        )
        try #require(shown.status == 0, "notmuch show: \(shown.stderr)")
        let forest = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[Any]])
        var parents: [String: String] = [:]
        var roots: [String] = []
        func walk(_ node: Any, parent: String?) {
            guard let node = node as? [Any], node.count == 2,
                let message = node[0] as? [String: Any], let id = message["id"] as? String
            else { return }
            if let parent { parents[id] = parent } else { roots.append(id) }
            for child in node[1] as? [Any] ?? [] { walk(child, parent: id) }
        }
        for thread in forest { for node in thread { walk(node, parent: nil) } }
        func bare(_ id: String) -> String { String(id.dropFirst().dropLast()) }
        #expect(roots == [bare(exchange.question)])
        #expect(
            parents == [
                bare(exchange.firstAnswer): bare(exchange.question),
                bare(exchange.reply): bare(exchange.firstAnswer),
                bare(exchange.secondAnswer): bare(exchange.reply)
            ]
        )
    }
}
