import Foundation
import Testing

@testable import NewsArticle

@Suite("ArticleAttachment")
struct ArticleAttachmentTests {
    /// A 1×1 PNG, as the fixtures carry it.
    static let pngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

    /// What Thunderbird 115 posts with *Attach*: multipart/mixed, a flowed text part, then each
    /// file base64 with `name` and `filename`.
    static let thunderbird = wire(
        """
        Message-ID: <7a1c-attach@example.de>
        Date: Sun, 06 Dec 2026 10:00:00 +0100
        MIME-Version: 1.0
        User-Agent: Mozilla Thunderbird
        Newsgroups: forllm.general
        From: Alice <alice@example.de>
        Subject: Why is this slow?
        Content-Type: multipart/mixed; boundary="------------0RtYpXmWq1Z8sVbN3cKdJ4Lf"

        This is a multi-part message in MIME format.
        --------------0RtYpXmWq1Z8sVbN3cKdJ4Lf
        Content-Type: text/plain; charset=UTF-8; format=flowed
        Content-Transfer-Encoding: 7bit

        @assistant, why is the attached script so slow for n = 40? And what\u{20}
        is in the picture?

        --------------0RtYpXmWq1Z8sVbN3cKdJ4Lf
        Content-Type: text/x-python; charset=UTF-8; name="fib.py"
        Content-Disposition: attachment; filename="fib.py"
        Content-Transfer-Encoding: base64

        ZGVmIGZpYihuKToKICAgIHJldHVybiBuIGlmIG4gPCAyIGVsc2UgZmliKG4gLSAxKSArIGZpYihu
        IC0gMikK

        --------------0RtYpXmWq1Z8sVbN3cKdJ4Lf
        Content-Type: image/png; name="dot.png"
        Content-Disposition: attachment; filename="dot.png"
        Content-Transfer-Encoding: base64

        \(pngBase64)

        --------------0RtYpXmWq1Z8sVbN3cKdJ4Lf--

        """
    )

