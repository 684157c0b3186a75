import ArgumentParser
import LineServer
import NIOCore
import NIOPosix

/// `reference`: the least an NNTP reader server in Swift can cost per command, in the two shapes
/// a SwiftNIO server can take, as a measuring stick for FORLLM's own figures.
///
/// It answers `GROUP` and `ARTICLE` with fixed bytes held in memory: no storage, no session
/// state, no parsing beyond the verb. What is left is the price of the server's shape:
/// - `async`: the house style (STYLE.md), which FORLLM follows. One task per connection reads
///   lines from `NIOAsyncChannel` and writes its answers back through it, the task running on
///   its channel's event loop (``EventLoopTaskExecutor``, as `forllm serve` does).
/// - `on-loop`: a `ChannelHandler` that answers in `channelRead`, on the event loop, with no
///   task at all (INN's shape, in NIO terms).
///
/// `scripts/bench nntp` measures both beside INN, sample by sample like FORLLM
/// (`forllm-bench latency --versus-port`): FORLLM's distance from `async` is what its own code
/// costs per command, and the distance between the two shapes is what the house style costs.
struct ReferenceServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Serve fixed GROUP and ARTICLE answers from memory, in one of two server shapes, until killed.",
        discussion: """
            async: one task per connection over NIOAsyncChannel, on the channel's event loop (the \
            house style, as forllm serve runs). on-loop: a ChannelHandler answering in channelRead. \
            GROUP any name gives 211 1000 1 1000; ARTICLE n gives a fixed article of about 850 bytes.
            """
    )

    enum Shape: String, ExpressibleByArgument, CaseIterable {
        case async
        case onLoop = "on-loop"
    }

    @Option(help: "Port to listen on (127.0.0.1).") var port: Int
    @Option(help: "async or on-loop.") var shape: Shape

    func run() async throws {
        let answers = ReferenceAnswers()
        let group = MultiThreadedEventLoopGroup.singleton
        switch self.shape {
        case .onLoop:
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ReferenceLineDecoder()))
                        try channel.pipeline.syncOperations.addHandler(ReferenceAnsweringHandler(answers: answers))
                    }
                }
                .bind(host: "127.0.0.1", port: self.port)
                .get()
            try await channel.closeFuture.get()
        case .async:
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: self.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ReferenceLineDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        tasks.addTask {
                            try? await withTaskExecutorPreference(EventLoopTaskExecutor(connection.channel.eventLoop)) {
                                try await Self.serve(connection, answers: answers)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        answers: ReferenceAnswers
    )
        async throws
    {
        try await connection.executeThenClose { lines, output in
            try await output.write(answers.greeting)
            for try await line in lines {
                let (reply, close) = answers.reply(to: line)
                try await output.write(reply)
                if close { return }
            }
        }
    }
}

/// The fixed answers, shared by both shapes.
struct ReferenceAnswers: Sendable {
    let greeting = ByteBuffer(string: "200 forllm-bench reference server ready\r\n")
    /// The article's bytes with the terminating `.` line.
    let article = BenchArticle.make(
        group: "forllm.bench",
        messageID: "<reference@bench.invalid>",
        subject: "A reference article"
    )

    /// The answer to one line (without its LF), and whether to close after it.
    func reply(to line: ByteBuffer) -> (ByteBuffer, close: Bool) {
        var words = String(buffer: line).split(separator: " ", omittingEmptySubsequences: true)
        if let last = words.last, last.hasSuffix("\r") { words[words.count - 1] = last.dropLast() }
        var reply = ByteBuffer()
        switch words.first?.uppercased() {
        case "GROUP" where words.count == 2:
            reply.writeString("211 1000 1 1000 \(words[1])\r\n")
        case "ARTICLE" where words.count == 2 && Int(words[1]) != nil:
            reply.reserveCapacity(self.article.readableBytes + 64)
            reply.writeString("220 \(words[1]) <reference@bench.invalid> article\r\n")
            reply.writeImmutableBuffer(self.article)
        case "MODE":
            reply.writeString("200 reader\r\n")
        case "QUIT":
            reply.writeString("205 bye\r\n")
            return (reply, true)
        default:
            reply.writeString("500 the reference server knows GROUP, ARTICLE, MODE and QUIT\r\n")
        }
        return (reply, false)
    }
}

/// Lines up to LF, LF included (the reference does no more framing than it must).
struct ReferenceLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")),
            let line = buffer.readSlice(length: newline - buffer.readerIndex)
        else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }
}

/// The `on-loop` shape: answers each line in `channelRead`.
final class ReferenceAnsweringHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answers: ReferenceAnswers

    init(answers: ReferenceAnswers) {
        self.answers = answers
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(self.answers.greeting), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let (reply, close) = self.answers.reply(to: Self.unwrapInboundIn(data))
        if close {
            context.writeAndFlush(Self.wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.writeAndFlush(Self.wrapOutboundOut(reply), promise: nil)
        }
    }
}
