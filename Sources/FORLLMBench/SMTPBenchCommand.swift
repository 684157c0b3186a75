import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `smtp`: mail submissions per second over several connections, as a mail client sends them.
struct SMTPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp",
        abstract: "Submit messages over SMTP on several connections; prints rate= (messages/s).",
        discussion: """
            Each connection says EHLO once, then for each message MAIL FROM, RCPT TO (GROUP@HOSTNAME),
            DATA and the message, waiting for every reply (no pipelining): what Thunderbird does.
            The messages are the same newsreader-sized posts `post` sends.
            """
    )
    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "SMTP port.") var port: Int
    @Option(help: "Recipient: a group's address.") var recipient = "forllm.misc@forllm.local"
    @Option(help: "Messages in all.") var count = 2000
    @Option(help: "Connections submitting at once.") var connections = 8
    @Option(help: "Distinguishes this run's Message-IDs from other runs'.") var tag = "smtp"

    func run() async throws {
        let shares = (0..<self.connections).map { index in
            self.count / self.connections + (index < self.count % self.connections ? 1 : 0)
        }
        let gate = Barrier(count: self.connections) {}
        let failures = Tally()
        let (host, port, recipient, tag) = (self.host, self.port, self.recipient, self.tag)
        let finished = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { tasks in
            for (index, share) in shares.enumerated() {
                tasks.addTask {
                    try await SMTPBenchConnection.with(host: host, port: port) { connection in
                        let messages = (0..<share).map { number in
                            BenchArticle.make(
                                group: "forllm.misc",
                                messageID: BenchArticle.messageID("\(tag).\(index).\(number)"),
                                subject: "Bench message \(index)-\(number)"
                            )
                        }
                        await gate.arrive()
                        for message in messages {
                            let reply = try await connection.submit(
                                message,
                                from: "bench@example.invalid",
                                to: recipient
                            )
                            if reply.code != 250 { failures.add(reply.line) }
                        }
                        return ContinuousClock.now
                    }
                }
            }
            var last = ContinuousClock.now
            for try await end in tasks { last = max(last, end) }
            return last
        }
        let elapsed = Measurements.seconds(finished - (gate.openedAt ?? finished))
        let failed = failures.all
        if let first = failed.first {
            FileHandle.standardError.write(Data("smtp: \(failed.count) refused, first: \(first)\n".utf8))
        }
        Measurements.report("submitted", self.count - failed.count)
        Measurements.report("failed", failed.count)
        Measurements.report("seconds", elapsed, digits: 3)
        Measurements.report("rate", Double(self.count - failed.count) / elapsed)
    }
}

/// One SMTP reply: its code and its last line (multi-line replies are read whole).
struct SMTPBenchReply: Sendable {
    var code: Int
    var line: String
}

/// Reads SMTP replies: `250-...` continuation lines up to the `250 ...` line.
struct SMTPBenchReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPBenchReply

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        var start = view.startIndex
        while let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = view[start..<newline]
            let isLast = line.count < 4 || line[line.startIndex + 3] != UInt8(ascii: "-")
            start = newline + 1
            if isLast {
                let text = String(decoding: line, as: UTF8.self).trimmingSuffix("\r")
                buffer.moveReaderIndex(forwardBy: start - view.startIndex)
                context.fireChannelRead(
                    Self.wrapInboundOut(SMTPBenchReply(code: Int(text.prefix(3)) ?? 0, line: text))
                )
                return .continue
            }
        }
        return .needMoreData
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        self.hasSuffix(suffix) ? String(self.dropLast(suffix.count)) : self
    }
}

/// A connection to an SMTP server, after the greeting and EHLO.
struct SMTPBenchConnection {
    private var replies: NIOAsyncChannelInboundStream<SMTPBenchReply>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    static func with<Result: Sendable>(
        host: String,
        port: Int,
        _ body: (inout SMTPBenchConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(QuickAckHandler())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPBenchReplyDecoder()))
                    return try NIOAsyncChannel<SMTPBenchReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = SMTPBenchConnection(replies: inbound.makeAsyncIterator(), outbound: outbound)
            let greeting = try await connection.reply()
            guard greeting.code == 220 else { throw BenchError("\(host):\(port): greeting was '\(greeting.line)'") }
            let ehlo = try await connection.command("EHLO bench.invalid")
            guard ehlo.code == 250 else { throw BenchError("EHLO: '\(ehlo.line)'") }
            let result = try await body(&connection)
            _ = try? await connection.command("QUIT")
            return result
        }
    }

    private init(
        replies: NIOAsyncChannelInboundStream<SMTPBenchReply>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.replies = replies
        self.outbound = outbound
    }

    mutating func reply() async throws -> SMTPBenchReply {
        guard let reply = try await self.replies.next() else { throw BenchError("the server closed the connection") }
        return reply
    }

    mutating func command(_ line: String) async throws -> SMTPBenchReply {
        try await self.outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await self.reply()
    }

    /// MAIL, RCPT, DATA and `message` (CRLF lines ending with the `.` line), each reply awaited;
    /// returns the first reply that is not the expected one, or the final 250.
    mutating func submit(_ message: ByteBuffer, from: String, to recipient: String) async throws -> SMTPBenchReply {
        let mail = try await self.command("MAIL FROM:<\(from)>")
        guard mail.code == 250 else { return mail }
        let rcpt = try await self.command("RCPT TO:<\(recipient)>")
        guard rcpt.code == 250 else {
            _ = try await self.command("RSET")
            return rcpt
        }
        let data = try await self.command("DATA")
        guard data.code == 354 else { return data }
        try await self.outbound.write(message)
        return try await self.reply()
    }
}
