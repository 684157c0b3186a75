import Testing

@testable import NewsArticle

@Suite("EncodedWord")
struct EncodedWordTests {
    @Test(
        "decoding",
        arguments: [
            ("=?UTF-8?B?R3LDvMOfZQ==?=", "Grüße"),
            ("=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße"),
            ("=?iso-8859-1?q?Gr=fc=dfe?=", "Grüße"),
            ("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln"),
            ("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and more", "Re: Grüße and more"),
            ("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"),
            ("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab"),
            ("=?UTF-8?Q?a?=  \t =?ISO-8859-1?Q?=E4?=", "aä"),
            ("=?UTF-8?Q?a?= b =?UTF-8?Q?c?=", "a b c"),
            ("x =?UTF-8?Q?a?=  y", "x a  y"),
            ("=?ISO-8859-15?Q?=A4?=", "€"),
            ("=?windows-1252?Q?=93quoted=94?=", "\u{201C}quoted\u{201D}"),
            ("=?ISO-8859-1?Q?=80?=", "€"),
            ("=?US-ASCII?Q?plain?=", "plain"),
            ("=?UTF-8*en?Q?lang?=", "lang"),
            ("=?UTF-8?B?44GT44KT44Gr44Gh44Gv?=", "こんにちは"),
            // A character split across two words, as some clients write it.
            ("=?UTF-8?Q?=C3?= =?UTF-8?Q?=BC?=", "ü"),
            // Left as written: unknown charset, bad encoding, bad base64, bad Q, unterminated.
            ("=?KOI8-R?Q?abc?=", "=?KOI8-R?Q?abc?="),
            ("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="),
            ("=?UTF-8?B?!!!?=", "=?UTF-8?B?!!!?="),
            ("=?UTF-8?Q?=ZZ?=", "=?UTF-8?Q?=ZZ?="),
            ("=?UTF-8?Q?abc", "=?UTF-8?Q?abc"),
            ("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?="),
            ("no words here", "no words here"),
            ("2 =? 3", "2 =? 3"),
            ("", "")
        ]
    )
    func decode(_ value: String, expected: String) {
        #expect(EncodedWord.decode(value) == expected)
    }

    static let texts = [
        "Grüße aus Köln",
        "Fußgängerübergänge sind überall zu finden, besonders in den großen Städten Österreichs und Bayerns",
        "日本語のテキストはとても長くなることがありますので、エンコードされた単語に分割する必要があります",
        "Emoji 🎉🎉🎉 👩‍👩‍👧‍👦 flags 🇩🇪🇯🇵 and text 🚀",
        "Re: Grüße  with  two spaces",
        "  ä  ",
        "mixed ASCII and ä, then ASCII again, and a very long tail of plain words to make it fold",
        "looks like =?UTF-8?Q?a?= but is plain",
        "ctrl\u{1}char",
        "ä_=?_",
        String(repeating: "ü", count: 200),
        String(repeating: "🎉", count: 60)
    ]

    @Test("encodeUnstructured round-trips and keeps words short", arguments: Self.texts)
    func unstructuredRoundTrip(_ text: String) throws {
        let encoded = EncodedWord.encodeUnstructured(text)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        #expect(EncodedWord.decode(encoded) == text)
        for word in encoded.split(separator: " ") where word.hasPrefix("=?") {
            #expect(word.utf8.count <= EncodedWord.maximumWordLength)
            // Each word alone decodes to valid UTF-8: no character was split.
            let decoded = EncodedWord.decode(String(word))
            #expect(!decoded.contains("\u{FFFD}"))
            #expect(decoded != String(word))
        }
        // The Subject folds into lines of at most 78 octets.
        let field = try HeaderField(name: "Subject", value: encoded)
        for line in NewsArticleTests.text(field.raw).split(separator: "\r\n") {
            #expect(line.utf8.count <= 78)
        }
        #expect(EncodedWord.decode(field.value) == text.trimmingASCIIWhitespace())
    }

    @Test("printable ASCII stays as it is")
    func asciiUnchanged() {
        #expect(EncodedWord.encodeUnstructured("Hello, world: (a) <b> \"c\"") == "Hello, world: (a) <b> \"c\"")
        #expect(EncodedWord.encodeUnstructured("") == "")
    }

    @Test("only the words that need it are encoded")
    func partial() {
        let encoded = EncodedWord.encodeUnstructured("Re: Grüße aus Köln")
        #expect(encoded.hasPrefix("Re: =?UTF-8?"))
        #expect(encoded.contains(" aus "))
    }

    @Test("German uses Q, Japanese uses B")
    func choice() {
        #expect(EncodedWord.encodeUnstructured("Grüße") == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=")
        #expect(EncodedWord.encodeUnstructured("こんにちは") == "=?UTF-8?B?44GT44KT44Gr44Gh44Gv?=")
    }

    @Test(
        "phrases",
        arguments: [
            ("Jane Doe", "Jane Doe"),
            ("Doe, Jane", "\"Doe, Jane\""),
            ("Dr. Who", "\"Dr. Who\""),
            ("Say \"hi\"", "\"Say \\\"hi\\\"\""),
            ("back\\slash", "\"back\\\\slash\""),
            ("O'Brien", "O'Brien"),
            ("Jürgen", "=?UTF-8?Q?J=C3=BCrgen?="),
            ("  padded  ", "padded")
        ]
    )
    func phrase(_ text: String, expected: String) {
        #expect(EncodedWord.encodePhrase(text) == expected)
    }

    @Test("non-ASCII phrases use only the characters RFC 2047 §5 (3) allows", arguments: Self.texts)
    func phraseCharacters(_ text: String) throws {
        let encoded = EncodedWord.encodePhrase(text)
        for word in encoded.split(separator: " ") {
            #expect(word.hasPrefix("=?UTF-8?"))
            #expect(word.utf8.count <= EncodedWord.maximumWordLength)
            let payload = word.dropFirst(10).dropLast(2)
            #expect(payload.allSatisfy { $0.isLetter || $0.isNumber || "!*+-/=_".contains($0) })
        }
        #expect(EncodedWord.decode(encoded) == text.trimmingASCIIWhitespace())
        // As a display name it survives Mailbox parsing.
        let mailbox = try Mailbox(parsing: encoded + " <a@example.org>")
        #expect(mailbox.displayName == text.trimmingASCIIWhitespace())
    }
}
