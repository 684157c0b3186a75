import Testing

@testable import NewsArticle

@Suite("Wrapping")
struct WrappingTests {
    static let paragraphs = [
        "Short line.",
        "This is a long paragraph that an LLM might produce, with many words and no line breaks at all, so it "
            + "has to be wrapped for newsreaders that show eighty columns, as slrn and tin do by default.",
        "Ein deutscher Absatz mit Umlauten: Größenordnungen, Übermäßigkeit, Äußerungen und Süßigkeiten müssen "
            + "nach Oktetten gezählt werden, nicht nach Zeichen, damit keine Zeile zu lang wird.",
        "日本語の文章はスペースが少ないので、改行できる場所があまりありません。 それでも 空白 があれば そこで 改行 します。",
        "From the beginning, a line starting with From must be stuffed.",
        "> a line that looks like a quote but is the author's own text, long enough to be wrapped somewhere",
        " a line starting with a space, and long enough to need wrapping into more than one line, surely",
        "Trailing spaces go away   ",
        "a  double  space  paragraph  that  is  long  enough  to  wrap  somewhere  in  the  middle  of  it  ok",
        "An unbreakable URL: https://example.org/" + String(repeating: "abcdefghij", count: 12) + " and more words.",
        ""
    ]

    @Test("every line fits in the width, except unbreakable words")
    func widths() {
        let text = Self.paragraphs.joined(separator: "\n")
        let wrapped = Wrapping.flowed(text, width: 78)
        for line in wrapped.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.utf8.count > 78 {
                // Only a single word (plus stuffing and the soft-break space) may be longer.
                let words = line.split(separator: " ")
                #expect(words.count == 1, "\(line)")
            }
        }
    }

    @Test("unwrapping gives back the paragraphs", arguments: [78, 40, 20, 72])
    func roundTrip(width: Int) throws {
        let text = Self.paragraphs.joined(separator: "\n")
        let wrapped = Wrapping.flowed(text, width: width)
        let body = wire(wrapped + "\n")
        let article = try Article(parsing: wire("Content-Type: text/plain; charset=UTF-8; format=flowed\n\n") + body)
        var expected = Self.paragraphs.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        while expected.last == "" { expected.removeLast() }
        #expect(ArticleText.plainText(of: article) == expected.joined(separator: "\n"))
    }

    @Test("soft breaks end in a space, hard breaks do not")
    func softBreaks() {
        let wrapped = Wrapping.flowed("one two three four five six", width: 10)
        #expect(wrapped == "one two \nthree \nfour five \nsix")
        #expect(Wrapping.flowed("hard   \nlines  ") == "hard\nlines")
    }

    @Test(
        "stuffing",
        arguments: [
            ("From me", " From me"),
            ("> not a quote", " > not a quote"),
            (" leading space", "  leading space"),
            ("Fromage", "Fromage"),
            ("-- ", "-- "),
            ("--  ", "--")
        ]
    )
    func stuffing(_ line: String, expected: String) {
        #expect(Wrapping.flowed(line) == expected)
    }

    @Test("a wrapped continuation that starts with From or > is stuffed")
    func stuffedContinuation() {
        let wrapped = Wrapping.flowed("aaaa From bbbb >cc", width: 6)
        #expect(wrapped == "aaaa \n From \nbbbb \n >cc")
    }

    @Test("code blocks are untouched")
    func codeBlocks() {
        let longCode = "    let value = " + String(repeating: "compute(x) + ", count: 10) + "0"
        let text = """
            Here is code:

            ```swift
            func f() {
                return  "a very long string literal that goes on and on and on and on and on and on and on and on"
            }
            ```
            \(longCode)
            \tlet tabbed = "also preformatted and long enough to exceed the width of seventy-eight octets, yes"
            ~~~
            > not stuffed away: this is code
            From code
            ~~~
            After the code, a paragraph that is long enough to be wrapped at the width of seventy-eight octets.
            """
        let wrapped = Wrapping.flowed(text)
        let lines = wrapped.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("```swift"))
        #expect(
            lines.contains(
                "     return  \"a very long string literal that goes on and on and on and on and on and on and on and on\""
            )
        )
        #expect(lines.contains(" " + longCode[...]))
        #expect(
            lines.contains(
                "\tlet tabbed = \"also preformatted and long enough to exceed the width of seventy-eight octets, yes\""
            )
        )
        #expect(lines.contains(" > not stuffed away: this is code"))
        #expect(lines.contains(" From code"))
        #expect(lines.last == "seventy-eight octets.")
        #expect(lines[lines.count - 2].utf8.count <= 78)
        // Code lines carry no trailing space, so no reader joins them.
        let codeStart = lines.firstIndex(of: "```swift")!
        let codeEnd = lines.lastIndex(of: "~~~")!
        for line in lines[codeStart...codeEnd] { #expect(line.last != " ") }
    }

    @Test("lines over 998 octets are broken at character boundaries")
    func hugeLines() {
        let code = "    " + String(repeating: "ä", count: 1000)
        let word = String(repeating: "€", count: 500)
        for text in [code, word, "```\n" + String(repeating: "x", count: 3000) + "\n```"] {
            let wrapped = Wrapping.flowed(text)
            for line in wrapped.split(separator: "\n") {
                #expect(line.utf8.count <= 998)
                #expect(!line.contains("\u{FFFD}"))
            }
            // Nothing lost: the same characters, apart from line breaks and spaces.
            #expect(wrapped.filter { $0 != "\n" && $0 != " " } == text.filter { $0 != "\n" && $0 != " " })
        }
    }

    @Test("line ends: CRLF read as LF, one final LF dropped")
    func lineEnds() {
        #expect(Wrapping.flowed("a\r\nb\r\n") == "a\nb")
        #expect(Wrapping.flowed("a\n\n") == "a\n")
        #expect(Wrapping.flowed("") == "")
    }
}
