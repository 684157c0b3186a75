import FORLLMTestSupport
import LineServer
import NIOCore
import NIOEmbedded
import NIOTLS
import NNTPCore
import Testing

@testable import NNTPServer

/// `STARTTLS` (RFC 4642) in the session state machine and through the connection loop: when it
/// is offered, what it forgets, and that plaintext sent after it is never a command.
@Suite("STARTTLS")
struct NNTPStartTLSTests {
    private static func line(_ text: String) -> LineFrame {
        .line(ByteBuffer(string: text), .crlf)
    }

    private static func sent(_ action: NNTPSession.Action) -> String? {
        switch action {
        case .send(let bytes), .sendAndClose(let bytes): return String(buffer: bytes)
        case .execute, .post, .authenticate, .startTLS, .none, .close: return nil
        }
    }

    private static func started(
        tls: LineTLS.Mode?,
        authenticationRequired: Bool = false,
        peerIsLoopback: Bool = true
    ) -> NNTPSession {
        var session = NNTPSession(
            configuration: NNTPSessionConfiguration(authenticationRequired: authenticationRequired, tls: tls),
            peerIsLoopback: peerIsLoopback
        )
        _ = session.greeting()
        return session
    }

    private static func capabilities(_ session: inout NNTPSession) -> [String] {
        let text = Self.sent(session.receive(Self.line("CAPABILITIES"))) ?? ""
        return text.split(separator: "\r\n").map(String.init)
    }

    private static let tls = LineTLSInfo(protocolVersion: "TLSv1.3")

    @Test("offered on a STARTTLS port before TLS: 382, then the context is forgotten")
    func startTLS() {
        var session = Self.started(tls: .startTLS)
        #expect(Self.capabilities(&session).contains("STARTTLS"))
        #expect(session.receive(Self.line("GROUP misc.test")) == .execute(.group("misc.test")))
        var context = session.context
        context.selectedGroup = "misc.test"
        context.currentArticle = 1
        _ = session.commandExecuted(context: context)
        #expect(session.context.sentCapabilities)

        #expect(
            session.receive(Self.line("starttls"))
                == .startTLS(ByteBuffer(string: "382 Continue with TLS negotiation\r\n"))
        )
        #expect(session.state == .startingTLS)
        // Lines before the end of the handshake were sent in plaintext after STARTTLS: dropped.
        #expect(session.receive(Self.line("GROUP other.group")) == .none)
        #expect(session.receive(Self.line("QUIT")) == .none)
        #expect(session.receive(.overlongLine) == .none)
        #expect(session.state == .startingTLS)

