import LineServer
import NIOCore
import NIOHTTP1
import NIOPosix

/// The listening half of the test suite's HTTP stubs: binds `127.0.0.1`, hands each connection
/// to a handler in a child task, and at the end closes every connection, including one accepted
/// just as the listener stopped (``AcceptedConnections``: without it, NIO traps on such a
/// connection's unfinished writer, swift-nio issue 2637, and takes the whole test run down).
struct HTTPStubListener: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let server: NIOAsyncChannel<Connection, Never>
    private let accepted: AcceptedConnections<HTTPServerRequestPart, HTTPServerResponsePart>
    /// The bound port.
    let port: Int

    /// Binds `127.0.0.1:port` (0: any free port) with NIO's HTTP/1.1 server pipeline.
    static func bind(port: Int) async throws -> HTTPStubListener {
        let accepted = AcceptedConnections<HTTPServerRequestPart, HTTPServerResponsePart>()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try accepted.admit(Connection(wrappingChannelSynchronously: channel))
                }
            }
        return HTTPStubListener(server: server, accepted: accepted, port: server.channel.localAddress?.port ?? 0)
    }

    /// Accepts connections, each served by `handle` in a child task, until ``close()`` or
    /// cancellation; returns (or throws the listener's error) once every handler has returned
    /// and the connections never taken are closed.
    func serve(_ handle: @escaping @Sendable (Connection) async -> Void) async throws {
        try await self.accepted.accepting {
            try await withThrowingDiscardingTaskGroup { group in
                try await self.server.executeThenClose { connections in
                    for try await connection in connections {
                        self.accepted.take(connection)
                        group.addTask { await handle(connection) }
                    }
                }
            }
        }
    }

    /// Closes the listening socket: ``serve(_:)`` stops accepting.
    func close() async {
        try? await self.server.channel.close()
    }
}
