import NIOCore
import NIOEmbedded

/// The client's end of a server connection under test on a `NIOAsyncTestingChannel`: the
/// server's real pipeline and connection loop run on the channel; the test writes the client's
/// bytes and reads the server's, byte for byte.
public struct TestingChannelPeer {
    /// The channel the server side runs on.
    public let channel: NIOAsyncTestingChannel
    private var received: [UInt8] = []

    /// A connected testing channel with the pipeline `configure` builds on its event loop, and
    /// the async channel the server's connection loop is to run on.
    public static func connect<Inbound: Sendable>(
        port: Int,
        configure: @escaping @Sendable (NIOAsyncTestingChannel) throws -> NIOAsyncChannel<Inbound, ByteBuffer>
    ) async throws -> (peer: TestingChannelPeer, connection: NIOAsyncChannel<Inbound, ByteBuffer>) {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: port))
        let connection = try await channel.testingEventLoop.executeInContext {
            try configure(channel)
        }
        return (TestingChannelPeer(channel: channel), connection)
    }

    private init(channel: NIOAsyncTestingChannel) {
        self.channel = channel
    }

    /// Writes `text` as the client's bytes.
    public func send(_ text: String) async throws {
        try await self.channel.writeInbound(ByteBuffer(string: text))
    }

    /// Writes `bytes` as the client's bytes.
    public func send(bytes: [UInt8]) async throws {
        try await self.channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// Waits for the server's writes until `count` bytes have arrived and returns them.
    public mutating func read(_ count: Int) async throws -> [UInt8] {
        while self.received.count < count {
            let buffer = try await self.channel.waitForOutboundWrite(as: ByteBuffer.self)
            self.received += Array(buffer.readableBytesView)
        }
        defer { self.received.removeFirst(count) }
        return Array(self.received[..<count])
    }

    /// Waits for the server's next line and returns it, CRLF included.
    public mutating func readLine() async throws -> String {
        while !self.received.contains(UInt8(ascii: "\n")) {
            let buffer = try await self.channel.waitForOutboundWrite(as: ByteBuffer.self)
            self.received += Array(buffer.readableBytesView)
        }
        let end = self.received.firstIndex(of: UInt8(ascii: "\n"))! + 1
        defer { self.received.removeFirst(end) }
        return String(decoding: self.received[..<end], as: UTF8.self)
    }
}
