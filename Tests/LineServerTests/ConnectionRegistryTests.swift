import NIOCore
import NIOEmbedded
import Testing

@testable import LineServer

@Suite("Connection registry")
struct ConnectionRegistryTests {
    @Test("admits up to the cap, frees a place on remove, refuses everyone once shutting down")
    func admission() throws {
        let registry = ConnectionRegistry(maximumConnections: 2)
        let first = EmbeddedChannel()
        let second = EmbeddedChannel()
        let third = EmbeddedChannel()
        #expect(registry.admit(first) == .admitted)
        #expect(registry.admit(second) == .admitted)
        #expect(registry.admit(third) == .tooManyConnections)
        #expect(registry.count == 2)
        registry.remove(first)
        #expect(registry.admit(third) == .admitted)
        #expect(!registry.isShuttingDown)
        registry.beginShutdown()
        #expect(registry.isShuttingDown)
        #expect(registry.admit(first) == .shuttingDown)
    }

    @Test("shutdown reaches every admitted connection as a .shutdown event, after its lines")
    func shutdownEvent() throws {
        let registry = ConnectionRegistry(maximumConnections: 10)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maximumLineLength: 64)))
        try channel.pipeline.syncOperations.addHandler(ConnectionEventHandler())
        #expect(registry.admit(channel) == .admitted)
        try channel.writeInbound(ByteBuffer(string: "QUIT\r\n"))
        registry.beginShutdown()
        #expect(
            try channel.readInbound(as: LineConnectionEvent.self) == .frame(.line(ByteBuffer(string: "QUIT"), .crlf))
        )
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == .shutdown)
        #expect(try channel.readInbound(as: LineConnectionEvent.self) == nil)
    }
}
