import FORLLMTestSupport
import Foundation
import SMTPCore
import SMTPServer
import Testing

/// Python's `smtplib`: a real third-party client, `sendmail()` and `send_message()`.
/// Skipped where no Python 3 is installed.
@Suite("Python smtplib", .endToEnd)
struct SMTPPythonInteropTests {
    static let python = PythonScript.interpreter(importing: "smtplib, email.message")

    static let script = #"""
        import smtplib, sys
        from email.message import EmailMessage
        out = []
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.test", timeout=10)
        code, _ = s.ehlo()
        out.append(f"ehlo {code} " + ",".join(sorted(s.esmtp_features)))
        out.append("size " + s.esmtp_features["size"])
        raw = (b"From: Py <py@example.com>\r\nTo: forllm.general@forllm.local\r\nSubject: by sendmail\r\n\r\n"
               b".leading dot\r\n..two dots\r\nlast\n")
        refused = s.sendmail("py@example.com", ["forllm.general@forllm.local", "nobody@forllm.local"], raw)
        out.append("sendmail refused " + ",".join(f"{k}={v[0]}" for k, v in refused.items()))
        msg = EmailMessage()
        msg["From"] = "Jöran <jöran@bücher.example>"
        msg["To"] = "jöran@forllm.local"
        msg["Subject"] = "Grüße"
        msg.set_content("Grüße aus Köln.\n.dot line\n", cte="8bit")
        refused = s.send_message(msg)
        out.append(f"send_message refused {len(refused)}")
        try:
            s.sendmail("py@example.com", ["nobody@forllm.local"], raw)
        except smtplib.SMTPRecipientsRefused as e:
            out.append("all refused " + ",".join(f"{k}={v[0]}" for k, v in e.recipients.items()))
        try:
            s.sendmail("py@example.com", ["forllm.misc@forllm.local"], b"Subject: refuse me\r\n\r\nx\r\n")
        except smtplib.SMTPDataError as e:
            out.append(f"data error {e.smtp_code} {e.smtp_error.decode()}")
        try:
            s.sendmail("py@example.com", ["forllm.misc@forllm.local"], b"Subject: big\r\n\r\n" + b"x" * 5000 + b"\r\n")
        except smtplib.SMTPSenderRefused as e:
            out.append(f"too big {e.smtp_code}")
        out.append(f"noop {s.noop()[0]}")
        out.append(f"quit {s.quit()[0]}")
        print("\n".join(out))
        """#

    @Test("smtplib: EHLO, sendmail(), send_message() with SMTPUTF8, refusals, QUIT", .enabled(if: Self.python != nil))
    func smtplib() async throws {
        let python = try #require(Self.python)
        let configuration = SMTPServerConfiguration(maximumMessageBytes: 4096)
        try await SMTPTestServer.with(configuration: configuration) { server in
            let output = try await Self.run(python, port: server.port)
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.contains("ehlo 250 8bitmime,enhancedstatuscodes,pipelining,size,smtputf8"))
            #expect(lines.contains("size 4096"))
            #expect(lines.contains("sendmail refused nobody@forllm.local=550"))
            #expect(lines.contains("send_message refused 0"))
            #expect(lines.contains("all refused nobody@forllm.local=550"))
            #expect(lines.contains("data error 554 5.6.0 not a valid article: no From header"))
            // smtplib sends SIZE= when the server advertises it: refused at MAIL.
            #expect(lines.contains("too big 552"))
            #expect(lines.contains("noop 250"))
            #expect(lines.contains("quit 221"))

            let deliveries = server.backend.deliveries
            #expect(deliveries.count == 2)
            let sent = try #require(deliveries.first)
            #expect(sent.envelope.reversePath.mailbox?.address == "py@example.com")
            #expect(sent.envelope.recipients.map(\.address) == ["forllm.general@forllm.local"])
            #expect(sent.envelope.clientName == "py.test")
            // smtplib leaves bytes as they are: the bare LF after "last" arrives as a line end
            // (stored as CRLF), and the CRLF smtplib adds before "." is an empty line.
            #expect(sent.text.hasSuffix("\r\n\r\n.leading dot\r\n..two dots\r\nlast\r\n\r\n"))
            let international = try #require(deliveries.last)
            #expect(international.envelope.parameters.isSMTPUTF8)
            #expect(international.envelope.reversePath.mailbox?.address == "jöran@bücher.example")
            #expect(international.envelope.recipients.map(\.address) == ["jöran@forllm.local"])
            #expect(international.text.contains("Subject: Grüße\r\n"))
            #expect(international.text.contains("\r\n\r\nGrüße aus Köln.\r\n.dot line\r\n"))
        }
    }

    /// Runs the script against the server on `port`; a failing script fails the test.
    private static func run(_ python: String, port: Int) async throws -> String {
        let outcome = try await PythonScript.run(python, script: Self.script, arguments: [String(port)])
        #expect(outcome.status == 0, "smtplib failed: \(outcome.errors)")
        return outcome.output
    }
}
