import Testing

@testable import NewsArticle

@Suite("HeaderField")
struct HeaderFieldTests {
    @Test("a short value stays on one line")
    func short() throws {
        let field = try HeaderField(name: "Subject", value: "  Hello world  ")
        #expect(field.value == "Hello world")
        #expect(text(field.raw) == "Subject: Hello world")
    }

    @Test("an empty value")
    func empty() throws {
        let field = try HeaderField(name: "X-Empty", value: "")
        #expect(text(field.raw) == "X-Empty:")
        #expect(field.value == "")
    }

    @Test("References with 30 message-ids fold to lines of at most 78 octets")
    func foldReferences() throws {
        let ids = (1...30).map { "<reference.\($0).abcdef@news.example.org>" }
        let value = ids.joined(separator: " ")
        let field = try HeaderField(name: "References", value: value)
        let lines = text(field.raw).split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.count > 10)
        for line in lines { #expect(line.utf8.count <= 78) }
        for line in lines.dropFirst() { #expect(line.first == " ") }
        #expect(field.value == value)
        // Parsing the raw octets gives the same field.
        let parsed = try HeaderField(parsing: field.raw)
        #expect(parsed == field)
        // No line is white space only, no fold right after the colon.
        #expect(lines[0].hasPrefix("References: <reference.1."))
    }

    @Test("a run of spaces folds before its last space only")
    func foldRuns() throws {
        let value = String(repeating: "word   ", count: 30).trimmingCharacters(in: " ")
        let field = try HeaderField(name: "X", value: value)
        let lines = text(field.raw).split(separator: "\r\n")
        for line in lines {
            #expect(line.utf8.count <= 78)
            #expect(line.contains { $0 != " " })
        }
        #expect(field.value == value)
    }

    @Test("an unbreakable word longer than 78 octets keeps its own line; over 998 is refused")
    func longWords() throws {
        let word = String(repeating: "x", count: 200)
        let field = try HeaderField(name: "X-Long", value: "a \(word) b")
        #expect(text(field.raw) == "X-Long: a\r\n \(word)\r\n b")

        let huge = String(repeating: "y", count: 1000)
        #expect(throws: ArticleError.self) { try HeaderField(name: "X-Huge", value: huge) }
        let fits = String(repeating: "y", count: 990)
        let ok = try HeaderField(name: "X", value: fits)
        #expect(ok.raw.count == 993)
    }

    @Test(
        "invalid names and values are refused",
        arguments: [
            ("", "x"), ("Bad Name", "x"), ("Col:on", "x"), ("Ümlaut", "x"), ("X", "a\r\nb"), ("X", "a\nInjected: b"),
            ("X", "nul\u{0}")
        ]
    )
    func refused(name: String, value: String) {
        #expect {
            try HeaderField(name: name, value: value)
        } throws: { error in
            (error as? ArticleError)?.code == .malformedHeader
        }
    }

    @Test("parsing raw octets")
    func parsing() throws {
        let field = try HeaderField(parsing: Array("Subject: a\r\n b".utf8))
        #expect(field.name == "Subject")
        #expect(field.value == "a b")
        #expect(try HeaderField(parsing: Array("X:".utf8)).value == "")
        #expect(try HeaderField(parsing: Array("X:y".utf8)).value == "y")
        for bad in ["Subject", "Subject: a\r\nb", "Subject: a\nb", "Subject: a\rb", "Sub ject: a", "S: a\r\n"] {
            #expect(throws: ArticleError.self) { try HeaderField(parsing: Array(bad.utf8)) }
        }
    }

    @Test("values are decoded as UTF-8 with replacement")
    func utf8Values() throws {
        let field = try HeaderField(parsing: [0x58, 0x3A, 0x20, 0xC3, 0xA4, 0xFF])
        #expect(field.value == "ä\u{FFFD}")
    }

    @Test("hasName ignores ASCII case")
    func names() throws {
        let field = try HeaderField(name: "Message-ID", value: "<a@b>")
        #expect(field.hasName("message-id"))
        #expect(field.hasName("MESSAGE-ID"))
        #expect(!field.hasName("Message-I"))
        #expect(!field.hasName("Message-IDs"))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