        #expect(session.tlsEstablished(Self.tls) == .none)
        #expect(session.state == .command)
        #expect(session.context == NNTPSessionContext(isTLSActive: true))
        #expect(!Self.capabilities(&session).contains("STARTTLS"))
        #expect(Self.sent(session.receive(Self.line("STARTTLS"))) == "502 TLS is already active\r\n")
    }

    @Test("refused after authentication (502) and where no TLS is configured (580)")
    func refusals() {
        var session = Self.started(tls: .startTLS, authenticationRequired: true)
        let before = Self.capabilities(&session)
        #expect(before.contains("STARTTLS") && before.contains("AUTHINFO USER"))
        _ = session.receive(Self.line("AUTHINFO USER jane"))
        #expect(session.receive(Self.line("AUTHINFO PASS secret")) == .authenticate(user: "jane", password: "secret"))
        _ = session.authenticationCompleted(true)
        #expect(!Self.capabilities(&session).contains("STARTTLS"))
        #expect(
            Self.sent(session.receive(Self.line("STARTTLS"))) == "502 STARTTLS is not allowed after authentication\r\n"
        )

        var plain = Self.started(tls: nil)
        #expect(!Self.capabilities(&plain).contains("STARTTLS"))
        #expect(Self.sent(plain.receive(Self.line("STARTTLS"))) == "580 TLS is not configured on this server\r\n")
        #expect(Self.sent(plain.receive(Self.line("STARTTLS now")))?.hasPrefix("501 ") == true)
    }

    @Test("STARTTLS needs no login first, even where reading does")
    func beforeLogin() {
        var session = Self.started(tls: .startTLS, authenticationRequired: true)
        #expect(Self.sent(session.receive(Self.line("GROUP misc.test")))?.hasPrefix("480 ") == true)
        guard case .startTLS = session.receive(Self.line("STARTTLS")) else {
            Issue.record("STARTTLS was not started")
            return
        }
    }

    @Test("on an NNTPS port: TLS from the start, STARTTLS neither offered nor accepted")
    func implicit() {
        var session = Self.started(tls: .implicit)
        #expect(session.context.isTLSActive)
        #expect(session.tlsEstablished(Self.tls) == .none)
        #expect(!Self.capabilities(&session).contains("STARTTLS"))
        #expect(Self.sent(session.receive(Self.line("STARTTLS"))) == "502 TLS is already active\r\n")
        #expect(session.context.isTLSActive)
    }

    @Test("idle timeout or shutdown during the handshake close without writing")
    func closeDuringHandshake() {
        var idle = Self.started(tls: .startTLS)
        _ = idle.receive(Self.line("STARTTLS"))
        #expect(idle.idleTimedOut() == .close)
        #expect(idle.isClosed)
        var shutdown = Self.started(tls: .startTLS)
        _ = shutdown.receive(Self.line("STARTTLS"))
        #expect(shutdown.shutdownRequested() == .close)
        #expect(shutdown.isClosed)
    }

    @Test("through the connection loop: pipelined plaintext after STARTTLS is not answered")
    func pipeline() async throws {
        var harness = try await NNTPPipelineTests.Harness(tls: .startTLS)
        _ = try await harness.readLine()
        try await harness.send("GROUP forllm.general\r\n")
        #expect(try await harness.readLine().hasPrefix("211 "))
        // One write: STARTTLS and commands a client must not send before the handshake.
        try await harness.send("STARTTLS\r\nGROUP forllm.empty\r\nQUIT\r\n")
        try await harness.expect("382 Continue with TLS negotiation\r\n")
        let channel = harness.channel
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        }
        // Neither the pipelined GROUP nor QUIT ran; the selected group is forgotten.
        try await harness.send("STAT\r\n")
        try await harness.expect("412 no newsgroup selected\r\n")
        try await harness.send("CAPABILITIES\r\n")
        var capabilities: [String] = []
        while let line = Optional(try await harness.readLine()), line != ".\r\n" {
            capabilities.append(line)
        }
        #expect(capabilities.first?.hasPrefix("101 ") == true)
        #expect(!capabilities.contains("STARTTLS\r\n"))
        try await harness.send("QUIT\r\n")
        try await harness.expect("205 closing connection, goodbye\r\n")
        try await harness.loop.value
    }

    @Test("a client on another machine sends its password only over TLS: 483 before, AUTHINFO without USER")
    func passwordsWaitForTLS() {
        var remote = Self.started(tls: .startTLS, authenticationRequired: true, peerIsLoopback: false)
        #expect(Self.capabilities(&remote).contains("AUTHINFO"))
        #expect(!Self.capabilities(&remote).contains("AUTHINFO USER"))
        #expect(
            Self.sent(remote.receive(Self.line("AUTHINFO USER jane")))
                == "483 encryption required: STARTTLS first, then log in\r\n"
        )
        #expect(Self.sent(remote.receive(Self.line("AUTHINFO PASS secret")))?.hasPrefix("483 ") == true)
        _ = remote.receive(Self.line("STARTTLS"))
        _ = remote.tlsEstablished(Self.tls)
        #expect(Self.capabilities(&remote).contains("AUTHINFO USER"))
        #expect(Self.sent(remote.receive(Self.line("AUTHINFO USER jane"))) == "381 password required\r\n")

        // From this machine, or where no TLS is offered at all, the password goes as before.
        var local = Self.started(tls: .startTLS, authenticationRequired: true, peerIsLoopback: true)
        #expect(Self.sent(local.receive(Self.line("AUTHINFO USER jane"))) == "381 password required\r\n")
        var plain = Self.started(tls: nil, authenticationRequired: true, peerIsLoopback: false)
        #expect(Self.sent(plain.receive(Self.line("AUTHINFO USER jane"))) == "381 password required\r\n")
        var implicit = Self.started(tls: .implicit, authenticationRequired: true, peerIsLoopback: false)
        #expect(Self.sent(implicit.receive(Self.line("AUTHINFO USER jane"))) == "381 password required\r\n")
    }

    @Test(
        "loopback addresses",
        arguments: [
            ("127.0.0.1", true), ("127.9.8.7", true), ("::1", true), ("::ffff:127.0.0.1", true),
            ("192.168.1.20", false), ("::ffff:10.0.0.1", false), ("fe80::1", false)
        ]
    )
    func loopback(address: String, isLoopback: Bool) throws {
        let socket = try SocketAddress(ipAddress: address, port: 119)
        #expect(NNTPConnection.isLoopback(socket) == isLoopback)
    }
}