    @Test("Thunderbird: the flowed text is the body; the script is text, the PNG an image")
    func thunderbird() throws {
        let article = try Article(parsing: Self.thunderbird)
        #expect(
            ArticleText.plainText(of: article)
                == "@assistant, why is the attached script so slow for n = 40? And what is in the picture?"
        )
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 2)
        #expect(attachments[0].fileName == "fib.py")
        #expect(attachments[0].mediaType == "text/x-python")
        #expect(attachments[0].kind == .text)
        #expect(attachments[0].text == "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n")
        #expect(attachments[0].size == 63)
        #expect(attachments[1].fileName == "dot.png")
        #expect(attachments[1].kind == .image)
        #expect(attachments[1].text == nil)
        #expect(attachments[1].bytes == Array(Data(base64Encoded: Self.pngBase64) ?? Data()))
        #expect(attachments[1].size == 69)
        #expect(!ArticleAttachment.bodyIsNotText(article))
    }

    @Test("quoted-printable ISO-8859-1 CSV: transfer encoding and charset undone, CRLF as LF")
    func quotedPrintableLatin1() throws {
        let article = try Article(
            parsing: Self.mixed(
                part: """
                    Content-Type: text/csv; charset=ISO-8859-1; name=prices.csv
                    Content-Transfer-Encoding: quoted-printable
                    Content-Disposition: attachment; filename=prices.csv

                    Stadt;Preis
                    K=F6ln;10 =80
                    M=FCnchen;12 =
                    =80
                    """
            )
        )
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 1)
        #expect(attachments[0].fileName == "prices.csv")
        #expect(attachments[0].kind == .text)
        #expect(attachments[0].text == "Stadt;Preis\nKöln;10 €\nMünchen;12 €")
    }

    @Test(
        "file names: RFC 2231 extended values and continuations, encoded words, Content-Type name, paths",
        arguments: [
            ("Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rates.csv", "€ rates.csv"),
            (
                // A character split between two extended segments (mutt does this).
                "Content-Disposition: attachment;\n filename*0*=UTF-8''Gr%C3;\n filename*1*=%BC%C3%9Fe.txt",
                "Grüße.txt"
            ),
            ("Content-Disposition: attachment;\n filename*0=\"a long\";\n filename*1=\" name.md\"", "a long name.md"),
            ("Content-Disposition: attachment; filename*=iso-8859-1'de'K%F6ln.txt", "Köln.txt"),
            ("Content-Disposition: attachment; filename=\"=?UTF-8?B?R3LDvMOfZS50eHQ=?=\"", "Grüße.txt"),
            ("Content-Disposition: attachment; filename=\"C:\\\\Users\\\\bob\\\\notes.txt\"", "notes.txt"),
            ("Content-Disposition: inline", nil)
        ] as [(String, String?)]
    )
    func fileNames(disposition: String, expected: String?) throws {
        let article = try Article(
            parsing: Self.mixed(
                part: """
                    Content-Type: text/plain; charset=UTF-8
                    \(disposition)

                    content
                    """
            )
        )
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 1)
        #expect(attachments[0].fileName == expected)
        #expect(attachments[0].text == "content")
    }

    @Test("a name from Content-Type only (slrn, older clients), with an RFC 2231 value")
    func nameFromContentType() throws {
        let article = try Article(
            parsing: Self.mixed(
                part: """
                    Content-Type: application/json; name*=UTF-8''r%C3%A9sum%C3%A9.json

                    {"a": 1}
                    """
            )
        )
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 1)
        #expect(attachments[0].fileName == "résumé.json")
        #expect(attachments[0].kind == .text)
        #expect(attachments[0].text == "{\"a\": 1}")
    }

    @Test("nested: mixed(alternative(plain, related(html, inline image)), pdf): HTML skipped, rest listed")
    func nested() throws {
        let article = try Article(
            parsing: wire(
                """
                Message-ID: <nested@example.de>
                From: Alice <alice@example.de>
                Newsgroups: forllm.general
                Subject: nested
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="outer"

                --outer
                Content-Type: multipart/alternative; boundary="alt"

                --alt
                Content-Type: text/plain; charset=UTF-8

                The plain text.
                --alt
                Content-Type: multipart/related; boundary="rel"

                --rel
                Content-Type: text/html; charset=UTF-8

                <p>The plain text.</p><img src="cid:dot">
                --rel
                Content-Type: image/png
                Content-ID: <dot>
                Content-Disposition: inline
                Content-Transfer-Encoding: base64

                \(Self.pngBase64)
                --rel--
                --alt--
                --outer
                Content-Type: application/pdf; name="report.pdf"
                Content-Disposition: attachment; filename="report.pdf"
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                --outer--

                """
            )
        )
        #expect(ArticleText.plainText(of: article) == "The plain text.")
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 2)
        #expect(attachments[0].kind == .image)
        #expect(attachments[0].isInline)
        #expect(attachments[0].fileName == nil)
        #expect(attachments[0].displayName(index: 0) == "part 1 (image/png)")
        #expect(attachments[1].fileName == "report.pdf")
        #expect(attachments[1].kind == .other)
        #expect(attachments[1].bytes == Array("%PDF-1.4\n".utf8))
    }

    @Test("no text part: an octet-stream .md file in valid UTF-8 is text; plainText is empty")
    func noTextPart() throws {
        let article = try Article(
            parsing: wire(
                """
                Message-ID: <notext@example.de>
                From: Alice <alice@example.de>
                Newsgroups: forllm.general
                Subject: only a file
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: application/octet-stream; name="notes.md"
                Content-Disposition: attachment; filename="notes.md"
                Content-Transfer-Encoding: base64

                IyBOb3RpemVuCgpHcsO8w59lIGF1cyBLw7Zsbi4K
                --b
                Content-Type: application/octet-stream; name="blob.md"
                Content-Transfer-Encoding: base64

                //79AA==
                --b
                Content-Type: application/octet-stream; name="photo.JPG"
                Content-Transfer-Encoding: base64

                /9j/4AAQ
                --b--

                """
            )
        )
        #expect(ArticleText.plainText(of: article) == "")
        let attachments = ArticleAttachment.attachments(of: article)
        try #require(attachments.count == 3)
        #expect(attachments[0].kind == .text)
        #expect(attachments[0].text == "# Notizen\n\nGrüße aus Köln.\n")
        // A text extension but not UTF-8: not read as text.
        #expect(attachments[1].kind == .other)
        #expect(attachments[1].size == 4)
        // An image the client did not type.
        #expect(attachments[2].kind == .image)
        #expect(attachments[2].mediaType == "image/jpeg")
    }

    @Test("a one-part body: text has no attachments; a lone image is one, and its body is not text")
    func onePart() throws {
        #expect(ArticleAttachment.attachments(of: try Article(parsing: Self.thunderbirdPlain)).isEmpty)
        let image = try Article(
            parsing: wire(
                """
                Message-ID: <lone@example.de>
                From: Alice <alice@example.de>
                Newsgroups: forllm.general
                Subject: a picture
                MIME-Version: 1.0
                Content-Type: image/png; name="dot.png"
                Content-Transfer-Encoding: base64

                \(Self.pngBase64)

                """
            )
        )
        let attachments = ArticleAttachment.attachments(of: image)
        try #require(attachments.count == 1)
        #expect(attachments[0].fileName == "dot.png")
        #expect(attachments[0].kind == .image)
        #expect(ArticleAttachment.bodyIsNotText(image))
        #expect(!ArticleAttachment.bodyIsNotText(try Article(parsing: Self.thunderbirdPlain)))
    }

    @Test("hostile nesting stops at the depth limit without a crash")
    func deepNesting() throws {
        var body = ""
        for level in 0..<20 {
            body += "--b\(level)\nContent-Type: multipart/mixed; boundary=\"b\(level + 1)\"\n\n"
        }
        body += "--b20\nContent-Type: text/plain; name=deep.txt\n\ndeep\n"
        let article = try Article(
            parsing: wire(
                """
                Message-ID: <deep@example.de>
                From: Alice <alice@example.de>
                Newsgroups: forllm.general
                Subject: deep
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b0"

                \(body)
                """
            )
        )
        #expect(ArticleAttachment.attachments(of: article).isEmpty)
    }

    // MARK: - Fixtures

    static let thunderbirdPlain = wire(
        """
        Message-ID: <plain@example.de>
        From: Alice <alice@example.de>
        Newsgroups: forllm.general
        Subject: plain
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8; format=flowed

        Just text.

        """
    )

    /// A multipart/mixed article: a short text part, then `part` (headers, blank line, content).
    static func mixed(part: String) -> [UInt8] {
        wire(
            """
            Message-ID: <mixed@example.de>
            From: Alice <alice@example.de>
            Newsgroups: forllm.general
            Subject: mixed
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="XyZ"

            --XyZ
            Content-Type: text/plain; charset=UTF-8

            See attached.
            --XyZ
            \(part)
            --XyZ--

            """
        )
    }
}
