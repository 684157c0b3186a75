import FORLLMTestSupport
import Foundation
import LineServer
import Logging
import NIOCore
import NIOEmbedded
import NNTPCore
import Synchronization
import Testing

@testable import NNTPServer

/// The real pipeline and connection loop on a `NIOAsyncTestingChannel`: exact wire strings.
@Suite("Pipeline")
struct NNTPPipelineTests {
    /// A connection under test: the channel, its loop running in a task, and what was written.
    struct Harness {
        var peer: TestingChannelPeer
        let backend: FakeNNTPBackend
        let loop: Task<Void, any Error>
        /// The delays failed logins waited (recorded, not slept).
        let loginDelays = DelayLog()

        final class DelayLog: Sendable {
            private let delays = Mutex<[Duration]>([])
            func append(_ delay: Duration) { self.delays.withLock { $0.append(delay) } }
            var all: [Duration] { self.delays.withLock { $0 } }
        }

        var channel: NIOAsyncTestingChannel { self.peer.channel }

        /// With `tls`, `STARTTLS` writes its reply and leaves the pipeline as it is; the test
        /// ends the "handshake" with `TLSUserEvent.handshakeCompleted`.
        init(
            configuration: NNTPServerConfiguration = NNTPServerConfiguration(hostname: "news.test"),
            tls: LineTLS.Mode? = nil,
            loginThrottle: NNTPLoginThrottle = NNTPLoginThrottle()
        ) async throws {
            let (peer, asyncChannel) = try await TestingChannelPeer.connect(port: 119) { channel in
                try LineListener.configurePipeline(channel, configuration: configuration.listenerConfiguration)
            }
            let backend = FakeNNTPBackend.standard()
            var sessionConfiguration = configuration.sessionConfiguration
            sessionConfiguration.tls = tls
            let connection = NNTPConnection(
                configuration: sessionConfiguration,
                executor: NNTPCommandExecutor(
                    backend: backend,
                    configuration: sessionConfiguration,
                    now: { Date(timeIntervalSince1970: 1_700_000_000) }
                ),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                startTLS: { channel, reply in try await channel.writeAndFlush(reply) },
                isShuttingDown: { false },
                loginThrottle: loginThrottle,
                loginDelay: { [loginDelays] delay in loginDelays.append(delay) },
                peerAddress: "192.0.2.7"
            )
            self.peer = peer
            self.backend = backend
            self.loop = Task { try await connection.run(asyncChannel) }
        }

        func send(_ text: String) async throws {
            try await self.peer.send(text)
        }

        /// Reads one line, CRLF included.
        mutating func readLine() async throws -> String {
            try await self.peer.readLine()
        }

        /// Reads exactly as many bytes as `expected` has and compares.
        mutating func expect(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let actual = try await self.peer.read(expected.utf8.count)
            #expect(String(decoding: actual, as: UTF8.self) == expected, sourceLocation: sourceLocation)
        }
    }

    @Test("greeting, CAPABILITIES, MODE READER and QUIT, byte for byte")
    func greetingAndCapabilities() async throws {
        var harness = try await Harness(
            configuration: NNTPServerConfiguration(hostname: "news.test", implementation: "FORLLM 1.2.3")
        )
        try await harness.expect("200 news.test FORLLM NNTP service ready, posting allowed\r\n")
        try await harness.send("CAPABILITIES\r\n")
        try await harness.expect(
            "101 Capability list:\r\nVERSION 2\r\nIMPLEMENTATION FORLLM 1.2.3\r\nREADER\r\nPOST\r\n"
                + "LIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS HEADERS NEWSGROUPS OVERVIEW.FMT\r\n"
                + "OVER MSGID\r\nHDR\r\nNEWNEWS\r\nXPAT\r\n.\r\n"
        )
        try await harness.send("MODE READER\r\nQUIT\r\n")
        try await harness.expect("200 reader mode, posting allowed\r\n205 closing connection, goodbye\r\n")
        try await harness.loop.value
        try await harness.channel.closeFuture.get()
    }

    @Test("failed logins wait longer each time, a success clears the count; the user posts as themself")
    func loginDelaysAndUser() async throws {
        let throttle = NNTPLoginThrottle()
        var harness = try await Harness(
            configuration: NNTPServerConfiguration(hostname: "news.test", authenticationRequired: true),
            loginThrottle: throttle
        )
        _ = try await harness.readLine()
        for _ in 0..<3 {
            try await harness.send("AUTHINFO USER fred\r\nAUTHINFO PASS wrong\r\n")
            try await harness.expect("381 password required\r\n481 authentication failed\r\n")
        }
        #expect(harness.loginDelays.all == [.milliseconds(500), .seconds(1), .seconds(2)])
        try await harness.send("AUTHINFO USER fred\r\nAUTHINFO PASS open sesame\r\n")
        try await harness.expect("381 password required\r\n281 authentication accepted\r\n")
        // Cleared: the next client from that address starts again at the first delay.
        #expect(throttle.failed(from: "192.0.2.7", at: .now).failures == 1)
        try await harness.send("POST\r\n")
        _ = try await harness.readLine()
        try await harness.send("From: fred@example.org\r\nNewsgroups: forllm.general\r\nSubject: s\r\n\r\nb\r\n.\r\n")
        #expect(try await harness.readLine().hasPrefix("240 "))
        #expect(harness.backend.postedBy == ["fred"])
    }

