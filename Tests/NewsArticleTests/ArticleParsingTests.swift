import Testing

@testable import NewsArticle

@Suite("Article parsing and serialising")
struct ArticleParsingTests {
    struct RoundTrip: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { self.name }
    }

    static let roundTrips: [RoundTrip] =
        Fixtures.all.map { RoundTrip(name: $0.name, bytes: $0.bytes) } + [
            RoundTrip(name: "empty body", bytes: wire("Subject: x\nFrom: a@b.c\n\n")),
            RoundTrip(name: "body without final CRLF", bytes: wire("Subject: x\n\nline one\nline two")),
            RoundTrip(name: "folded header", bytes: wire("Subject: a long\n subject\n\tfolded twice\nX: y\n\nb\n")),
            RoundTrip(name: "header line starting with a dot", bytes: wire(".Dotted: yes\nSubject: x\n\n.\n..\n")),
            RoundTrip(
                name: "8-bit UTF-8 header",
                bytes: wire("Subject: Grüße aus Köln 🎉\nFrom: Jürgen <j@x.de>\n\nä\n")
            ),
            RoundTrip(name: "invalid UTF-8 header", bytes: [0x53, 0x3A, 0x20, 0xFF, 0xFE, 0x0D, 0x0A, 0x0D, 0x0A]),
            RoundTrip(name: "bare LF and CR in the body", bytes: wire("S: x\n\n") + [0x61, 0x0A, 0x62, 0x0D, 0x63]),
            RoundTrip(name: "empty value", bytes: wire("Empty:\nAlso-Empty: \n\n")),
            RoundTrip(name: "no headers at all", bytes: wire("\nbody only\n")),
            RoundTrip(name: "body with blank lines", bytes: wire("S: x\n\n\n\nafter blank lines\n\n")),
            RoundTrip(name: "whitespace-only continuation", bytes: wire("S: x\n   \nT: y\n\n"))
        ]

    @Test("serialized gives back the parsed octets", arguments: Self.roundTrips)
    func roundTrip(_ fixture: RoundTrip) throws {
        let article = try Article(parsing: fixture.bytes)
        #expect(article.serialized == fixture.bytes)
        #expect(article.serializedByteCount == fixture.bytes.count)
    }

    @Test("round trip through an ArraySlice and a non-array collection")
    func otherCollections() throws {
        let bytes = Fixtures.slrnFollowup
        let sliced = try Article(parsing: ([0x00] + bytes)[1...])
        #expect(sliced.serialized == bytes)
        let fromUTF8 = try Article(parsing: text(bytes).utf8)
        #expect(fromUTF8.serialized == bytes)
    }

    @Test("fields, values and raw octets of the Thunderbird post")
    func thunderbirdFields() throws {
        let article = try Article(parsing: Fixtures.thunderbird)
        #expect(article.fields.count == 11)
        #expect(article.fields.map(\.name).first == "Path")
        #expect(article["subject"] == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=")
        #expect(article["MESSAGE-ID"] == "<8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>")
        #expect(article["X-Missing"] == nil)
        #expect(text(article.fields[4].raw) == "User-Agent: Mozilla Thunderbird")
        #expect(text(article.body).hasPrefix("Hallo zusammen,\r\n\r\nich habe"))
        #expect(article.bodyLineCount == 10)
    }

    @Test("a folded value is unfolded and trimmed; raw keeps the folding")
    func folding() throws {
        let article = try Article(parsing: wire("Content-Type: multipart/alternative;\n boundary=\"xyz\"  \n\nb"))
        let field = try #require(article.fields.first)
        #expect(field.value == "multipart/alternative; boundary=\"xyz\"")
        #expect(text(field.raw) == "Content-Type: multipart/alternative;\r\n boundary=\"xyz\"  ")
    }

    @Test("headers only, no empty line: the empty line is added when serialising")
    func headersOnly() throws {
        let article = try Article(parsing: wire("Subject: x\nFrom: a@b.c\n"))
        #expect(article.fields.count == 2)
        #expect(article.body.isEmpty)
        #expect(article.serialized == wire("Subject: x\nFrom: a@b.c\n\n"))
        let unterminated = try Article(parsing: Array("Subject: x".utf8))
        #expect(unterminated.serialized == wire("Subject: x\n\n"))
    }

    @Test("the body keeps everything after the first empty line")
    func bodyKept() throws {
        let article = try Article(parsing: wire("S: x\n\nNot-A-Header: y\n\nmore\n"))
        #expect(article.fields.count == 1)
        #expect(article.body == wire("Not-A-Header: y\n\nmore\n"))
        #expect(article.bodyLineCount == 3)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var bytes: [UInt8]
        var message: String
        var testDescription: String { self.message }
    }

    static let malformed: [Malformed] = [
        Malformed(
            bytes: wire("Subject: x\n") + [0x46, 0x3A, 0x20, 0x61, 0x0A] + wire("\n"),
            message: "line 2: bare LF in the header section"
        ),
        Malformed(
            bytes: Array("Subject: x\nInjected: yes\r\n\r\n".utf8),
            message: "line 1: bare LF in the header section"
        ),
        Malformed(
            bytes: Array("Subject: x\rInjected: yes\r\n\r\n".utf8),
            message: "line 1: bare CR in the header section"
        ),
        Malformed(
            bytes: wire("A: b\nSubject: x") + [0x00] + wire("\n\n"),
            message: "line 2: NUL in the header section"
        ),
        Malformed(
            bytes: wire(" continued: x\nSubject: y\n\n"),
            message: "line 1: continuation line before the first header field"
        ),
        Malformed(
            bytes: wire("Subject: x\nno colon here\n\n"),
            message: "line 2: header line without a colon: 'no colon here'"
        ),
        Malformed(
            bytes: wire("Subject: x\nBad Name: y\n\n"),
            message: "line 2: invalid header field name 'Bad Name'"
        ),
        Malformed(
            bytes: wire("Subject : x\n\n"),
            message: "line 1: invalid header field name 'Subject '"
        ),
        Malformed(
            bytes: wire(": no name\n\n"),
            message: "line 1: invalid header field name ''"
        ),
        Malformed(
            bytes: wire("A: b\nB: c\n") + Array("C: d\n".utf8),
            message: "line 3: bare LF in the header section"
        ),
        Malformed(
            bytes: Array("Subject: x\r".utf8),
            message: "line 1: bare CR in the header section"
        )
    ]

    @Test("malformed header sections are refused, naming the line", arguments: Self.malformed)
    func refused(_ fixture: Malformed) {
        #expect {
            try Article(parsing: fixture.bytes)
        } throws: { error in
            let error = error as? ArticleError
            return error?.code == .malformedHeader && error?.message == fixture.message
        }
    }

    @Test("a bare LF in the body is kept, not refused")
    func bareLFInBody() throws {
        let bytes = wire("Subject: x\n\n") + Array("a\nb\n".utf8)
        let article = try Article(parsing: bytes)
        #expect(article.body == Array("a\nb\n".utf8))
        #expect(article.bodyLineCount == 2)
    }

    @Test(
        "body line count",
        arguments: [
            ("", 0), ("a\r\n", 1), ("a\r\nb", 2), ("a\r\n\r\n", 2), ("\r\n", 1), ("x", 1)
        ]
    )
    func lineCount(body: String, expected: Int) {
        let article = Article(fields: [], body: Array(body.utf8))
        #expect(article.bodyLineCount == expected)
    }

    @Test("values(named:), replace, remove, insert and append")
    func editing() throws {
        var article = try Article(parsing: wire("Path: a\nX-Trace: 1\nSubject: s\nx-trace: 2\n\nbody\n"))
        #expect(article.values(named: "X-TRACE") == ["1", "2"])

        article.replace(with: try HeaderField(name: "X-Trace", value: "3"))
        #expect(article.values(named: "x-trace") == ["3"])
        #expect(article.fields.map(\.name) == ["Path", "X-Trace", "Subject"])

        article.replace(with: try HeaderField(name: "Lines", value: "1"))
        #expect(article.fields.map(\.name) == ["Path", "X-Trace", "Subject", "Lines"])

        article.removeFields(named: "x-TRACE")
        #expect(article.fields.map(\.name) == ["Path", "Subject", "Lines"])

        article.insert(try HeaderField(name: "Xref", value: "forllm.local g:1"), at: 0)
        article.append(try HeaderField(name: "Injection-Date", value: "Wed, 25 Nov 2026 17:28:35 +0000"))
        #expect(article.fields.map(\.name) == ["Xref", "Path", "Subject", "Lines", "Injection-Date"])
        #expect(
            text(article.serialized)
                == "Xref: forllm.local g:1\r\nPath: a\r\nSubject: s\r\nLines: 1\r\n"
                + "Injection-Date: Wed, 25 Nov 2026 17:28:35 +0000\r\n\r\nbody\r\n"
        )
        #expect(
            text(article.headerSectionWithoutBlankLine)
                == "Xref: forllm.local g:1\r\nPath: a\r\nSubject: s\r\nLines: 1\r\n"
                + "Injection-Date: Wed, 25 Nov 2026 17:28:35 +0000\r\n"
        )
    }

    @Test("a large article parses in one pass")
    func large() throws {
        var body: [UInt8] = []
        for index in 0..<20_000 { body += wire("line \(index) of a long body\n") }
        let bytes = wire("Subject: big\n\n") + body
        let article = try Article(parsing: bytes)
        #expect(article.body == body)
        #expect(article.bodyLineCount == 20_000)
        #expect(article.serialized == bytes)
    }
}
