import Foundation
import Testing

@testable import NewsArticle

@Suite("ArticleDraft")
struct ArticleDraftTests {
    static let now = Date(timeIntervalSince1970: 1_795_629_600)

    static func answer(text: String, flowed: Bool = true) throws -> ArticleDraft {
        ArticleDraft(
            from: Mailbox(displayName: "Jürgen Bot", address: "juergen-bot@personas.forllm.local"),
            newsgroups: ["forllm.general"],
            subject: Threading.replySubject("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="),
            references: [try MessageID("<8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>")],
            messageID: MessageID.derived(from: "request-42", domain: "forllm.local"),
            date: Self.now,
            extraHeaders: [
                (name: "X-FORLLM-Persona", value: "juergen-bot (version 3)"),
                (name: "X-FORLLM-Model", value: "llama3.2"),
                (name: "User-Agent", value: "FORLLM/0.1")
            ],
            text: text,
            flowed: flowed
        )
    }

    static let answerText = """
        Grüße zurück! Das ist eine längere Antwort eines Sprachmodells, die ohne Zeilenumbrüche geschrieben \
        wurde und deshalb für Newsreader umbrochen werden muss, damit niemand horizontal scrollen muss.

        Hier ist Code:

        ```
        let x = 1   
        print(x)
        ```

        Und ein Emoji zum Schluss: 🎉

        --\u{20}
        Jürgen Bot (llama3.2)
        """

