import NIOCore
import NIOEmbedded
import Testing

@testable import LineServer

@Suite("Idle timeout")
struct IdleTimeoutHandlerTests {
    private static func channel(timeout: TimeAmount) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(IdleTimeoutHandler(timeout: timeout))
        try channel.pipeline.syncOperations.addHandler(ConnectionEventHandler())
        return channel
    }

    @Test("fires once after the timeout; a read resets it")
    func readResets() throws {
        let channel = try Self.channel(timeout: .seconds(30))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        try channel.writeInbound(LineFrame.overlongLine)
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == .frame(.overlongLine))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == .idleTimeout)
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == nil)
    }

    @Test("a response the peer has not taken yet keeps the connection alive; the timeout counts from then on")
    func pendingWrite() throws {
        let channel = try Self.channel(timeout: .seconds(30))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // Written, not flushed: the bytes stay in the channel's buffer, as they do while a slow
        // reader's socket is full.
        channel.write(ByteBuffer(string: "223 0 <a@b> article\r\n"), promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(95))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == nil)
        channel.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(28))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == .idleTimeout)
    }
}
