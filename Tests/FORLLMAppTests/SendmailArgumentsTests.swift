import FORLLMApp
import Testing

@Suite("sendmail command lines")
struct SendmailArgumentsTests {
    @Test(
        "what mail clients run parses",
        arguments: [
            // mutt / neomutt
            (
                ["-oem", "-oi", "--", "forllm.general@forllm.local"], false, true, nil as String?,
                ["forllm.general@forllm.local"]
            ),
            // git send-email
            (
                ["-i", "-f", "me@example.org", "a@forllm.local", "b@forllm.local"], false, true, "me@example.org",
                ["a@forllm.local", "b@forllm.local"]
            ),
            // aerc, attached values, ignored options with values
            (["-fme@example.org", "-B", "8BITMIME", "-N", "never", "-odb", "-t"], true, false, "me@example.org", []),
            (
                ["-r", "x@y", "-v", "-bm", "-Rhdrs", "--", "-weird@forllm.local"], false, false, "x@y",
                ["-weird@forllm.local"]
            )
        ]
    )
    func parses(arguments: [String], fromHeaders: Bool, ignoreDots: Bool, sender: String?, recipients: [String]) throws
    {
        let parsed = try SendmailArguments.parse(arguments)
        #expect(parsed.recipientsFromHeaders == fromHeaders)
        #expect(parsed.ignoreDots == ignoreDots)
        #expect(parsed.sender == sender)
        #expect(parsed.recipients == recipients)
    }

    @Test("--config, --database and --log-level, with or without '='")
    func globalOptions() throws {
        let parsed = try SendmailArguments.parse([
            "--config=c.yaml", "--database", "d.db", "--log-level", "debug", "a@b"
        ])
        #expect(parsed.config == "c.yaml")
        #expect(parsed.database == "d.db")
        #expect(parsed.logLevel == "debug")
        #expect(parsed.recipients == ["a@b"])
    }

    @Test(
        "unknown options, other modes and missing values are usage errors",
        arguments: [
            ["-bs"], ["-bp"], ["-Z"], ["--bogus", "x"], ["-f"], ["--database"]
        ]
    )
    func refused(arguments: [String]) {
        #expect(throws: SendmailUsageError.self) { _ = try SendmailArguments.parse(arguments) }
    }

    @Test("without -i a lone dot ends the message; with it, it does not")
    func loneDot() {
        let input = Array("Subject: s\n\nline\n.\nafter\n".utf8)
        #expect(Sendmail.message(from: input, ignoreDots: false) == Array("Subject: s\n\nline\n".utf8))
        #expect(Sendmail.message(from: input, ignoreDots: true) == input)
        let crlf = Array("Subject: s\r\n\r\n..\r\n.\r\nafter".utf8)
        #expect(Sendmail.message(from: crlf, ignoreDots: false) == Array("Subject: s\r\n\r\n..\r\n".utf8))
        #expect(Sendmail.message(from: Array("no dot\n. \n".utf8), ignoreDots: false) == Array("no dot\n. \n".utf8))
    }
}
