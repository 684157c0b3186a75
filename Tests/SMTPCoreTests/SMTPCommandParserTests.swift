import NIOCore
import SMTPCore
import Testing

@Suite("SMTP command parser")
struct SMTPCommandParserTests {
    static func mailbox(_ local: String, _ domain: String) -> SMTPMailbox {
        SMTPMailbox(localPart: local, domain: domain)
    }

    static let valid: [(String, SMTPCommand)] = [
        ("EHLO client.example", .ehlo("client.example")),
        ("ehlo [127.0.0.1]", .ehlo("[127.0.0.1]")),
        ("EHLO  spaced.example  ", .ehlo("spaced.example")),
        ("HELO client", .helo("client")),
        ("MAIL FROM:<a@b.example>", .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters())),
        ("mail from:<a@b.example>", .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters())),
        ("MAIL FROM: <a@b.example>", .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters())),
        ("MAIL FROM:<>", .mail(.null, SMTPMailParameters())),
        (
            "MAIL FROM:<a.b+c@d-e.example> SIZE=1000 BODY=8BITMIME SMTPUTF8",
            .mail(
                .mailbox(mailbox("a.b+c", "d-e.example")),
                SMTPMailParameters(size: 1000, body: .eightBitMIME, isSMTPUTF8: true)
            )
        ),
        (
            "MAIL FROM:<a@b.example> body=7bit",
            .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters(body: .sevenBit))
        ),
        (
            "MAIL FROM:<a@b.example> SIZE=99999999999999999999",
            .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters(size: Int.max))
        ),
        (
            "MAIL FROM:<@relay.example,@other.example:a@b.example>",
            .mail(.mailbox(mailbox("a", "b.example")), SMTPMailParameters())
        ),
        (
            "MAIL FROM:<\"john doe\\\"x\"@b.example>",
            .mail(
                .mailbox(
                    SMTPMailbox(localPart: "john doe\"x", domain: "b.example", address: "\"john doe\\\"x\"@b.example")
                ),
                SMTPMailParameters()
            )
        ),
        ("MAIL FROM:<user@[192.0.2.1]>", .mail(.mailbox(mailbox("user", "[192.0.2.1]")), SMTPMailParameters())),
        (
            "MAIL FROM:<jöran@bücher.example> SMTPUTF8",
            .mail(.mailbox(mailbox("jöran", "bücher.example")), SMTPMailParameters(isSMTPUTF8: true))
        ),
        ("RCPT TO:<forllm.general@forllm.local>", .rcpt(.mailbox(mailbox("forllm.general", "forllm.local")))),
        ("rcpt to: <x@y.example>", .rcpt(.mailbox(mailbox("x", "y.example")))),
        ("RCPT TO:<Postmaster>", .rcpt(.postmaster)),
        ("RCPT TO:<postmaster>", .rcpt(.postmaster)),
        ("RCPT TO:<Postmaster@forllm.local>", .rcpt(.mailbox(mailbox("Postmaster", "forllm.local")))),
        ("DATA", .data),
        ("data", .data),
        ("RSET", .rset),
        ("NOOP", .noop),
        ("NOOP anything at all", .noop),
        ("QUIT", .quit),
        ("STARTTLS", .startTLS),
        ("starttls ", .startTLS),
        ("QUIT ", .quit),
        ("VRFY someone", .vrfy("someone")),
        ("EXPN list", .expn("list")),
        ("HELP", .help(nil)),
        ("HELP MAIL", .help("MAIL"))
    ]

    @Test("valid command lines", arguments: Self.valid)
    func parsesValid(_ line: String, _ expected: SMTPCommand) throws {
        #expect(try SMTPCommandParser.parseCommand(ByteBuffer(string: line)) == expected)
    }

    static let invalid: [(String, SMTPParserError.Code, Int)] = [
        ("", .unknownCommand, 500),
        ("FROB", .unknownCommand, 500),
        ("MAILFROM:<a@b.example>", .unknownCommand, 500),
        ("STARTTLS now", .syntaxError, 501),
        ("AUTH PLAIN AGFiAGM=", .commandNotImplemented, 502),
        ("BDAT 100 LAST", .commandNotImplemented, 502),
        ("EHLO", .syntaxError, 501),
        ("HELO ", .syntaxError, 501),
        ("MAIL", .syntaxError, 501),
        ("MAIL TO:<a@b.example>", .syntaxError, 501),
        ("MAIL FROM:a@b.example", .syntaxError, 501),
        ("MAIL FROM:<a@b.example", .syntaxError, 501),
        ("MAIL FROM:<a>", .syntaxError, 501),
        ("MAIL FROM:<@b.example>", .syntaxError, 501),
        ("MAIL FROM:<a..b@c.example>", .syntaxError, 501),
        ("MAIL FROM:<.a@c.example>", .syntaxError, 501),
        ("MAIL FROM:<a@-c.example>", .syntaxError, 501),
        ("MAIL FROM:<a@c.example.>", .syntaxError, 501),
        ("MAIL FROM:<a@c..example>", .syntaxError, 501),
        ("MAIL FROM:<a b@c.example>", .syntaxError, 501),
        ("MAIL FROM:<\"unterminated@c.example>", .syntaxError, 501),
        ("MAIL FROM:<a@[]>", .syntaxError, 501),
        ("MAIL FROM:<@relay.example a@b.example>", .syntaxError, 501),
        ("MAIL FROM:<a@b.example>x", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> SIZE=big", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> SIZE=", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> SIZE=123456789012345678901", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> SIZE=1 SIZE=2", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> BODY=BINARYMIME", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> SMTPUTF8=yes", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> -X", .syntaxError, 501),
        ("MAIL FROM:<a@b.example> RET=HDRS", .parameterNotRecognized, 555),
        ("MAIL FROM:<a@b.example> AUTH=<>", .parameterNotRecognized, 555),
        ("RCPT TO:<>", .syntaxError, 501),
        ("RCPT TO:", .syntaxError, 501),
        ("RCPT FROM:<a@b.example>", .syntaxError, 501),
        ("RCPT TO:<a@b.example> NOTIFY=NEVER", .parameterNotRecognized, 555),
        ("DATA now", .syntaxError, 501),
        ("RSET please", .syntaxError, 501),
        ("QUIT now", .syntaxError, 501),
        ("VRFY", .syntaxError, 501),
        ("EXPN", .syntaxError, 501)
    ]

    @Test("invalid command lines", arguments: Self.invalid)
    func refusesInvalid(_ line: String, _ code: SMTPParserError.Code, _ reply: Int) {
        #expect {
            try SMTPCommandParser.parseCommand(ByteBuffer(string: line))
        } throws: { error in
            guard let error = error as? SMTPParserError else {
                return false
            }
            return error.code == code && error.reply.code.rawValue == reply && !error.hint.isEmpty
        }
    }

    @Test(
        "control characters and invalid UTF-8 are syntax errors",
        arguments: [
            Array("NOOP\u{0}".utf8), Array("MAIL FROM:<a\u{0}@b.example>".utf8), [0], Array("EHLO a\rb".utf8),
            Array("EHLO \u{7F}".utf8), Array("EHLO ".utf8) + [0xFF, 0xFE],
            Array("MAIL FROM:<".utf8) + [0xC3] + Array("@b>".utf8)
        ]
    )
    func refusesBadBytes(_ line: [UInt8]) {
        #expect {
            try SMTPCommandParser.parseCommand(line)
        } throws: { error in
            (error as? SMTPParserError)?.code == .syntaxError
        }
    }

    @Test("a NUL names itself in the hint")
    func nulHint() throws {
        let error = try #require(throws: SMTPParserError.self) {
            try SMTPCommandParser.parseCommand(Array("NO\u{0}OP".utf8))
        }
        #expect(error.hint == "invalid character 0x00 in command")
        #expect(
            error.reply == SMTPReply(.syntaxError, SMTPEnhancedStatusCode(5, 5, 4), "invalid character 0x00 in command")
        )
    }

    @Test("encode, then parse: the same command", arguments: Self.valid.map(\.1))
    func roundTrip(_ command: SMTPCommand) throws {
        var buffer = ByteBuffer()
        buffer.writeSMTPCommand(command)
        let line = buffer.readableBytesView.dropLast(2)
        #expect(buffer.readableBytesView.suffix(2).elementsEqual([13, 10]))
        #expect(try SMTPCommandParser.parseCommand(Array(line)) == command)
    }

    @Test("the wire forms of paths")
    func pathDescriptions() {
        #expect(SMTPReversePath.null.description == "<>")
        #expect(SMTPForwardPath.postmaster.description == "<Postmaster>")
        #expect(SMTPReversePath.mailbox(Self.mailbox("a", "b.example")).description == "<a@b.example>")
        #expect(
            SMTPCommand.mail(.null, SMTPMailParameters(size: 5, isSMTPUTF8: true)).debugDescription
                == "MAIL FROM:<> SIZE=5 SMTPUTF8"
        )
        #expect(Self.mailbox("jöran", "b.example").isASCII == false)
        #expect(Self.mailbox("joran", "b.example").isASCII)
    }
}
