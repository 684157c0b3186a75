import Testing

@testable import NewsArticle

@Suite("OverviewFields")
struct OverviewTests {
    @Test("fields of the slrn follow-up")
    func slrn() throws {
        let article = try Article(parsing: Fixtures.slrnFollowup)
        let overview = OverviewFields(article: article)
        #expect(overview.subject == "Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=")
        #expect(overview.from == "Alice Example <alice@example.org>")
        #expect(overview.date == "26 Nov 2026 08:01:02 GMT")
        #expect(overview.messageID == "<slrn10k2abc.1f4.alice@example.org>")
        #expect(overview.references == "<8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>")
        #expect(overview.bytes == Fixtures.slrnFollowup.count)
        #expect(overview.lines == 9)
    }

    @Test("the exact line, with Xref:full")
    func line() throws {
        let bytes = wire(
            "Subject: I am just a test article\nFrom: \"Demo User\" <nobody@example.com>\n"
                + "Date: 6 Oct 1998 04:38:40 -0500\nMessage-ID: <45223423@example.com>\n"
                + "References: <45454@example.net>\n\nline 1\nline 2\n"
        )
        let overview = OverviewFields(article: try Article(parsing: bytes))
        #expect(overview.bytes == bytes.count)
        let expected =
            "I am just a test article\t\"Demo User\" <nobody@example.com>\t6 Oct 1998 04:38:40 -0500\t"
            + "<45223423@example.com>\t<45454@example.net>\t\(bytes.count)\t2\tXref: news.example.com misc.test:3000363"
        #expect(text(overview.line(xref: "news.example.com misc.test:3000363")) == expected)
        let withoutXref = text(overview.line(xref: nil))
        #expect(withoutXref.hasSuffix("\t2\t"))
        #expect(withoutXref.split(separator: "\t", omittingEmptySubsequences: false).count == 8)
    }

    @Test("folded headers are unfolded; tabs, CR, LF, NUL become spaces")
    func sanitized() throws {
        let bytes = wire("Subject: a\tb\n c\nReferences: <a@b>\n\t<c@d>\n\nx")
        let overview = OverviewFields(article: try Article(parsing: bytes))
        #expect(overview.subject == "a b c")
        #expect(overview.references == "<a@b> <c@d>")
        #expect(overview.from == "")
        #expect(overview.lines == 1)
        #expect(OverviewFields.sanitize("a\tb\rc\nd\u{0}e") == "a b c d e")
        #expect(OverviewFields.sanitize("plain") == "plain")
        var handMade = overview
        handMade.subject = "tab\there\r\n"
        let line = text(handMade.line(xref: "h g:1"))
        #expect(line.split(separator: "\t", omittingEmptySubsequences: false).count == 8)
        #expect(!line.contains("\r") && !line.contains("\n"))
    }

    @Test("every fixture gives 8 fields and no forbidden octets", arguments: Fixtures.all.map(\.bytes))
    func fixtures(_ bytes: [UInt8]) throws {
        let line = OverviewFields(article: try Article(parsing: bytes)).line(xref: "forllm.local forllm.general:1")
        #expect(line.split(separator: 0x09, omittingEmptySubsequences: false).count == 8)
        #expect(!line.contains(0x0D) && !line.contains(0x0A) && !line.contains(0x00))
    }

    @Test("a long References field is trimmed in the overview: the first and the last three stay")
    func longReferences() throws {
        let ids = (1...80).map { "<reference.number.\($0)@news.example.org>" }
        let bytes = wire("Subject: s\nFrom: a@example.org\nReferences: " + ids.joined(separator: "\n ") + "\n\nbody\n")
        let overview = OverviewFields(article: try Article(parsing: bytes))
        let kept = overview.references.split(separator: " ").map(String.init)
        #expect(overview.references.utf8.count <= Threading.maximumReferencesLength)
        #expect(kept.first == ids.first)
        #expect(Array(kept.suffix(3)) == Array(ids.suffix(3)))
        #expect(kept.count < ids.count)
        #expect(OverviewFields(article: try Article(parsing: bytes)).line(xref: "h g:1").count < 2048)
    }
}
