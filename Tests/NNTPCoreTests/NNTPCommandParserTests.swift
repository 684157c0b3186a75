import NIOCore
import NNTPCore
import Testing

private let validCommandLines: [(String, NNTPCommand)] = [
    ("CAPABILITIES", .capabilities(keyword: nil)),
    ("capabilities autoupdate", .capabilities(keyword: "AUTOUPDATE")),
    ("MODE READER", .modeReader),
    ("mode reader", .modeReader),
    ("QUIT", .quit),
    ("STARTTLS", .startTLS),
    ("starttls", .startTLS),
    ("HELP", .help),
    ("DATE", .date),
    ("GROUP forllm.general", .group("forllm.general")),
    ("group\tforllm.general  ", .group("forllm.general")),
    ("LISTGROUP", .listGroup(group: nil, range: nil)),
    ("LISTGROUP misc.test", .listGroup(group: "misc.test", range: nil)),
    ("LISTGROUP misc.test 3-", .listGroup(group: "misc.test", range: .from(3))),
    ("LISTGROUP misc.test 3-9", .listGroup(group: "misc.test", range: .between(3, 9))),
    ("LAST", .last),
    ("NEXT", .next),
    ("ARTICLE", .article(.current)),
    ("ARTICLE 3000234", .article(.number(3_000_234))),
    ("ARTICLE <45223423@example.com>", .article(.messageID("<45223423@example.com>"))),
    ("article 0", .article(.number(0))),
    ("ARTICLE 9999999999999999", .article(.number(9_999_999_999_999_999))),
    ("ARTICLE 0000000000000001", .article(.number(1))),
    ("HEAD 12", .head(.number(12))),
    ("BODY <a@b>", .body(.messageID("<a@b>"))),
    ("STAT", .stat(.current)),
    ("POST", .post),
    (
        "NEWGROUPS 20240131 235959 GMT",
        .newGroups(
            NNTPDateTime(year: 2024, month: 1, day: 31, hour: 23, minute: 59, second: 59, isGMT: true)
        )
    ),
    (
        "newgroups 991231 000000",
        .newGroups(
            NNTPDateTime(
                year: 99,
                hasTwoDigitYear: true,
                month: 12,
                day: 31,
                hour: 0,
                minute: 0,
                second: 0,
                isGMT: false
            )
        )
    ),
    (
        "NEWGROUPS 20240229 120000 gmt <local>",
        .newGroups(NNTPDateTime(year: 2024, month: 2, day: 29, hour: 12, minute: 0, second: 0, isGMT: true))
    ),
    ("LIST", .list(.active(nil))),
    ("LIST ACTIVE", .list(.active(nil))),
    ("list active forllm.*", .list(.active(try! Wildmat("forllm.*")))),
    ("LIST ACTIVE.TIMES", .list(.activeTimes(nil))),
    ("LIST NEWSGROUPS *", .list(.newsgroups(try! Wildmat("*")))),
    ("LIST COUNTS", .list(.counts(nil))),
    ("LIST OVERVIEW.FMT", .list(.overviewFormat)),
    ("LIST HEADERS", .list(.headers(.any))),
    ("LIST HEADERS msgid", .list(.headers(.messageID))),
    ("LIST HEADERS RANGE", .list(.headers(.range))),
    ("LIST DISTRIB.PATS", .list(.distributionPatterns)),
    ("LIST DISTRIBUTIONS", .list(.distributions)),
    ("LIST SUBSCRIPTIONS", .list(.subscriptions)),
    ("LIST MOTD", .list(.messageOfTheDay)),
    ("OVER", .over(.current)),
    ("OVER 1-10", .over(.range(.between(1, 10)))),
    ("OVER <x@y>", .over(.messageID("<x@y>"))),
    ("XOVER", .xover(.current)),
    ("XOVER 5-", .xover(.range(.from(5)))),
    ("HDR Subject 1-2", .hdr(field: "subject", .range(.between(1, 2)))),
    ("HDR :bytes", .hdr(field: ":bytes", .current)),
    ("XHDR subject 3", .xhdr(field: "subject", .range(.single(3)))),
    ("XHDR X-FORLLM-Persona <a@b>", .xhdr(field: "x-forllm-persona", .messageID("<a@b>"))),
    (
        "XPAT SUBJECT  1- *pat*",
        .xpat(field: "subject", .range(.from(1)), pattern: try! Wildmat("*pat*", syntax: .uniwildmat))
    ),
    (
        "XPAT From 1-9 *a b* c",
        .xpat(field: "from", .range(.between(1, 9)), pattern: try! Wildmat("*a b* c", syntax: .uniwildmat))
    ),
    ("AUTHINFO USER fred", .authinfoUser("fred")),
    ("authinfo pass open sesame ", .authinfoPass("open sesame")),
    (
        "NEWNEWS news.*,!news.local 20240101 000000 GMT",
        .newNews(
            try! Wildmat("news.*,!news.local"),
            NNTPDateTime(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0, isGMT: true)
        )
    )
]

