import NIOCore
import NIOPosix
import Synchronization

/// A small NNTP client for tests, over a real TCP connection.
///
/// It speaks the wire protocol literally: what you `send` goes out as written (plus CRLF), and
/// every read checks what a strict newsreader checks: lines end in CRLF, status lines are
/// `code SP text`. Each read waits at most `timeout`; then the connection is closed and the
/// read throws ``NNTPTestClientError/timedOut``, so a broken server fails a test instead of
/// hanging it.
///
/// ```swift
/// let client = try await NNTPTestClient.connect(port: port)
/// #expect(try await client.readStatus().code == 200)          // greeting
/// #expect(try await client.command("GROUP forllm.general").code == 211)
/// let status = try await client.command("XOVER 1-10")
/// let lines = try await client.readMultiline()                 // un-dot-stuffed, no terminator
/// try await client.post(article: "From: a@b.example\r\n...")   // POST, 340, article, "."
/// ```
public actor NNTPTestClient {
    /// How long each read may wait.
    public let timeout: Duration
    private let channel: any Channel
    private var chunks: AsyncStream<ByteBuffer>.Iterator
    private var buffer = ByteBuffer()
    private var isAtEOF = false

    private init(channel: any Channel, chunks: AsyncStream<ByteBuffer>, timeout: Duration) {
        self.channel = channel
        self.chunks = chunks.makeAsyncIterator()
        self.timeout = timeout
    }

    /// Connects to `host:port`. Does not read the greeting.
    public static func connect(
        host: String = "127.0.0.1",
        port: Int,
        timeout: Duration = .seconds(10),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> NNTPTestClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NNTPTestClientHandler(continuation: continuation))
                }
            }
            .connect(host: host, port: port)
            .get()
        return NNTPTestClient(channel: channel, chunks: stream, timeout: timeout)
    }

    // MARK: - Sending

    /// Sends `line` followed by CRLF.
    public func send(_ line: String) async throws {
        try await self.sendRaw(Array(line.utf8) + [13, 10])
    }

    /// Sends `string`'s UTF-8 bytes exactly as they are.
    public func sendRaw(_ string: String) async throws {
        try await self.sendRaw(Array(string.utf8))
    }

    /// Sends `bytes` exactly as they are, in one write.
    public func sendRaw(_ bytes: [UInt8]) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Sends a command line and reads its status line.
    public func command(_ line: String) async throws -> (code: Int, text: String) {
        try await self.send(line)
        return try await self.readStatus()
    }

    /// Posts an article: `POST`, and after `340` the article (lines split on LF, CR removed,
    /// dot-stuffed, CRLF) and the terminating `.`. Returns the final status, or the status of
    /// `POST` itself when it was not `340`.
    public func post(article: String) async throws -> (code: Int, text: String) {
        let status = try await self.command("POST")
        guard status.code == 340 else {
            return status
        }
        try await self.sendRaw(Self.dotStuffed(article))
        return try await self.readStatus()
    }

    /// `text` as the content of a data block: CRLF lines, dot-stuffed, with the terminator.
    public static func dotStuffed(_ text: String) -> [UInt8] {
        // Split the UTF-8 bytes, not the Characters: "\r\n" is one Character in Swift.
        var lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true {
            lines.removeLast()
        }
        var bytes: [UInt8] = []
        for line in lines {
            if line.first == UInt8(ascii: ".") {
                bytes.append(UInt8(ascii: "."))
            }
            bytes.append(contentsOf: line)
            bytes.append(contentsOf: [13, 10])
        }
        bytes.append(contentsOf: Array(".\r\n".utf8))
        return bytes
    }

    // MARK: - Reading

    /// Reads one line and returns it without its CRLF.
    ///
    /// - Throws: ``NNTPTestClientError/bareLineFeed(_:)`` for a line ending in LF only,
    ///   ``NNTPTestClientError/connectionClosed`` at the end of the stream,
    ///   ``NNTPTestClientError/timedOut`` after `timeout`.
    public func readLine() async throws -> String {
        let bytes = try await self.readRawLine()
        guard bytes.count >= 2, bytes[bytes.count - 2] == 13 else {
            throw NNTPTestClientError.bareLineFeed(String(decoding: bytes, as: UTF8.self))
        }
        return String(decoding: bytes.dropLast(2), as: UTF8.self)
    }

    /// Reads one line with its terminator, exactly as received.
    public func readRawLine() async throws -> [UInt8] {
        while true {
            let view = self.buffer.readableBytesView
            if let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - view.startIndex + 1
                return self.buffer.readBytes(length: length) ?? []
            }
            guard try await self.receiveMore() else {
                throw NNTPTestClientError.connectionClosed
            }
        }
    }

    /// Reads a status line: `code SP text CRLF`, where text is not empty.
    public func readStatus() async throws -> (code: Int, text: String) {
        let line = try await self.readLine()
        let utf8 = Array(line.utf8)
        guard utf8.count >= 5, utf8[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }), utf8[3] == UInt8(ascii: " "),
            let code = Int(String(decoding: utf8[0...2], as: UTF8.self))
        else {
            throw NNTPTestClientError.malformedStatusLine(line)
        }
        return (code, String(decoding: utf8[4...], as: UTF8.self))
    }

    /// Reads a data block up to its terminating `.` line; returns its lines un-dot-stuffed,
    /// without the terminator.
    public func readMultiline() async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await self.readLine()
            if line == "." {
                return lines
            }
            lines.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
        }
    }

    /// Waits until the server closes the connection and returns the lines it sent before
    /// (without CRLF). Throws ``NNTPTestClientError/timedOut`` if it stays open.
    public func readUntilClosed() async throws -> [String] {
        while try await self.receiveMore() {}
        var lines: [String] = []
        while let newline = self.buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - self.buffer.readerIndex + 1
            let bytes = self.buffer.readBytes(length: length) ?? []
            lines.append(String(decoding: bytes.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self))
        }
        return lines
    }

    // MARK: - Closing

    /// Closes the sending side (a TCP half-close); the client can still read.
    public func halfClose() async throws {
        try await self.channel.close(mode: .output).get()
    }

    /// Aborts the connection with a TCP RST (SO_LINGER 0).
    public func reset() async throws {
        if let provider = self.channel as? any SocketOptionProvider {
            try await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try await self.close()
    }

    /// Closes the connection.
    public func close() async throws {
        do {
            try await self.channel.close().get()
        } catch ChannelError.alreadyClosed {
            return
        }
    }

    /// Reads more bytes into the buffer; `false` at the end of the stream.
    private func receiveMore() async throws -> Bool {
        guard !self.isAtEOF else {
            return false
        }
        let flag = NNTPTestTimeoutFlag()
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(self.timeout)) {
            flag.fire()
            channel.close(promise: nil)
        }
        var chunks = self.chunks
        let chunk = await chunks.next(isolation: self)
        self.chunks = chunks
        timer.cancel()
        guard var chunk else {
            self.isAtEOF = true
            if flag.hasFired {
                throw NNTPTestClientError.timedOut
            }
            return false
        }
        self.buffer.writeBuffer(&chunk)
        return true
    }
}

/// What went wrong in an ``NNTPTestClient`` read.
public enum NNTPTestClientError: Error, Hashable, Sendable {
    /// Nothing arrived within the client's timeout; the connection was closed.
    case timedOut
    /// The server closed the connection.
    case connectionClosed
    /// A line ended in LF without CR.
    case bareLineFeed(String)
    /// A status line that is not `code SP text`.
    case malformedStatusLine(String)
}

/// Set once a read's timer fired. `Atomic` makes it safe to set from the event loop.
final class NNTPTestTimeoutFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func fire() {
        self.value.store(true, ordering: .sequentiallyConsistent)
    }

    var hasFired: Bool {
        self.value.load(ordering: .sequentiallyConsistent)
    }
}

/// Hands the bytes the server sends to the client's stream; finishes it at the end.
final class NNTPTestClientHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let continuation: AsyncStream<ByteBuffer>.Continuation

    init(continuation: AsyncStream<ByteBuffer>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.continuation.yield(Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the server ends the stream like a close.
        context.close(promise: nil)
    }
}
