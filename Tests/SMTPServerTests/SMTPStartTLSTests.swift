import FORLLMTestSupport
import LineServer
import NIOCore
import NIOEmbedded
import NIOTLS
import SMTPCore
import Testing

@testable import SMTPServer

/// `STARTTLS` (RFC 3207) in the session state machine and through the connection loop.
@Suite("SMTP STARTTLS")
struct SMTPStartTLSTests {
    static let tls = LineTLSInfo(protocolVersion: "TLSv1.3")

    static func greeted(tls: LineTLS.Mode?) -> SMTPSession {
        var session = SMTPSession(configuration: SMTPSessionTests.configuration, tls: tls)
        _ = session.greeting()
        return session
    }

    static func extensions(_ session: inout SMTPSession) -> [String] {
        guard case .send(let replies) = session.receive(SMTPSessionTests.line("EHLO client.test")) else {
            return []
        }
        return replies.flatMap(\.lines)
    }

    @Test("offered in EHLO before TLS; 220, then back to before EHLO, STARTTLS no longer offered")
    func startTLS() {
        var session = Self.greeted(tls: .startTLS)
        #expect(Self.extensions(&session).contains("STARTTLS"))
        _ = session.receive(SMTPSessionTests.line("MAIL FROM:<a@b.example>"))
        let action = session.receive(SMTPSessionTests.line("STARTTLS"))
        #expect(action == .startTLS([SMTPReply(.serviceReady, SMTPEnhancedStatusCode(2, 0, 0), "Ready to start TLS")]))
        // Plaintext pipelined after STARTTLS: dropped.
        #expect(session.receive(SMTPSessionTests.line("RCPT TO:<forllm.general@forllm.local>")) == .none)
        #expect(session.receive(SMTPSessionTests.line("QUIT")) == .none)

        #expect(session.tlsEstablished(Self.tls) == .none)
        #expect(session.clientName == nil)
        #expect(session.state == .command(nil))
        // MAIL before EHLO again: the client name was forgotten.
        #expect(SMTPSessionTests.codes(session.receive(SMTPSessionTests.line("MAIL FROM:<a@b.example>"))) == [503])
        #expect(!Self.extensions(&session).contains("STARTTLS"))
        #expect(SMTPSessionTests.reply(session.receive(SMTPSessionTests.line("STARTTLS")))?.code == .badSequence)
    }

    @Test("without TLS: not offered, 502 as before; with arguments: 501")
    func notOffered() {
        var session = Self.greeted(tls: nil)
        #expect(!Self.extensions(&session).contains("STARTTLS"))
        #expect(SMTPSessionTests.codes(session.receive(SMTPSessionTests.line("STARTTLS"))) == [502])
        var offered = Self.greeted(tls: .startTLS)
        #expect(SMTPSessionTests.codes(offered.receive(SMTPSessionTests.line("STARTTLS now"))) == [501])
    }

    @Test("idle timeout or shutdown during the handshake close without writing")
    func closeDuringHandshake() {
        var idle = Self.greeted(tls: .startTLS)
        _ = idle.receive(SMTPSessionTests.line("STARTTLS"))
        #expect(idle.idleTimedOut() == .close)
        var shutdown = Self.greeted(tls: .startTLS)
        _ = shutdown.receive(SMTPSessionTests.line("STARTTLS"))
        #expect(shutdown.shutdownRequested() == .close)
    }

    @Test("through the connection loop: commands pipelined after STARTTLS are not answered")
    func pipeline() async throws {
        var harness = try await SMTPPipelineTests.Harness(tls: .startTLS)
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        try await harness.send("EHLO client.test\r\n")
        try await harness.expect(
            "250-mail.test greets client.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n"
                + "250-SIZE 1048576\r\n250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n"
        )
        try await harness.send("STARTTLS\r\nMAIL FROM:<me@client.test>\r\nQUIT\r\n")
        try await harness.expect("220 2.0.0 Ready to start TLS\r\n")
        let channel = harness.channel
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        }
        try await harness.send("MAIL FROM:<me@client.test>\r\n")
        try await harness.expect("503 5.5.1 send EHLO or HELO first\r\n")
        try await harness.send("QUIT\r\n")
        try await harness.expect("221 2.0.0 mail.test closing connection\r\n")
        try await harness.loop.value
    }
}
