import NIOCore
import NNTPCore
import Testing

@Suite("Article ranges")
struct ArticleRangeTests {
    static let cases: [(ArticleRange, ClosedRange<Int64>, ClosedRange<Int64>?)] = [
        (.single(5), 1...10, 5...5),
        (.single(11), 1...10, nil),
        (.from(3), 1...10, 3...10),
        (.from(Int64.max), 1...10, nil),
        (.between(0, Int64.max), 1...10, 1...10),
        (.between(9, 3), 1...10, nil),
        (.between(Int64.max, Int64.max), 0...Int64.max, Int64.max...Int64.max),
        (.from(0), 0...Int64.max, 0...Int64.max)
    ]

    @Test("clamping never overflows", arguments: Self.cases)
    func clamp(range: ArticleRange, bounds: ClosedRange<Int64>, expected: ClosedRange<Int64>?) {
        #expect(range.closedRange(clampedTo: bounds) == expected)
    }

    @Test("wire form", arguments: [(ArticleRange.single(7), "7"), (.from(7), "7-"), (.between(7, 9), "7-9")])
    func wireForm(range: ArticleRange, text: String) {
        #expect(range.description == text)
    }
}

@Suite("Date and time of NEWGROUPS/NEWNEWS")
struct NNTPDateTimeTests {
    @Test(
        "two-digit years follow RFC 3977 §7.3.2",
        arguments: [(99, 2025, 1999), (25, 2025, 2025), (26, 2025, 1926), (0, 2025, 2000), (50, 2150, 2150)]
    )
    func twoDigitYear(year: Int, currentYear: Int, expected: Int) {
        let dateTime = NNTPDateTime(
            year: year,
            hasTwoDigitYear: true,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            isGMT: true
        )
        #expect(dateTime.resolvedYear(currentYear: currentYear) == expected)
    }

    @Test("seconds since 1970")
    func epoch() {
        let epoch = NNTPDateTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, isGMT: true)
        #expect(epoch.secondsSince1970(currentYear: 2025, utcOffsetSeconds: 3600) == 0)
        let leap = NNTPDateTime(year: 2024, month: 2, day: 29, hour: 12, minute: 34, second: 56, isGMT: true)
        #expect(leap.secondsSince1970(currentYear: 2025, utcOffsetSeconds: 0) == 1_709_210_096)
        let local = NNTPDateTime(year: 2024, month: 2, day: 29, hour: 13, minute: 34, second: 56, isGMT: false)
        #expect(local.secondsSince1970(currentYear: 2025, utcOffsetSeconds: 3600) == 1_709_210_096)
        let old = NNTPDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, isGMT: true)
        #expect(old.secondsSince1970(currentYear: 2025, utcOffsetSeconds: 0) == -1)
    }

    static let fromSecondsCases: [(Int64, NNTPDateTime)] = [
        (0, NNTPDateTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, isGMT: true)),
        (-1, NNTPDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, isGMT: true)),
        (951_782_400, NNTPDateTime(year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0, isGMT: true)),
        (2_147_483_648, NNTPDateTime(year: 2038, month: 1, day: 19, hour: 3, minute: 14, second: 8, isGMT: true)),
        (253_402_300_799, NNTPDateTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, isGMT: true))
    ]

    @Test("from seconds since 1970: UTC, four-digit year, and back", arguments: Self.fromSecondsCases)
    func fromSeconds(seconds: Int64, expected: NNTPDateTime) {
        let dateTime = NNTPDateTime(secondsSince1970: seconds)
        #expect(dateTime == expected)
        #expect(dateTime.secondsSince1970(currentYear: 2025, utcOffsetSeconds: 3600) == seconds)
    }

    @Test("wire form")
    func wireForm() {
        var buffer = ByteBuffer()
        buffer.writeNNTPDateTime(
            NNTPDateTime(year: 2024, month: 3, day: 4, hour: 5, minute: 6, second: 7, isGMT: true)
        )
        #expect(String(buffer: buffer) == "20240304 050607 GMT")
        buffer.clear()
        buffer.writeNNTPDateTime(
            NNTPDateTime(
                year: 9,
                hasTwoDigitYear: true,
                month: 12,
                day: 31,
                hour: 0,
                minute: 0,
                second: 0,
                isGMT: false
            )
        )
        #expect(String(buffer: buffer) == "091231 000000")
    }
}