    @Test("the built answer validates for posting and reads back")
    func validates() throws {
        let article = try Self.answer(text: Self.answerText).build()
        let facts = try article.validateForPosting(now: Self.now, policy: PostingPolicy())
        #expect(facts.from.displayName == "Jürgen Bot")
        #expect(facts.from.address == "juergen-bot@personas.forllm.local")
        #expect(facts.newsgroups == ["forllm.general"])
        #expect(EncodedWord.decode(facts.subject) == "Re: Grüße aus Köln")
        #expect(facts.messageID?.value == "<request-42@forllm.local>")
        #expect(facts.date == Self.now)
        #expect(facts.references.map(\.value) == ["<8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>"])

        #expect(article["From"] == "=?UTF-8?Q?J=C3=BCrgen_Bot?= <juergen-bot@personas.forllm.local>")
        #expect(article["Subject"]?.hasPrefix("Re: =?UTF-8?") == true)
        #expect(article["Content-Type"] == "text/plain; charset=UTF-8; format=flowed")
        #expect(article["Content-Transfer-Encoding"] == "8bit")
        #expect(article["MIME-Version"] == "1.0")
        #expect(article["Date"] == "Wed, 25 Nov 2026 18:00:00 +0000")
        #expect(
            article.fields.map(\.name) == [
                "From", "Newsgroups", "Subject", "Date", "Message-ID", "References", "X-FORLLM-Persona",
                "X-FORLLM-Model", "User-Agent", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"
            ]
        )
        // Byte-exact through the parser.
        #expect(try Article(parsing: article.serialized) == article)
    }

    @Test("the body is CRLF, ends in CRLF, with lines of at most 78 octets outside code")
    func body() throws {
        let article = try Self.answer(text: Self.answerText).build()
        let body = article.body
        #expect(body.suffix(2) == [0x0D, 0x0A])
        var index = 0
        for (offset, byte) in body.enumerated() where byte == 0x0A {
            #expect(offset > 0 && body[offset - 1] == 0x0D)
            let line = body[index..<(offset - 1)]
            #expect(line.count <= 78)
            index = offset + 1
        }
    }

    @Test("plainText of the built article gives back the paragraphs")
    func plainTextRoundTrip() throws {
        let article = try Self.answer(text: Self.answerText).build()
        let expected = Self.answerText.replacingOccurrences(of: "let x = 1   ", with: "let x = 1")
        #expect(ArticleText.plainText(of: article) == expected)
        #expect(ArticleText.authoredText(ArticleText.plainText(of: article)).hasSuffix("zum Schluss: 🎉"))
    }

    @Test("not flowed: lines kept, only lines over 998 octets broken; ASCII is 7bit")
    func notFlowed() throws {
        let long = String(repeating: "word ", count: 300)
        let article = try Self.answer(text: "short\r\n" + long + "\nend\n", flowed: false).build()
        #expect(article["Content-Type"] == "text/plain; charset=UTF-8")
        #expect(article["Content-Transfer-Encoding"] == "7bit")
        let lines = text(article.body).components(separatedBy: "\r\n")
        #expect(lines.first == "short")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.dropFirst().dropLast(2).joined() == long)
        #expect(lines.suffix(2) == ["end", ""])
    }

    @Test("stray CRs never reach the body", arguments: [true, false])
    func strayCR(flowed: Bool) throws {
        let article = try Self.answer(text: "a\rb\r\nc\r", flowed: flowed).build()
        #expect(text(article.body) == "ab\r\nc\r\n")
    }

    @Test("an empty text gives an empty body")
    func emptyText() throws {
        let article = try Self.answer(text: "").build()
        #expect(article.body.isEmpty)
    }

    @Test("an ASCII draft without optional fields")
    func minimal() throws {
        let draft = ArticleDraft(
            from: Mailbox(displayName: nil, address: "jane@example.org"),
            newsgroups: ["forllm.general", "forllm.test"],
            subject: "Hello\nworld",
            text: "Hi."
        )
        let article = try draft.build()
        #expect(
            text(article.serialized)
                == "From: jane@example.org\r\nNewsgroups: forllm.general,forllm.test\r\nSubject: Hello world\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                + "Content-Transfer-Encoding: 7bit\r\n\r\nHi.\r\n"
        )
        #expect(throws: Never.self) {
            try article.validateForPosting(now: Self.now, policy: PostingPolicy())
        }
    }

    @Test("a long References list is folded")
    func longReferences() throws {
        var draft = try Self.answer(text: "x")
        draft.references = (1...30).map { MessageID.derived(from: "article-\($0)", domain: "news.example.org") }
        let article = try draft.build()
        let field = try #require(article.fields.first { $0.hasName("References") })
        for line in text(field.raw).split(separator: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(Threading.parseReferences(field.value) == draft.references)
    }

    @Test(
        "drafts that cannot be built",
        arguments: [
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "nobody"),
                    newsgroups: ["a"],
                    subject: "s",
                    text: ""
                ),
                "From: 'nobody' is not a valid address"
            ),
            (
                ArticleDraft(from: Mailbox(displayName: nil, address: "a@b.c"), newsgroups: [], subject: "s", text: ""),
                "Newsgroups: no newsgroup named"
            ),
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "a@b.c"),
                    newsgroups: ["Bad"],
                    subject: "s",
                    text: ""
                ),
                "Newsgroups: 'Bad' is not a valid newsgroup name"
            ),
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "a@b.c"),
                    newsgroups: ["a"],
                    subject: " \n ",
                    text: ""
                ),
                "Subject header is empty"
            ),
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "a@b.c"),
                    newsgroups: ["a"],
                    subject: "s",
                    extraHeaders: [(name: "Content-Type", value: "text/html")],
                    text: ""
                ),
                "Content-Type header is written by the draft itself and cannot be given again"
            ),
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "a@b.c"),
                    newsgroups: ["a"],
                    subject: "s",
                    extraHeaders: [(name: "Bad Name", value: "x")],
                    text: ""
                ),
                "'Bad Name' is not a valid header field name"
            ),
            (
                ArticleDraft(
                    from: Mailbox(displayName: nil, address: "a@b.c"),
                    newsgroups: ["a"],
                    subject: "s",
                    extraHeaders: [(name: "X-Smuggle", value: "a\r\nPath: evil")],
                    text: ""
                ),
                "X-Smuggle: the value contains a line break or NUL"
            )
        ]
    )
    func refused(_ draft: ArticleDraft, message: String) {
        #expect {
            try draft.build()
        } throws: { error in
            (error as? ArticleError)?.message == message
        }
    }
}
