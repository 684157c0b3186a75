import FORLLMTestSupport
import NIOCore
import SMTPCore
import SMTPServer
import ServiceLifecycle
import Testing

/// The server on a real socket at 127.0.0.1, a real TCP client, and the fake backend.
@Suite("SMTP server over TCP", .endToEnd)
struct SMTPServerSocketTests {
    /// `MAIL`, `RCPT` for each recipient and `DATA`, each expected to succeed.
    static func begin(_ client: NNTPTestClient, from: String = "<me@client.test>", to: [String]) async throws {
        #expect(try await client.smtp("MAIL FROM:\(from)").code == 250)
        for recipient in to {
            #expect(try await client.smtp("RCPT TO:\(recipient)").code == 250)
        }
        #expect(try await client.smtp("DATA").code == 354)
    }

    @Test("a pipelined session: every command in one packet, every reply in order")
    func pipelined() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connect()
            #expect(try await client.readReply() == SMTPTestReply(code: 220, lines: ["mail.test ESMTP FORLLM ready"]))
            try await client.sendRaw(
                "EHLO client.test\r\nMAIL FROM:<me@client.test>\r\nRCPT TO:<forllm.general@forllm.local>\r\n"
                    + "RCPT TO:<nobody@forllm.local>\r\nRCPT TO:<forllm.misc@forllm.local>\r\nDATA\r\n"
            )
            let ehlo = try await client.readReply()
            #expect(ehlo.code == 250)
            #expect(ehlo.lines.contains("PIPELINING"))
            #expect(try await client.readReply().code == 250)
            #expect(try await client.readReply().code == 250)
            #expect(
                try await client.readReply()
                    == SMTPTestReply(code: 550, lines: ["5.1.1 <nobody@forllm.local>: no such group or persona"])
            )
            #expect(try await client.readReply().code == 250)
            #expect(try await client.readReply().code == 354)
            try await client.sendRaw(
                "Subject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<forllm.misc@forllm.local>\r\nDATA\r\n"
            )
            #expect(
                try await client.readReply()
                    == SMTPTestReply(code: 250, lines: ["2.0.0 message accepted as <1@forllm.local>"])
            )
            #expect(try await client.readReply().code == 250)
            #expect(try await client.readReply().code == 250)
            #expect(try await client.readReply().code == 354)
            try await client.sendRaw("Subject: two\r\n\r\n.\r\nQUIT\r\n")
            #expect(try await client.readReply().code == 250)
            #expect(
                try await client.readReply() == SMTPTestReply(code: 221, lines: ["2.0.0 mail.test closing connection"])
            )
            #expect(try await client.readUntilClosed().isEmpty)
            let deliveries = server.backend.deliveries
            #expect(deliveries.map(\.text) == ["Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\n"])
            #expect(
                deliveries.first?.envelope.recipients.map(\.address) == [
                    "forllm.general@forllm.local", "forllm.misc@forllm.local"
                ]
            )
            #expect(deliveries.last?.envelope.reversePath == .null)
        }
    }

    @Test("dot-stuffed lines arrive unstuffed")
    func dotStuffing() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            try await client.sendRaw("Subject: dots\r\n\r\n..leading dot\r\n...\r\n..\r\nend.\r\n.\r\n")
            #expect(try await client.readReply().code == 250)
            #expect(
                server.backend.deliveries.map(\.text) == ["Subject: dots\r\n\r\n.leading dot\r\n..\r\n.\r\nend.\r\n"]
            )
        }
    }

    @Test("SMTP smuggling: a bare-LF terminator does not end the message, so no second one starts")
    func smuggling() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            try await client.sendRaw(
                "Subject: outer\r\n\r\nhi\n.\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<forllm.misc@forllm.local>\r\n"
                    + "DATA\r\nSubject: smuggled\r\n\r\n.\r\n"
            )
            #expect(try await client.readReply().code == 250)
            #expect(try await client.smtp("NOOP").code == 250)
            #expect(
                server.backend.deliveries.map(\.text) == [
                    "Subject: outer\r\n\r\nhi\r\n.\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<forllm.misc@forllm.local>\r\n"
                        + "DATA\r\nSubject: smuggled\r\n\r\n"
                ]
            )
        }
    }

    @Test("an 8-bit UTF-8 body and an SMTPUTF8 address, byte for byte")
    func eightBitAndUTF8() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await Self.begin(
                client,
                from: "<jöran@bücher.example> SMTPUTF8 BODY=8BITMIME",
                to: ["<jöran@forllm.local>"]
            )
            let message: [UInt8] =
                Array("From: Jöran <jöran@bücher.example>\r\nSubject: Grüße\r\n\r\n日本語 ñ €\r\n".utf8) + [0xE9, 13, 10]
            try await client.sendRaw(message + Array(".\r\n".utf8))
            #expect(try await client.readReply().code == 250)
            let delivery = try #require(server.backend.deliveries.first)
            #expect(delivery.message == message)
            #expect(delivery.envelope.reversePath.mailbox?.localPart == "jöran")
            #expect(delivery.envelope.reversePath.mailbox?.domain == "bücher.example")
            #expect(delivery.envelope.recipients == [SMTPMailbox(localPart: "jöran", domain: "forllm.local")])
            #expect(delivery.envelope.parameters == SMTPMailParameters(body: .eightBitMIME, isSMTPUTF8: true))
        }
    }

    @Test("an oversize message gets 552 after its end; the session is usable afterwards")
    func oversize() async throws {
        try await SMTPTestServer.with(configuration: SMTPServerConfiguration(maximumMessageBytes: 1000)) { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.smtp("MAIL FROM:<me@client.test> SIZE=1001").code == 552)
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            let line = String(repeating: "x", count: 98) + "\r\n"
            try await client.sendRaw(String(repeating: line, count: 50) + ".\r\n")
            #expect(
                try await client.readReply()
                    == SMTPTestReply(code: 552, lines: ["5.3.4 message too large (5000 octets, limit 1000)"])
            )
            #expect(try await client.smtp("NOOP").code == 250)
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            try await client.sendRaw("Subject: small\r\n\r\nfits\r\n.\r\n")
            #expect(try await client.readReply().code == 250)
            #expect(server.backend.deliveries.map(\.text) == ["Subject: small\r\n\r\nfits\r\n"])
        }
    }

    @Test("an unknown recipient: 550 naming it; DATA with no valid recipient: 554")
    func unknownRecipient() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.smtp("MAIL FROM:<me@client.test>").code == 250)
            #expect(
                try await client.smtp("RCPT TO:<forllm.nope@forllm.local>")
                    == SMTPTestReply(code: 550, lines: ["5.1.1 <forllm.nope@forllm.local>: no such group or persona"])
            )
            #expect(
                try await client.smtp("RCPT TO:<busy@forllm.local>")
                    == SMTPTestReply(code: 451, lines: ["4.3.0 <busy@forllm.local>: the store is busy, try again"])
            )
            #expect(try await client.smtp("DATA") == SMTPTestReply(code: 554, lines: ["5.5.1 no valid recipients"]))
            #expect(server.backend.checked.map(\.address) == ["forllm.nope@forllm.local", "busy@forllm.local"])
        }
    }

    @Test("a refused message: 554 with the backend's reason; a temporary failure: 451")
    func refusedMessage() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            try await client.sendRaw("Subject: refuse me\r\n\r\nbody\r\n.\r\n")
            #expect(
                try await client.readReply()
                    == SMTPTestReply(code: 554, lines: ["5.6.0 not a valid article: no From header"])
            )
            try await Self.begin(client, to: ["<forllm.general@forllm.local>"])
            try await client.sendRaw("Subject: try later\r\n\r\nbody\r\n.\r\n")
            #expect(try await client.readReply() == SMTPTestReply(code: 451, lines: ["4.3.0 the store is busy"]))
            #expect(server.backend.deliveries.isEmpty)
        }
    }

    @Test("RSET in the middle of a transaction forgets it")
    func rset() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.smtp("MAIL FROM:<me@client.test>").code == 250)
            #expect(try await client.smtp("RCPT TO:<forllm.general@forllm.local>").code == 250)
            #expect(try await client.smtp("RSET") == SMTPTestReply(code: 250, lines: ["2.0.0 OK"]))
            #expect(try await client.smtp("DATA") == SMTPTestReply(code: 503, lines: ["5.5.1 send MAIL first"]))
            #expect(try await client.smtp("RCPT TO:<forllm.general@forllm.local>").code == 503)
            try await Self.begin(client, from: "<other@client.test>", to: ["<forllm.misc@forllm.local>"])
            try await client.sendRaw("Subject: after rset\r\n\r\n.\r\n")
            #expect(try await client.readReply().code == 250)
            let delivery = try #require(server.backend.deliveries.first)
            #expect(delivery.envelope.reversePath.mailbox?.address == "other@client.test")
            #expect(delivery.envelope.recipients.map(\.address) == ["forllm.misc@forllm.local"])
        }
    }

    @Test("QUIT: 221, then the server closes")
    func quit() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await client.send("QUIT")
            #expect(try await client.readUntilClosed() == ["221 2.0.0 mail.test closing connection"])
        }
    }

    @Test("a command line too long gets 500, once, and the session goes on")
    func lineTooLong() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            #expect(
                try await client.smtp("NOOP " + String(repeating: "x", count: 3000))
                    == SMTPTestReply(code: 500, lines: ["5.5.0 line too long (2048 octets at most)"])
            )
            // Far beyond what the framing buffers: still one 500.
            try await client.send("MAIL FROM:<" + String(repeating: "y", count: 200_000) + "@b.example>")
            #expect(try await client.readReply().code == 500)
            #expect(try await client.smtp("NOOP").code == 250)
        }
    }

    @Test("a NUL in a command: 501, not a crash")
    func nul() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connectAndGreet()
            try await client.sendRaw(Array("MAIL FROM:<a".utf8) + [0] + Array("@b.example>\r\n".utf8))
            #expect(
                try await client.readReply()
                    == SMTPTestReply(code: 501, lines: ["5.5.4 invalid character 0x00 in command"])
            )
            try await client.sendRaw([0, 13, 10])
            #expect(try await client.readReply().code == 501)
            #expect(try await client.smtp("MAIL FROM:<a@b.example>").code == 250)
        }
    }

    @Test("unknown, unimplemented and badly formed commands, and a bad sequence")
    func errors() async throws {
        try await SMTPTestServer.with { server in
            let client = try await server.connect()
            #expect(try await client.readReply().code == 220)
            #expect(
                try await client.smtp("MAIL FROM:<a@b.example>")
                    == SMTPTestReply(code: 503, lines: ["5.5.1 send EHLO or HELO first"])
            )
            #expect(try await client.smtp("FROB") == SMTPTestReply(code: 500, lines: ["5.5.2 command not recognized"]))
            #expect(
                try await client.smtp("STARTTLS") == SMTPTestReply(code: 502, lines: ["5.5.1 STARTTLS not implemented"])
            )
            #expect(try await client.smtp("EHLO").code == 501)
            #expect(try await client.smtp("HELO c").code == 250)
            #expect(try await client.smtp("MAIL FROM:a@b.example").code == 501)
            #expect(try await client.smtp("VRFY forllm.general").code == 252)
            #expect(try await client.smtp("EXPN forllm").code == 502)
            #expect(try await client.smtp("HELP").code == 214)
        }
    }

    @Test("too many recipients: 452")
    func tooManyRecipients() async throws {
        try await SMTPTestServer.with(configuration: SMTPServerConfiguration(maximumRecipients: 1)) { server in
            let client = try await server.connectAndGreet()
            #expect(try await client.smtp("MAIL FROM:<a@b.example>").code == 250)
            #expect(try await client.smtp("RCPT TO:<forllm.general@forllm.local>").code == 250)
            #expect(
                try await client.smtp("RCPT TO:<forllm.misc@forllm.local>")
                    == SMTPTestReply(code: 452, lines: ["4.5.3 too many recipients (1 at most)"])
            )
        }
    }

    @Test("an idle connection is closed with 421")
    func idleTimeout() async throws {
        try await SMTPTestServer.with(configuration: SMTPServerConfiguration(idleTimeout: .milliseconds(300))) {
            server in
            // Nothing is sent at all: however slow the machine, the client reads the greeting,
            // then the 421 (activity resetting the timer is tested on the event loop's clock in
            // the pipeline tests).
            let client = try await server.connect()
            #expect(
                try await client.readUntilClosed() == [
                    "220 mail.test ESMTP FORLLM ready", "421 4.4.2 mail.test idle timeout, closing connection"
                ]
            )
        }
    }

    @Test("graceful shutdown: a message in flight is answered, then 421; waiting sessions get 421 at once")
    func gracefulShutdown() async throws {
        let backend = FakeSMTPBackend()
        try await SMTPTestServer.with(backend: backend) { server in
            let busy = try await server.connectAndGreet()
            let waiting = try await server.connectAndGreet()
            backend.holdDeliveries()
            try await Self.begin(busy, to: ["<forllm.general@forllm.local>"])
            try await busy.sendRaw("Subject: in flight\r\n\r\n.\r\n")
            await backend.waitUntilDeliveryIsHeld()
            await server.group.triggerGracefulShutdown()
            #expect(
                try await waiting.readUntilClosed() == ["421 4.3.2 mail.test server shutting down, closing connection"]
            )
            backend.releaseDeliveries()
            #expect(
                try await busy.readUntilClosed() == [
                    "250 2.0.0 message accepted as <1@forllm.local>",
                    "421 4.3.2 mail.test server shutting down, closing connection"
                ]
            )
        }
    }

    @Test("too many connections: the one over gets 421")
    func tooManyConnections() async throws {
        try await SMTPTestServer.with(configuration: SMTPServerConfiguration(maximumConnections: 1)) { server in
            let first = try await server.connectAndGreet()
            let second = try await server.connect()
            #expect(try await second.readUntilClosed() == ["421 4.3.2 mail.test too many connections, try again later"])
            #expect(try await first.smtp("NOOP").code == 250)
        }
    }
}