private let validCommands: [NNTPCommand] = validCommandLines.map { $0.1 }

@Suite("Command parser")
struct NNTPCommandParserTests {
    @Test("valid command lines", arguments: validCommandLines)
    func valid(line: String, expected: NNTPCommand) throws {
        #expect(try NNTPCommandParser.parseCommand(Array(line.utf8)) == expected)
    }

    @Test("encode → parse round trip", arguments: validCommands)
    func roundTrip(command: NNTPCommand) throws {
        var buffer = ByteBuffer()
        buffer.writeNNTPCommand(command)
        let wire = String(buffer: buffer)
        #expect(wire.hasSuffix("\r\n"))
        let parsed = try NNTPCommandParser.parseCommand(Array(wire.utf8.dropLast(2)))
        #expect(parsed == command)
    }

    static let unknownLines: [String] = [
        "", "   ", "IHAVE <a@b>", "SLAVE", "CHECK <a@b>", "TAKETHIS <a@b>", "XYZZY", "COMPRESS DEFLATE"
    ]

    @Test("unknown commands give 500", arguments: Self.unknownLines)
    func unknown(line: String) {
        do {
            let command = try NNTPCommandParser.parseCommand(Array(line.utf8))
            Issue.record("parsed \(line) as \(command)")
        } catch {
            #expect(error.code == .unknownCommand)
        }
    }

    static let invalidLines: [String] = [
        // Overflow: never a trap.
        "ARTICLE 18446744073709551616",
        "ARTICLE 9223372036854775808",
        "OVER 0-99999999999999999999999",
        "XOVER 99999999999999999999-",
        "LISTGROUP misc.test 1-18446744073709551616",
        // More than 16 digits (RFC 3977 §9.8), though it would fit an Int64; leading zeros count.
        "ARTICLE 12345678901234567", "HEAD 00000000000000001", "OVER 1-12345678901234567",
        "LISTGROUP misc.test 12345678901234567-",
        // Bad numbers and ranges.
        "ARTICLE -1", "ARTICLE 12a", "OVER -5", "OVER 1-2-3", "OVER a-b", "HEAD 1 2",
        // Message-ids.
        "ARTICLE <>", "ARTICLE <abc", "ARTICLE <a b>", "ARTICLE <a>b>", "STAT <\u{7F}@x>",
        "ARTICLE <" + String(repeating: "a", count: 249) + ">",
        // Missing or extra arguments.
        "GROUP", "GROUP a b", "MODE", "MODE STREAM", "QUIT now", "POST x", "HDR", "XHDR",
        "XPAT subject", "XPAT subject 1-", "AUTHINFO", "AUTHINFO USER", "AUTHINFO SASL PLAIN", "LIST OVERVIEW.FMT x",
        // LIST keywords we do not know.
        "LIST EXTENSIONS", "LIST XACTIVE", "LIST HEADERS FOO",
        // Dates.
        "NEWGROUPS", "NEWGROUPS 20240101", "NEWGROUPS 2024011 000000", "NEWGROUPS 20241301 000000",
        "NEWGROUPS 20240230 000000", "NEWGROUPS 20230229 000000", "NEWGROUPS 20240101 240000",
        "NEWGROUPS 20240101 126000", "NEWGROUPS 2024010a 000000", "NEWGROUPS 20240101 000000 UTC",
        "NEWNEWS * 20240101", "NEWNEWS", "NEWNEWS a,,b 20240101 000000",
        // Wildmats.
        "LIST ACTIVE [abc", "LIST ACTIVE abc\\"
    ]

    @Test("invalid arguments give 501", arguments: Self.invalidLines)
    func invalid(line: String) {
        do {
            let command = try NNTPCommandParser.parseCommand(Array(line.utf8))
            Issue.record("parsed \(line) as \(command)")
        } catch {
            #expect(error.code == .syntaxError, "\(line): \(error)")
            #expect(!error.hint.isEmpty)
        }
    }

    @Test("the longest message-id is accepted")
    func longestMessageID() throws {
        let id = "<" + String(repeating: "a", count: 248) + ">"
        #expect(try NNTPCommandParser.parseCommand(Array("STAT \(id)".utf8)) == .stat(.messageID(id)))
    }

    @Test("a ByteBuffer line parses like its bytes")
    func byteBuffer() throws {
        #expect(try NNTPCommandParser.parseCommand(ByteBuffer(string: "GROUP a.b")) == .group("a.b"))
    }

    @Test("AUTHINFO PASS is redacted in descriptions")
    func redacted() {
        #expect(!NNTPCommand.authinfoPass("secret").debugDescription.contains("secret"))
        #expect(NNTPCommand.group("a.b").debugDescription == "GROUP a.b")
    }
}
