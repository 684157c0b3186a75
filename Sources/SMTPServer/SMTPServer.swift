import Logging
import NIOCore
import NIOPosix
import SMTPCore
import ServiceLifecycle

/// The SMTP submission service: binds, accepts and serves each connection in its own child task.
///
/// ```swift
/// let server = SMTPServer(
///     configuration: SMTPServerConfiguration(host: "127.0.0.1", port: 2525, hostname: "forllm.local"),
///     backend: backend,
///     logger: logger,
///     onListening: { address in print("listening on", address.port ?? 0) }
/// )
/// let group = ServiceGroup(services: [server], logger: logger)
/// try await group.run()
/// ```
///
/// Graceful shutdown stops accepting at once; a session in the middle of a message receives it
/// to its end and answers it (a recipient being checked is answered too), then gets
/// `421 … server shutting down` and is closed; sessions waiting for a command get the `421` at
/// once. ``run()`` returns when the last session has ended. Cancellation closes everything
/// without waiting.
///
/// - SeeAlso: [RFC 5321](https://datatracker.ietf.org/doc/html/rfc5321)
public struct SMTPServer: Service {
    /// The settings.
    public let configuration: SMTPServerConfiguration
    private let backend: any SMTPBackend
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: @Sendable (SocketAddress) async -> Void

    /// Creates the service; nothing happens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits and behaviour.
    ///   - backend: Decides on recipients and takes the messages.
    ///   - logger: Lifecycle at `info`, connections and commands at `debug`.
    ///   - eventLoopGroup: The NIO event loops; the process-wide singleton by default.
    ///   - onListening: Called once with the bound address (the actual port when `port` is 0)
    ///     before the first connection is accepted.
    public init(
        configuration: SMTPServerConfiguration,
        backend: any SMTPBackend,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.backend = backend
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.onListening = onListening
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``SMTPServerError`` when the address cannot be bound.
    public func run() async throws {
        let configuration = self.configuration
        let serverChannel: NIOAsyncChannel<NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>, Never>
        do {
            serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configurePipeline(channel, configuration: configuration)
                    }
                }
        } catch {
            throw SMTPServerError(bindingFailedOn: configuration.host, port: configuration.port, error)
        }
        let registry = SMTPConnectionRegistry(maximumConnections: configuration.maximumConnections)
        guard let address = serverChannel.channel.localAddress else {
            serverChannel.channel.close(promise: nil)
            throw SMTPServerError(message: "the listening socket has no local address")
        }
        self.logger.info(
            "SMTP server listening",
            metadata: ["smtp.address": "\(address)", "smtp.max_connections": "\(configuration.maximumConnections)"]
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
            self.logger.info("SMTP server shutting down", metadata: ["smtp.connections": "\(registry.count)"])
            registry.beginShutdown()
            serverChannel.channel.close(promise: nil)
        }
        self.logger.info("SMTP server stopped")
    }

    /// The child pipeline: the idle timer, line framing with its limit, the event merger, and
    /// the async channel the connection task reads from.
    static func configurePipeline(
        _ channel: any Channel,
        configuration: SMTPServerConfiguration
    ) throws -> NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer> {
        let decoder = SMTPLineDecoder(maximumLineLength: configuration.maximumFrameLength)
        try channel.pipeline.syncOperations.addHandler(
            SMTPIdleTimeoutHandler(timeout: TimeAmount(configuration.idleTimeout))
        )
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(decoder, maximumBufferSize: configuration.maximumFrameLength + 2)
        )
        try channel.pipeline.syncOperations.addHandler(SMTPConnectionEventHandler())
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: NIOAsyncChannel.Configuration(
                inboundType: SMTPConnectionEvent.self,
                outboundType: ByteBuffer.self
            )
        )
    }

    /// Serves one connection; never throws, so one bad peer cannot stop the server.
    private func serve(
        _ connection: NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>,
        registry: SMTPConnectionRegistry
    ) async {
        var logger = self.logger
        logger[metadataKey: "smtp.peer"] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
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
        let session = SMTPConnection(
            configuration: self.configuration,
            backend: self.backend,
            logger: logger,
            isShuttingDown: { registry.isShuttingDown }
        )
        do {
            try await session.run(connection)
            logger.debug("Connection closed")
        } catch {
            logger.debug("Connection ended with an error", metadata: ["smtp.error": "\(error)"])
        }
    }

    /// Answers `421` instead of the greeting (RFC 5321 §3.1) and closes.
    private func refuse(
        _ connection: NIOAsyncChannel<SMTPConnectionEvent, ByteBuffer>,
        text: String,
        logger: Logger
    ) async {
        do {
            try await connection.executeThenClose { _, outbound in
                var buffer = ByteBuffer()
                buffer.writeSMTPReply(
                    SMTPReply(
                        .serviceNotAvailable,
                        SMTPEnhancedStatusCode(4, 3, 2),
                        "\(self.configuration.hostname) \(text)"
                    )
                )
                try await outbound.write(buffer)
            }
        } catch {
            logger.debug("Could not send the refusal", metadata: ["smtp.error": "\(error)"])
        }
    }
}
