import Testing

@testable import NewsArticle

@Suite("ArticleText")
struct ArticleTextTests {
    @Test("Thunderbird: format=flowed joined, signature kept in plainText")
    func thunderbird() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.thunderbird))
        #expect(
            text == """
                Hallo zusammen,

                ich habe eine Frage zu den Modellen: Welches eignet sich am besten für längere Texte auf Deutsch? \
                @Assistant, was meinst du?

                Viele Grüße
                Jürgen

                --\u{20}
                Jürgen Müller, Köln
                """
        )
    }

    @Test("slrn: 8bit UTF-8, not flowed, quotes kept in plainText")
    func slrn() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.slrnFollowup))
        #expect(text.hasPrefix("Jürgen Müller <juergen@example.de> wrote:\n> ich habe eine Frage"))
        #expect(text.hasSuffix("--\u{20}\nAlice    | Try @nobody here, this is the signature"))
    }

    @Test("multipart/alternative: the text/plain part, flowed")
    func multipart() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.thunderbirdHTML))
        #expect(
            text == "Das ist der Text mit Umlauten: äöü. Und er ist so lang, dass er umbrochen wird.\n\nZweiter Absatz."
        )
    }

    @Test("quoted-printable ISO-8859-1 with a soft line break")
    func quotedPrintable() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.quotedPrintableLatin1))
        #expect(
            text == "Schöne Grüße aus München. Diese Zeile ist sehr lang und wird daher mit einem weichen Umbruch "
                + "kodiert.\nPreis: 10 €, Gleichung: a=b"
        )
    }

    @Test("base64 UTF-8")
    func base64() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.base64UTF8))
        #expect(text == "こんにちは、世界。\nEmoji: 🎉 and Grüße")
    }

    @Test("tin: 7bit US-ASCII")
    func tin() throws {
        let text = ArticleText.plainText(of: try Article(parsing: Fixtures.tin))
        #expect(text == "Just a test from tin.\n.a line starting with a dot\n..and one with two")
    }

    static func article(_ headers: String, _ body: String) throws -> Article {
        try Article(parsing: wire(headers + "\n\n" + body))
    }

    @Test("format=flowed details: DelSp, stuffing, quote depth, signature")
    func flowedDetails() throws {
        let flowed = "Content-Type: text/plain; charset=utf-8; format=flowed"
        #expect(
            ArticleText.plainText(of: try Self.article(flowed, "one \ntwo \nthree\n four\n"))
                == "one two three\nfour"
        )
        #expect(
            ArticleText.plainText(of: try Self.article(flowed + "; delsp=yes", "zusammen \ngesetzt\n"))
                == "zusammengesetzt"
        )
        #expect(
            ArticleText.plainText(of: try Self.article(flowed, ">> deep \n>> quote\n> shallow\nown \n> q\n"))
                == ">> deep quote\n> shallow\nown\n> q"
        )
        #expect(
            ArticleText.plainText(of: try Self.article(flowed, " From here\n >quoted-looking\nend \n-- \nsig"))
                == "From here\n>quoted-looking\nend\n-- \nsig"
        )
        #expect(ArticleText.plainText(of: try Self.article(flowed, ">\n> \n")) == ">\n>")
    }

    @Test(
        "charsets and encodings",
        arguments: [
            (
                "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable",
                "=93Hi=94 =96 caf=E9", "\u{201C}Hi\u{201D} \u{2013} café"
            ),
            (
                "Content-Type: text/plain; charset=ISO-8859-15\nContent-Transfer-Encoding: quoted-printable",
                "=A4 5", "€ 5"
            ),
            (
                "Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: QUOTED-PRINTABLE",
                "Gr=C3=BC=C3=9Fe=\n zusammen=20\n", "Grüße zusammen "
            ),
            ("Content-Type: text/plain; charset=x-unknown", "plain ä", "plain ä"),
            ("Content-Type: text/plain", "no charset", "no charset"),
            ("Content-Transfer-Encoding: base64", "SGVs\nbG8=\n", "Hello"),
            ("Content-Transfer-Encoding: base64", "!!!@@@", ""),
            ("Content-Transfer-Encoding: quoted-printable", "a=\nb = c =ZZ", "ab = c =ZZ"),
            ("", "", "")
        ]
    )
    func encodings(headers: String, body: String, expected: String) throws {
        let article = try Self.article(headers.isEmpty ? "X: y" : headers, body)
        #expect(ArticleText.plainText(of: article) == expected)
    }

    @Test("invalid UTF-8 becomes U+FFFD")
    func invalidUTF8() throws {
        let article = try Article(parsing: wire("Content-Type: text/plain; charset=utf-8\n\n") + [0x61, 0xFF, 0x62])
        #expect(ArticleText.plainText(of: article) == "a\u{FFFD}b")
    }

    @Test("multipart/mixed with a nested alternative and an attachment")
    func nested() throws {
        let body = """
            preamble
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/html; charset=utf-8

            <p>html</p>
            --inner
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe from the nested part
            --inner--
            --outer
            Content-Type: text/plain; name="notes.txt"
            Content-Disposition: attachment

            attachment text
            --outer--
            epilogue
            """
        let article = try Self.article("Content-Type: multipart/mixed; boundary=\"outer\"", body)
        #expect(ArticleText.plainText(of: article) == "Grüße from the nested part")
    }

    @Test("a part without Content-Type is text/plain; LF-only parts are read too")
    func defaultPart() throws {
        let body = Array("--b\n\nplain part\n--b--\n".utf8)
        let article = try Article(parsing: wire("Content-Type: multipart/mixed; boundary=b\n\n") + body)
        #expect(ArticleText.plainText(of: article) == "plain part")
    }

    @Test("HTML only: tags stripped, entities decoded")
    func htmlOnly() throws {
        let article = try Self.article(
            "Content-Type: text/html; charset=utf-8",
            "<html><head><style>p { x: y }</style></head><body><p>Fish &amp; chips</p><p>&lt;3&nbsp;&#228;</p>"
                + "</body></html>"
        )
        #expect(ArticleText.plainText(of: article) == "Fish & chips\n\n<3 ä")
    }

    @Test("HTML: a character reference to a control character (&#13;) is a space, never a CR in the text")
    func htmlControlReferences() throws {
        let article = try Self.article(
            "Content-Type: text/html; charset=utf-8",
            "<p>a&#13;b&#x0D;c&#0;d&#9;e&#10;f&#127;g</p>"
        )
        let text = ArticleText.plainText(of: article)
        #expect(!text.utf8.contains(13))
        #expect(text == "a b c d\te\nf g")
    }

    @Test("a multipart without boundary or text gives best effort, never traps")
    func brokenMultipart() throws {
        let noBoundary = try Self.article("Content-Type: multipart/mixed", "--x\n\ntext\n--x--")
        #expect(ArticleText.plainText(of: noBoundary) == "")
        let unterminated = try Self.article("Content-Type: multipart/mixed; boundary=x", "--x\n\ntext without end")
        #expect(ArticleText.plainText(of: unterminated) == "text without end")
        let binary = try Self.article("Content-Type: application/octet-stream", "data")
        #expect(ArticleText.plainText(of: binary) == "data")
    }

    @Test("deep nesting is cut off")
    func deepNesting() throws {
        var body = ""
        for level in 0..<50 {
            body += "--b\(level)\nContent-Type: multipart/mixed; boundary=b\(level + 1)\n\n"
        }
        body += "--b50\n\ntext\n"
        let article = try Self.article("Content-Type: multipart/mixed; boundary=b0", body)
        #expect(ArticleText.plainText(of: article) == "")
    }

    // MARK: - authoredText

    @Test("authoredText of the slrn follow-up: attribution, quotes and signature gone")
    func authoredSlrn() throws {
        let text = ArticleText.authoredText(ArticleText.plainText(of: try Article(parsing: Fixtures.slrnFollowup)))
        #expect(text == "Try @mistral-de, it was trained on German text.")
    }

    @Test("authoredText of the Thunderbird post keeps the text, drops the signature")
    func authoredThunderbird() throws {
        let text = ArticleText.authoredText(ArticleText.plainText(of: try Article(parsing: Fixtures.thunderbird)))
        #expect(text.hasPrefix("Hallo zusammen,\n\nich habe"))
        #expect(text.hasSuffix("Viele Grüße\nJürgen"))
    }

    @Test(
        "authoredText cases",
        arguments: [
            ("On Wed, 25 Nov 2026 17:28, Alice wrote:\n> quoted\nmine", "mine"),
            ("Bob <bob@example.net> writes:\n\n> gnus quote\n\nmine", "mine"),
            ("Am 25.11.2026 um 17:28 schrieb Jürgen:\n> Zitat\nmeins", "meins"),
            ("Here is what I think:\nmine", "Here is what I think:\nmine"),
            ("Alice wrote:\nno quote follows", "Alice wrote:\nno quote follows"),
            ("\n\n  \nfirst\n\n\n\nsecond\n\n", "first\n\nsecond"),
            ("text\n-- \nsig\n-- \nsecond sig", "text\n-- \nsig"),
            ("text\n--\nnot a signature", "text\n--\nnot a signature"),
            ("  > indented quote\nmine", "mine"),
            ("a\r\nb\r\n", "a\nb"),
            ("", "")
        ]
    )
    func authored(_ text: String, expected: String) {
        #expect(ArticleText.authoredText(text) == expected)
    }
}
