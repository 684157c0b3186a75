import FORLLMForum
import FORLLMStore
import FORLLMTestSupport
import Foundation
import NewsArticle
import Testing

@Suite("Posting by mail")
struct MailSubmissionTests {
    /// A mail as a mail client writes it (LF lines).
    static func mail(
        to: String = "forllm.general@forllm.local",
        subject: String = "By mail",
        messageID: String? = nil,
        inReplyTo: String? = nil,
        references: String? = nil,
        extra: [String] = [],
        body: String = "Hello from mutt.\n"
    ) -> [UInt8] {
        var lines = ["From: Jane <jane@example.org>", "To: \(to)", "Subject: \(subject)"]
        if let messageID { lines.append("Message-ID: \(messageID)") }
        if let inReplyTo { lines.append("In-Reply-To: \(inReplyTo)") }
        if let references { lines.append("References: \(references)") }
        lines += extra
        return Array((lines.joined(separator: "\n") + "\n\n" + body).utf8)
    }

    static func code(of body: () async throws -> Void) async -> MailSubmissionError.Code? {
        do {
            try await body()
            return nil
        } catch let error as MailSubmissionError {
            return error.code
        } catch {
            Issue.record("not a MailSubmissionError: \(error)")
            return nil
        }
    }

    @Test("GROUP@HOSTNAME posts to the group: Newsgroups set, Bcc dropped, In-Reply-To folded, CRLF")
    func groupAddress() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.mail", mode: .request, now: Date())
        let parent = try await forum.inject(raw: rawArticle(groups: "test.mail", messageID: "<p@example.org>"))
        let injected = try await forum.submitMail(
            Self.mail(
                messageID: "<m1@example.org>",
                inReplyTo: "<p@example.org>",
                extra: ["Bcc: hidden@example.org", "Received: from x by y", "Content-Type: text/plain; charset=utf-8"]
            ),
            recipients: ["Test list <test.mail@FORLLM.local>"]
        )
        #expect(injected.messageID.value == "<m1@example.org>")
        #expect(injected.numbers == [GroupNumber(group: "test.mail", number: 2)])
        #expect(injected.requestIDs.isEmpty)
        let stored = try #require(try await database.article(messageID: "<m1@example.org>"))
        let article = try Article(parsing: stored.bytes)
        #expect(article["Newsgroups"] == "test.mail")
        #expect(article["Bcc"] == nil)
        #expect(article["Received"] == nil)
        #expect(article["References"] == parent.messageID.value)
        #expect(article["Content-Type"] == "text/plain; charset=utf-8")
        #expect(article.body == Array("Hello from mutt.\r\n".utf8))
    }

    @Test("a persona address in a replied-to thread queues a request for that persona in the thread's group")
    func personaAddress() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.kitchen", mode: .request, now: Date())
        let chef = try await forum.createPersona(name: "Chef Anna", handle: "chef", instructions: "Cook.", by: "test")
        let root = try await forum.inject(raw: rawArticle(groups: "test.kitchen", messageID: "<root@example.org>"))
        #expect(root.requestIDs.isEmpty)

        let reply = try await forum.submitMail(
            Self.mail(
                to: "Chef Anna <chef@personas.forllm.local>",
                subject: "Re: Hello",
                inReplyTo: "<root@example.org>",
                references: "<root@example.org>"
            ),
            recipients: ["chef@personas.forllm.local"]
        )
        #expect(reply.numbers.map(\.group) == ["test.kitchen"])
        #expect(reply.requestIDs.count == 1)
        let request = try await database.request(id: try #require(reply.requestIDs.first))
        #expect(request.personaID == chef.id)
        #expect(request.groupName == "test.kitchen")
        #expect(request.messageID == reply.messageID.value)
        let stored = try Article(
            parsing: try #require(try await database.article(messageID: reply.messageID.value)).bytes
        )
        #expect(stored[ForumRequest.headerName] == "chef")
        #expect(stored["Newsgroups"] == "test.kitchen")

        // A header naming another persona keeps it and gains the one addressed; parameters stay.
        let both = try await forum.submitMail(
            Self.mail(
                to: "chef@personas.forllm.local",
                subject: "Re: Hello",
                inReplyTo: "<root@example.org>",
                extra: ["X-FORLLM-Request: assistant; model=qwen2.5"]
            ),
            recipients: ["chef@personas.forllm.local"]
        )
        #expect(both.requestIDs.count == 2)
        let models = try await both.requestIDs.asyncMap { try await database.request(id: $0).requestedModel }
        #expect(models == ["qwen2.5", "qwen2.5"])
    }

    @Test("a persona address without a reference, or replying to an unknown article, is refused")
    func personaWithoutThread() async throws {
        let (forum, database) = try await makeForum()
        #expect(
            await Self.code {
                _ = try await forum.submitMail(Self.mail(to: "x"), recipients: ["assistant@personas.forllm.local"])
            } == .invalidArticle
        )
        #expect(
            await Self.code {
                _ = try await forum.submitMail(
                    Self.mail(inReplyTo: "<gone@example.org>"),
                    recipients: ["assistant@personas.forllm.local"]
                )
            } == .invalidArticle
        )
        // With a group as well, no thread is needed: the persona answers there.
        try await database.createGroup(name: "test.req", mode: .request, now: Date())
        let posted = try await forum.submitMail(
            Self.mail(),
            recipients: ["test.req@forllm.local", "assistant@personas.forllm.local"]
        )
        #expect(posted.requestIDs.count == 1)
        #expect(try await database.group(named: "test.req")?.articleCount == 1)
    }

    @Test("a Newsgroups header routes without recipients; recipient groups are added to it")
    func newsgroupsHeader() async throws {
        let (forum, database) = try await makeForum()
        try await database.createGroup(name: "test.a", mode: .off, now: Date())
        try await database.createGroup(name: "test.b", mode: .off, now: Date())
        let alone = try await forum.submitMail(Self.mail(extra: ["Newsgroups: test.a"]), recipients: [])
        #expect(alone.numbers.map(\.group) == ["test.a"])
        let both = try await forum.submitMail(
            Self.mail(extra: ["Newsgroups: test.a"]),
            recipients: ["test.b@forllm.local", "test.a@forllm.local"]
        )
        #expect(both.numbers.map(\.group) == ["test.a", "test.b"])
        let stored = try Article(
            parsing: try #require(try await database.article(messageID: both.messageID.value)).bytes
        )
        #expect(stored.values(named: "Newsgroups") == ["test.a,test.b"])
    }

    @Test("unknown addresses, unknown groups and retired handles are unknownAddress; nothing is stored")
    func unknownAddresses() async throws {
        let (forum, database) = try await makeForum()
        for recipients in [
            ["jane@example.org"],
            ["forllm.general@forllm.local", "friend@example.org"],
            ["no.such.group@forllm.local"],
            ["nobody@personas.forllm.local"],
            ["not an address"]
        ] {
            #expect(
                await Self.code { _ = try await forum.submitMail(Self.mail(), recipients: recipients) }
                    == .unknownAddress,
                "\(recipients)"
            )
        }
        #expect(try await database.group(named: "forllm.general")?.articleCount == 0)
        #expect(await Self.code { _ = try await forum.submitMail(Self.mail(), recipients: []) } == .noRecipients)
    }

    @Test("a reply to a notice or persona card (to FORLLM's own address) is refused, saying where to write instead")
    func replyToSystemAddress() async throws {
        let (forum, database) = try await makeForum()
        // What mutt's `r` on a persona card in forllm.personas writes: To its From.
        let reply = Self.mail(to: "FORLLM <forllm@forllm.local>", subject: "Re: Assistant (@assistant)")
        do {
            _ = try await forum.submitMail(reply, recipients: ["forllm@forllm.local"])
            Issue.record("a mail to FORLLM's own address was stored")
        } catch let error as MailSubmissionError {
            #expect(error.code == .unknownAddress)
            #expect(
                error.message
                    == "forllm@forllm.local is FORLLM's own address (notices, persona cards) and takes no mail: "
                    + "reply to the group (GROUP@forllm.local, a list-reply) "
                    + "or ask a persona at HANDLE@personas.forllm.local"
            )
        }
        #expect(try await database.group(named: "forllm.general")?.articleCount == 0)
    }

    @Test("an invalid article is invalidArticle with the validation's reason; From from the envelope when missing")
    func invalidArticles() async throws {
        let (forum, database) = try await makeForum()
        let noFrom = Array("To: forllm.general@forllm.local\nSubject: s\n\nb\n".utf8)
        #expect(
            await Self.code { _ = try await forum.submitMail(noFrom, recipients: ["forllm.general@forllm.local"]) }
                == .invalidArticle
        )
        let posted = try await forum.submitMail(
            noFrom,
            recipients: ["forllm.general@forllm.local"],
            envelopeSender: "jane@example.org"
        )
        let stored = try Article(
            parsing: try #require(try await database.article(messageID: posted.messageID.value)).bytes
        )
        #expect(stored["From"] == "jane@example.org")

        do {
            _ = try await forum.submitMail(Array("garbage\n".utf8), recipients: ["forllm.general@forllm.local"])
            Issue.record("garbage was accepted")
        } catch let error as MailSubmissionError {
            #expect(error.code == .invalidArticle)
            #expect(error.message.contains("not a valid article"))
        }
        let old = Self.mail(extra: ["Date: Mon, 1 Jan 2001 00:00:00 +0000"])
        #expect(
            await Self.code { _ = try await forum.submitMail(old, recipients: ["forllm.general@forllm.local"]) }
                == .invalidArticle
        )
        // A duplicate Message-ID is refused as NNTP POST refuses it.
        let once = Self.mail(messageID: "<dup@example.org>")
        _ = try await forum.submitMail(once, recipients: ["forllm.general@forllm.local"])
        #expect(
            await Self.code { _ = try await forum.submitMail(once, recipients: ["forllm.general@forllm.local"]) }
                == .invalidArticle
        )
    }

    @Test("a store that fails is unavailable")
    func unavailable() async throws {
        let (forum, _, path) = try await makeFileForum()
        defer { removeDatabaseFile(path) }
        try await forum.close()
        #expect(
            await Self.code {
                _ = try await forum.submitMail(Self.mail(), recipients: ["forllm.general@forllm.local"])
            } == .unavailable
        )
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