    @Test("POST in many small writes, then the article comes back dot-stuffed")
    func postConversation() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        try await harness.send("POST\r\n")
        try await harness.expect("340 send article to be posted, end with <CR-LF>.<CR-LF>\r\n")
        let article =
            "From: Dan <dan@example.com>\r\nNewsgroups: forllm.general\r\nSubject: dots\r\n"
            + "Message-ID: <dots@test.example>\r\n..X-Leading-Dot: yes\r\n\r\n..\r\n...stuffed\r\nend\r\n.\r\n"
        for byte in article.utf8 {
            try await harness.channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        try await harness.expect("240 article received <dots@test.example>\r\n")
        let stored = try #require(harness.backend.posted.last)
        #expect(
            String(decoding: stored, as: UTF8.self)
                == "From: Dan <dan@example.com>\r\nNewsgroups: forllm.general\r\nSubject: dots\r\n"
                + "Message-ID: <dots@test.example>\r\n.X-Leading-Dot: yes\r\n\r\n.\r\n..stuffed\r\nend\r\n"
        )
        try await harness.send("ARTICLE <dots@test.example>\r\n")
        try await harness.expect("220 0 <dots@test.example> article\r\n" + article)
        try await harness.send("QUIT\r\n")
        _ = try await harness.readLine()
        try await harness.loop.value
    }

    @Test("pipelined commands are answered in order, each response in one write")
    func pipelining() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        try await harness.send("GROUP forllm.general\r\nSTAT\r\nNEXT\r\nBOGUS\r\nSTAT 3\r\nDATE\r\n")
        var writes: [String] = []
        for _ in 0..<6 {
            writes.append(String(buffer: try await harness.channel.waitForOutboundWrite(as: ByteBuffer.self)))
        }
        #expect(
            writes == [
                "211 3 1 3 forllm.general\r\n",
                "223 1 <one@test.example> status\r\n",
                "223 2 <two@test.example> retrieved\r\n",
                "500 unknown command\r\n",
                "223 3 <three@test.example> status\r\n",
                "111 20231114221320\r\n"
            ]
        )
        try await harness.send("QUIT\r\n")
        try await harness.loop.value
    }

    @Test("an over-long command line and a 513-octet line get 501; the session goes on")
    func longLines() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        try await harness.send(String(repeating: "x", count: 80 * 1024))
        try await harness.send("\r\nGROUP " + String(repeating: "a", count: 505) + "\r\nDATE\r\n")
        try await harness.expect(
            "501 command line too long\r\n501 command line too long (512 octets at most)\r\n111 20231114221320\r\n"
        )
        try await harness.send("QUIT\r\n")
        try await harness.loop.value
    }

    @Test("a bare LF in a posted header is refused with 441 and nothing is stored")
    func bareLFSmuggling() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        try await harness.send(
            "POST\r\nFrom: a@b.example\r\nNewsgroups: forllm.general\r\nSubject: x\nApproved: smuggled\r\n\r\nbody\r\n.\r\n"
        )
        _ = try await harness.readLine()
        try await harness.expect("441 bare LF in header line 3\r\n")
        #expect(harness.backend.posted.isEmpty)
        try await harness.send("QUIT\r\n")
        try await harness.loop.value
    }

    @Test("the idle timeout closes the connection with 400")
    func idleTimeout() async throws {
        var harness = try await Harness(
            configuration: NNTPServerConfiguration(hostname: "news.test", idleTimeout: .seconds(30))
        )
        _ = try await harness.readLine()
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(29))
        try await harness.send("DATE\r\n")
        try await harness.expect("111 20231114221320\r\n")
        // 58 s after the greeting, 29 s after the last command: a timer that activity did not
        // reset would have fired, and its 400 would come before this answer.
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(29))
        try await harness.send("DATE\r\n")
        try await harness.expect("111 20231114221320\r\n")
        await harness.channel.testingEventLoop.advanceTime(by: .seconds(31))
        try await harness.expect("400 idle timeout, closing connection\r\n")
        try await harness.loop.value
        try await harness.channel.closeFuture.get()
    }

    @Test("a shutdown notice closes an idle session with 400")
    func shutdownNotice() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        harness.channel.pipeline.fireUserInboundEventTriggered(LineShutdownEvent())
        try await harness.expect("400 server shutting down\r\n")
        try await harness.loop.value
    }

    @Test("input closed in the middle of a POST stores nothing")
    func closedDuringPost() async throws {
        var harness = try await Harness()
        _ = try await harness.readLine()
        try await harness.send("POST\r\nNewsgroups: forllm.general\r\nSubject: cut\r\n\r\nhalf a bo")
        _ = try await harness.readLine()
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try await harness.loop.value
        #expect(harness.backend.posted.isEmpty)
    }
}
