import Foundation
import Logging
import NIOCore
import NIOPosix
import NNTPCore
import ServiceLifecycle

/// The NNTP reader service: binds, accepts and serves each connection in its own child task.
///
/// ```swift
/// let server = NNTPServer(
///     configuration: NNTPServerConfiguration(host: "127.0.0.1", port: 0),
///     backend: backend,
///     logger: logger,
///     onListening: { address in print("listening on", address.port ?? 0) }
/// )
/// let group = ServiceGroup(services: [server], logger: logger)
/// try await group.run()
/// ```
///
/// Graceful shutdown stops accepting at once; each session finishes the command in flight
/// (an article being received is received to its end), then gets
/// `400 server shutting down` and is closed; idle sessions are closed at once. ``run()``
/// returns when the last session has ended. Cancellation closes everything without waiting.
public struct NNTPServer: Service {
    /// The settings.
    public let configuration: NNTPServerConfiguration
    private let backend: any NNTPBackend
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: @Sendable (SocketAddress) async -> Void
    private let now: @Sendable () -> Date

    /// Creates the service; nothing happens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits and behaviour.
    ///   - backend: The storage every session reads and posts through.
    ///   - logger: Lifecycle at `info`, connections and commands at `debug`.
    ///   - eventLoopGroup: The NIO event loops; the process-wide singleton by default.
    ///   - now: The clock for `DATE`, `NEWGROUPS` and `NEWNEWS`.
    ///   - onListening: Called once with the bound address (the actual port when `port` is 0)
    ///     before the first connection is accepted.
    public init(
        configuration: NNTPServerConfiguration,
        backend: any NNTPBackend,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        now: @escaping @Sendable () -> Date = { Date() },
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.backend = backend
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.now = now
        self.onListening = onListening
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: when the address cannot be bound.
    public func run() async throws {
        let configuration = self.configuration
        let serverChannel: NIOAsyncChannel<NIOAsyncChannel<NNTPConnectionEvent, ByteBuffer>, Never>
        do {
            serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configurePipeline(channel, configuration: configuration)
                    }
                }
        } catch {
            throw NNTPServerError(bindingFailedOn: configuration.host, port: configuration.port, error)
        }
        let registry = NNTPConnectionRegistry(maximumConnections: configuration.maximumConnections)
        guard let address = serverChannel.channel.localAddress else {
            serverChannel.channel.close(promise: nil)
            throw NNTPServerError(message: "the listening socket has no local address")
        }
        self.logger.info(
            "NNTP server listening",
            metadata: ["nntp.address": "\(address)", "nntp.max_connections": "\(configuration.maximumConnections)"]
        )
        await self.onListening(address)

        try await withGracefulShutdownHandler {
            // A discarding group: finished connection tasks leave nothing behind.
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask {
                            await self.serve(connection, registry: registry)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("NNTP server shutting down", metadata: ["nntp.connections": "\(registry.count)"])
            registry.beginShutdown()
            serverChannel.channel.close(promise: nil)
        }
        self.logger.info("NNTP server stopped")
    }

    /// The child pipeline: the idle timer, line framing with its limit, the event merger, and
    /// the async channel the connection task reads from.
    static func configurePipeline(
        _ channel: any Channel,
        configuration: NNTPServerConfiguration
    ) throws -> NIOAsyncChannel<NNTPConnectionEvent, ByteBuffer> {
        let decoder = NNTPLineDecoder(maximumLineLength: configuration.maximumLineLength)
        try channel.pipeline.syncOperations.addHandler(
            NNTPIdleTimeoutHandler(timeout: TimeAmount(configuration.idleTimeout))
        )
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(decoder, maximumBufferSize: configuration.maximumLineLength + 2)
        )
        try channel.pipeline.syncOperations.addHandler(NNTPConnectionEventHandler())
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: NIOAsyncChannel.Configuration(
                inboundType: NNTPConnectionEvent.self,
                outboundType: ByteBuffer.self
            )
        )
    }

    /// Serves one connection; never throws, so one bad peer cannot stop the server.
    private func serve(
        _ connection: NIOAsyncChannel<NNTPConnectionEvent, ByteBuffer>,
        registry: NNTPConnectionRegistry
    ) async {
        var logger = self.logger
        logger[metadataKey: "nntp.peer"] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        switch registry.admit(connection.channel) {
        case .admitted:
            break
        case .tooManyConnections:
            logger.debug("Connection refused: too many connections")
            await self.refuse(connection, text: "too many connections, try again later", logger: logger)
            return
        case .shuttingDown:
            await self.refuse(connection, text: "server shutting down", logger: logger)
            return
        }
        defer { registry.remove(connection.channel) }
        logger.debug("Connection accepted")
        let session = NNTPConnection(
            configuration: self.configuration.sessionConfiguration,
            executor: NNTPCommandExecutor(
                backend: self.backend,
                configuration: self.configuration.sessionConfiguration,
                now: self.now
            ),
            logger: logger,
            isShuttingDown: { registry.isShuttingDown }
        )
        do {
            try await session.run(connection)
            logger.debug("Connection closed")
        } catch {
            logger.debug("Connection ended with an error", metadata: ["nntp.error": "\(error)"])
        }
    }

    private func refuse(
        _ connection: NIOAsyncChannel<NNTPConnectionEvent, ByteBuffer>,
        text: String,
        logger: Logger
    ) async {
        do {
            try await connection.executeThenClose { _, outbound in
                var buffer = ByteBuffer()
                buffer.writeNNTPStatusLine(.serviceUnavailable, text)
                try await outbound.write(buffer)
            }
        } catch {
            logger.debug("Could not send the refusal", metadata: ["nntp.error": "\(error)"])
        }
    }
}