@Suite("Response encoders")
struct NNTPResponseEncoderTests {
    @Test("status lines always have text and end in CRLF")
    func statusLine() {
        var buffer = ByteBuffer()
        buffer.writeNNTPStatusLine(.groupSelected, "3 1 3 misc.test")
        #expect(String(buffer: buffer) == "211 3 1 3 misc.test\r\n")
        buffer.clear()
        buffer.writeNNTPStatusLine(.postingFailed, "")
        #expect(String(buffer: buffer) == "441 -\r\n")
        buffer.clear()
        buffer.writeNNTPStatusLine(.postingFailed, "two\r\nlines")
        #expect(String(buffer: buffer) == "441 two  lines\r\n")
    }

    @Test("data lines are dot-stuffed")
    func dataLines() {
        var buffer = ByteBuffer()
        buffer.writeNNTPDataLine(".hidden")
        buffer.writeNNTPDataLine("plain")
        buffer.writeNNTPDataLine("")
        buffer.writeNNTPTerminator()
        #expect(String(buffer: buffer) == "..hidden\r\nplain\r\n\r\n.\r\n")
    }

    static let articles: [(String, String)] = [
        ("Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n"),
        (".Header: starts with a dot\r\n\r\n.\r\n..two\r\n", "..Header: starts with a dot\r\n\r\n..\r\n...two\r\n"),
        ("a\r\n.b\r\n.c", "a\r\n..b\r\n..c\r\n"),
        ("no final newline", "no final newline\r\n"),
        ("bare\nLF\n.dot\n", "bare\r\nLF\r\n..dot\r\n"),
        ("\n.x", "\r\n..x\r\n"),
        ("", ""),
        (".", "..\r\n")
    ]

    @Test("articles are dot-stuffed and CRLF-normalised on the fast path", arguments: Self.articles)
    func dotStuffed(input: String, expected: String) {
        var buffer = ByteBuffer()
        buffer.writeNNTPDotStuffed(ByteBuffer(string: input))
        #expect(String(buffer: buffer) == expected)
    }

    @Test("only the readable bytes count: a body read from past the head of the same buffer")
    func readableBytesOnly() {
        var article = ByteBuffer(string: ".head\r\n\r\n.body\r\nend")
        article.moveReaderIndex(forwardBy: 9)  // past ".head\r\n\r\n": ".body\r\nend" is left
        var buffer = ByteBuffer(string: "222 ")
        buffer.writeNNTPDotStuffed(article)
        #expect(String(buffer: buffer) == "222 ..body\r\nend\r\n")
    }

    @Test("the text may be a slice of the buffer written to, which then grows and copies")
    func sliceOfTheSameBuffer() throws {
        var buffer = ByteBuffer(string: "X\r\n.a\nb")
        let text = try #require(buffer.getSlice(at: buffer.readerIndex, length: buffer.readableBytes))
        let written = buffer.writeNNTPDotStuffed(text)
        #expect(String(buffer: buffer) == "X\r\n.a\nbX\r\n..a\r\nb\r\n")
        #expect(written == "X\r\n..a\r\nb\r\n".utf8.count)
        #expect(String(buffer: text) == "X\r\n.a\nb")
    }

    @Test("a large article without dots is copied whole")
    func largeArticle() {
        let line = String(repeating: "x", count: 70) + "\r\n"
        let article = String(repeating: line, count: 20_000)
        var buffer = ByteBuffer()
        let written = buffer.writeNNTPDotStuffed(ByteBuffer(string: article))
        #expect(written == article.utf8.count)
        #expect(buffer.readableBytes == article.utf8.count)
    }

    @Test("multi-line status codes")
    func multiLine() {
        #expect(NNTPStatus.overviewFollows.isMultiLine)
        #expect(NNTPStatus.groupSelected.isMultiLine)
        #expect(!NNTPStatus.articleExists.isMultiLine)
        #expect(!NNTPStatus.sendArticle.isMultiLine)
    }
}

@Suite("Responses")
struct NNTPResponseTests {
    @Test("a response with a data block is stuffed and terminated")
    func withLines() {
        let response = NNTPResponse(.informationFollows, "list follows", lines: ["a.b 1 1 y", ".hidden"])
        #expect(response.description == "215 list follows\r\na.b 1 1 y\r\n..hidden\r\n.\r\n")
    }

    @Test("a simple response is one line")
    func simple() {
        #expect(NNTPResponse(.closingConnection, "bye").description == "205 bye\r\n")
        #expect(NNTPResponse(.informationFollows, "empty", lines: []).description == "215 empty\r\n.\r\n")
    }
}
