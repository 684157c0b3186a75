import FORLLMTestSupport
import LineServer
import Logging
import NIOCore
import NIOEmbedded
import SMTPCore
import Testing

@testable import SMTPServer

/// The real pipeline and connection loop on a `NIOAsyncTestingChannel`: exact wire strings.
@Suite("SMTP pipeline")
struct SMTPPipelineTests {
    struct Harness {
        var peer: TestingChannelPeer
        let backend: FakeSMTPBackend
        let loop: Task<Void, any Error>

        var channel: NIOAsyncTestingChannel { self.peer.channel }

        /// With `tls`, `STARTTLS` writes its reply and leaves the pipeline as it is; the test
        /// ends the "handshake" with `TLSUserEvent.handshakeCompleted`.
        init(
            configuration: SMTPServerConfiguration = SMTPServerConfiguration(hostname: "mail.test"),
            tls: LineTLS.Mode? = nil
        ) async throws {
            let (peer, asyncChannel) = try await TestingChannelPeer.connect(port: 25) { channel in
                try LineListener.configurePipeline(channel, configuration: configuration.listenerConfiguration)
            }
            let backend = FakeSMTPBackend()
            let connection = SMTPConnection(
                configuration: configuration,
                backend: backend,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                tls: tls,
                startTLS: { channel, reply in try await channel.writeAndFlush(reply) },
                isShuttingDown: { false }
            )
            self.peer = peer
            self.backend = backend
            self.loop = Task { try await connection.run(asyncChannel) }
        }

        func send(_ text: String) async throws {
            try await self.peer.send(text)
        }

        func send(bytes: [UInt8]) async throws {
            try await self.peer.send(bytes: bytes)
        }

        /// Reads exactly as many bytes as `expected` has and compares.
        mutating func expect(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let actual = try await self.peer.read(expected.utf8.count)
            #expect(String(decoding: actual, as: UTF8.self) == expected, sourceLocation: sourceLocation)
        }
    }

    @Test("greeting, EHLO, a pipelined transaction and QUIT, byte for byte")
    func pipelinedSession() async throws {
        var harness = try await Harness()
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        try await harness.send(
            "EHLO client.test\r\nMAIL FROM:<me@client.test> BODY=8BITMIME\r\nRCPT TO:<forllm.general@forllm.local>\r\n"
                + "RCPT TO:<nobody@forllm.local>\r\nDATA\r\n"
        )
        try await harness.expect(
            "250-mail.test greets client.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n"
                + "250-SIZE 1048576\r\n250 ENHANCEDSTATUSCODES\r\n"
                + "250 2.1.0 <me@client.test> sender OK\r\n"
                + "250 2.1.5 <forllm.general@forllm.local> recipient OK\r\n"
                + "550 5.1.1 <nobody@forllm.local>: no such group or persona\r\n"
                + "354 end data with <CR><LF>.<CR><LF>\r\n"
        )
        try await harness.send("Subject: pipelined\r\n\r\n..stuffed\r\n.\r\nQUIT\r\n")
        try await harness.expect(
            "250 2.0.0 message accepted as <1@forllm.local>\r\n221 2.0.0 mail.test closing connection\r\n"
        )
        try await harness.loop.value
        let delivery = try #require(harness.backend.deliveries.first)
        #expect(delivery.text == "Subject: pipelined\r\n\r\n.stuffed\r\n")
        #expect(delivery.envelope.recipients.map(\.address) == ["forllm.general@forllm.local"])
        #expect(delivery.envelope.parameters.body == .eightBitMIME)
        #expect(delivery.envelope.clientName == "client.test")
    }

    @Test("a NUL in a command gets 501, the session goes on")
    func nul() async throws {
        var harness = try await Harness()
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        try await harness.send(bytes: Array("NO".utf8) + [0] + Array("OP\r\nNOOP\r\n".utf8))
        try await harness.expect("501 5.5.4 invalid character 0x00 in command\r\n250 2.0.0 OK\r\n")
    }

    @Test("the idle timeout closes the connection with 421; activity resets it")
    func idleTimeout() async throws {
        var harness = try await Harness(
            configuration: SMTPServerConfiguration(hostname: "mail.test", idleTimeout: .seconds(30))
        )
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(29))
        try await harness.send("NOOP\r\n")
        try await harness.expect("250 2.0.0 OK\r\n")
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(29))
        try await harness.send("NOOP\r\n")
        try await harness.expect("250 2.0.0 OK\r\n")
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(31))
        try await harness.expect("421 4.4.2 mail.test idle timeout, closing connection\r\n")
        try await harness.loop.value
        try await harness.channel.closeFuture.get()
    }

    @Test("a shutdown notice closes a waiting session with 421")
    func shutdownNotice() async throws {
        var harness = try await Harness()
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        harness.channel.pipeline.fireUserInboundEventTriggered(LineShutdownEvent())
        try await harness.expect("421 4.3.2 mail.test server shutting down, closing connection\r\n")
        try await harness.loop.value
    }

    @Test("input closed in the middle of DATA delivers nothing")
    func closedDuringData() async throws {
        var harness = try await Harness()
        try await harness.expect("220 mail.test ESMTP FORLLM ready\r\n")
        try await harness.send(
            "HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<forllm.general@forllm.local>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a bo"
        )
        try await harness.expect(
            "250 mail.test greets c\r\n250 2.1.0 <> sender OK\r\n250 2.1.5 <forllm.general@forllm.local> recipient OK\r\n"
                + "354 end data with <CR><LF>.<CR><LF>\r\n"
        )
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try await harness.loop.value
        #expect(harness.backend.deliveries.isEmpty)
    }
}
