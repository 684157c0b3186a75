import NIOCore
import NIOPosix

/// Where an NNTP server listens.
struct NNTPEndpoint: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    var description: String { "\(self.host):\(self.port)" }
}

/// A failure the bench reports and stops on.
struct BenchError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { self.message }
}

/// One client connection: a line-framed NIO channel whose inbound side yields whole replies.
///
/// Replies arrive in order, so a caller may write several commands before reading their
/// replies (pipelining, RFC 3977 §3.5).
struct NNTPBenchConnection {
    private var replies: NIOAsyncChannelInboundStream<NNTPReply>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// The 200/201 line the server greeted with.
    private(set) var greeting: NNTPReply

    /// Connects, reads the greeting and runs `body`; closes the connection however `body` ends.
    /// Throws when the greeting is not 200 or 201.
    static func with<Result: Sendable>(
        _ endpoint: NNTPEndpoint,
        keepsBodies: Bool = false,
        quickAck: Bool = true,
        _ body: (inout NNTPBenchConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if quickAck { try channel.pipeline.syncOperations.addHandler(QuickAckHandler()) }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(NNTPReplyDecoder(keepsBodies: keepsBodies))
                    )
                    return try NIOAsyncChannel<NNTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            guard let greeting = try await replies.next() else {
                throw BenchError("\(endpoint): connection closed before the greeting")
            }
            guard greeting.code == 200 || greeting.code == 201 else {
                throw BenchError("\(endpoint): greeting was '\(greeting.line)'")
            }
            var connection = NNTPBenchConnection(replies: replies, outbound: outbound, greeting: greeting)
            let result = try await body(&connection)
            try? await connection.outbound.write(ByteBuffer(string: "QUIT\r\n"))
            return result
        }
    }

    private init(
        replies: NIOAsyncChannelInboundStream<NNTPReply>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        greeting: NNTPReply
    ) {
        self.replies = replies
        self.outbound = outbound
        self.greeting = greeting
    }

    /// The next reply; throws when the server closed the connection.
    mutating func reply() async throws -> NNTPReply {
        guard let reply = try await self.replies.next() else {
            throw BenchError("the server closed the connection")
        }
        return reply
    }

    /// Writes bytes as they are (commands end in CRLF).
    func send(_ bytes: ByteBuffer) async throws {
        try await self.outbound.write(bytes)
    }

    /// Sends one command line (without CRLF) and returns its reply.
    mutating func command(_ line: String) async throws -> NNTPReply {
        try await self.send(ByteBuffer(string: line + "\r\n"))
        return try await self.reply()
    }

    /// `GROUP name`: the count, low and high water marks. Throws unless 211.
    mutating func group(_ name: String) async throws -> (count: Int, low: Int, high: Int) {
        let reply = try await self.command("GROUP \(name)")
        guard let numbers = reply.groupNumbers else {
            throw BenchError("GROUP \(name): '\(reply.line)'")
        }
        return numbers
    }

    /// POST the way a newsreader does: `POST`, wait for 340, the article, wait for the result.
    /// `article` ends with the terminating `.` line. Returns the final reply (240 when posted).
    /// `accepted` is called with the instant the 340 arrived (not at all without one).
    mutating func post(
        _ article: ByteBuffer,
        accepted: (ContinuousClock.Instant) -> Void = { _ in }
    ) async throws -> NNTPReply {
        let go = try await self.command("POST")
        guard go.code == 340 else { return go }
        accepted(.now)
        try await self.send(article)
        return try await self.reply()
    }
}
