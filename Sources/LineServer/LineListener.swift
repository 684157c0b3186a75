import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The listening half of a line-based server (NNTP, SMTP): binds, accepts and serves each
/// connection in its own child task; the protocol comes in as two closures.
///
/// ```swift
/// let listener = LineListener(configuration: configuration, protocolName: "NNTP", logger: logger)
/// try await listener.run(
///     refusal: { text in ByteBuffer(string: "400 \(text)\r\n") },
///     serve: { connection, logger, isShuttingDown in try await session.run(connection) }
/// )
/// ```
///
/// Each connection's pipeline is the idle timer, ``LineDecoder`` with the configured limit and
/// the merger of lines and events into ``LineConnectionEvent``s; with ``LineTLS/Mode-swift.enum/implicit``
/// TLS in front of them all. One connection more than ``Configuration/maximumConnections`` gets
/// the protocol's refusal line and is closed.
///
/// Graceful shutdown stops accepting at once and sends every session a ``LineShutdownEvent``
/// (`.shutdown` on its stream); `isShuttingDown` tells a session, after each command, that it is
/// to stop. ``run(refusal:serve:)`` returns when the last session has ended. Cancellation closes
/// everything without waiting.
public struct LineListener: Sendable {
    /// Where to listen and the limits every connection gets.
    public struct Configuration: Hashable, Sendable {
        /// The address to bind, e.g. `127.0.0.1` or `::1`.
        public var host: String
        /// The port to bind; 0 lets the system choose (see `onListening`).
        public var port: Int
        /// The listen backlog.
        public var backlog: Int
        /// Connections served at once.
        public var maximumConnections: Int
        /// A connection that neither reads nor writes for this long gets `.idleTimeout`.
        public var idleTimeout: Duration
        /// The longest line the framing layer delivers, terminator excluded; a longer one is
        /// ``LineFrame/overlongLine``.
        public var maximumLineLength: Int
        /// What a failed bind says to do.
        public var bindFailureHints: BindFailureHints

        /// Creates a configuration.
        public init(
            host: String,
            port: Int,
            backlog: Int,
            maximumConnections: Int,
            idleTimeout: Duration,
            maximumLineLength: Int,
            bindFailureHints: BindFailureHints
        ) {
            self.host = host
            self.port = port
            self.backlog = backlog
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
            self.maximumLineLength = maximumLineLength
            self.bindFailureHints = bindFailureHints
        }
    }

    /// The advice appended to a ``LineServerError`` when the address cannot be bound.
    public struct BindFailureHints: Hashable, Sendable {
        /// After `EADDRINUSE`.
        public var addressInUse: String
        /// After `EACCES` (a privileged port).
        public var permissionDenied: String

        /// Creates the hints.
        public init(addressInUse: String, permissionDenied: String) {
            self.addressInUse = addressInUse
            self.permissionDenied = permissionDenied
        }
    }

    /// Serves one admitted connection: runs the session to its end. `isShuttingDown` says whether
    /// graceful shutdown has begun. An error ends that connection only.
    public typealias Serve =
        @Sendable (
            _ connection: NIOAsyncChannel<LineConnectionEvent, ByteBuffer>,
            _ logger: Logger,
            _ isShuttingDown: @escaping @Sendable () -> Bool
        ) async throws -> Void

    /// The settings.
    public let configuration: Configuration
    private let protocolName: String
    private let metadataPrefix: String
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: @Sendable (SocketAddress) async -> Void
    /// TLS for every connection (implicit) or on request (STARTTLS); `nil`: plaintext only.
    public let tls: LineTLS?
    /// Adds the protocol's own handlers behind the event merger (see ``configurePipeline(_:configuration:implicitTLS:protocolHandlers:)``).
    private let protocolHandlers: @Sendable (_ channel: any Channel) throws -> Void

    /// Creates the listener; nothing happens until ``run(refusal:serve:)``.
    ///
    /// - Parameters:
    ///   - configuration: Address and limits.
    ///   - protocolName: Names the service in the log (`NNTP server listening`); lowercased, it
    ///     prefixes the metadata keys (`nntp.peer`).
    ///   - logger: Lifecycle at `info`, connections at `debug`.
    ///   - eventLoopGroup: The NIO event loops.
    ///   - tls: TLS from the first byte, or on request; `nil` (the default): plaintext only.
    ///   - protocolHandlers: Adds the protocol's handlers, if any, to each connection's pipeline,
    ///     between the event merger and the async channel; called on the connection's loop.
    ///   - onListening: Called once with the bound address (the actual port when `port` is 0)
    ///     before the first connection is accepted.
    public init(
        configuration: Configuration,
        protocolName: String,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup,
        tls: LineTLS? = nil,
        protocolHandlers: @escaping @Sendable (_ channel: any Channel) throws -> Void = { _ in },
        onListening: @escaping @Sendable (SocketAddress) async -> Void
    ) {
        self.configuration = configuration
        self.tls = tls
        self.protocolHandlers = protocolHandlers
        self.protocolName = protocolName
        self.metadataPrefix = protocolName.lowercased()
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.onListening = onListening
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Parameters:
    ///   - refusal: The line(s) sent instead of the greeting to a connection that is not served,
    ///     given the reason (`too many connections, try again later`, `server shutting down`).
    ///   - serve: Runs one admitted connection.
    /// - Throws: ``LineServerError`` when the address cannot be bound.
    public func run(
        refusal: @escaping @Sendable (_ text: String) -> ByteBuffer,
        serve: @escaping Serve
    ) async throws {
        let configuration = self.configuration
        let implicitTLS = self.tls.flatMap { $0.mode == .implicit ? $0.context : nil }
        let protocolHandlers = self.protocolHandlers
        let accepted = AcceptedConnections<LineConnectionEvent, ByteBuffer>()
        let serverChannel: NIOAsyncChannel<NIOAsyncChannel<LineConnectionEvent, ByteBuffer>, Never>
        do {
            serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: Int32(configuration.backlog))
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try accepted.admit(
                            Self.configurePipeline(
                                channel,
                                configuration: configuration,
                                implicitTLS: implicitTLS,
                                protocolHandlers: protocolHandlers
                            )
                        )
                    }
                }
        } catch {
            throw LineServerError(
                bindingFailedOn: configuration.host,
                port: configuration.port,
                error,
                hints: configuration.bindFailureHints
            )
        }
        let registry = ConnectionRegistry(maximumConnections: configuration.maximumConnections)
        guard let address = serverChannel.channel.localAddress else {
            serverChannel.channel.close(promise: nil)
            throw LineServerError(message: "the listening socket has no local address")
        }
        self.logger.info(
            "\(self.protocolName) server listening",
            metadata: [
                "\(self.metadataPrefix).address": "\(address)",
                "\(self.metadataPrefix).tls": "\(self.tls.map { "\($0.mode)" } ?? "off")",
                "\(self.metadataPrefix).max_connections": "\(configuration.maximumConnections)"
            ]
        )
        await self.onListening(address)

        try await accepted.accepting {
            try await self.accept(
                from: serverChannel,
                accepted: accepted,
                registry: registry,
                refusal: refusal,
                serve: serve
            )
        }
        self.logger.info("\(self.protocolName) server stopped")
    }

    /// The accept loop: serves each connection in a child task until graceful shutdown or
    /// cancellation; returns when the last session has ended.
    private func accept(
        from serverChannel: NIOAsyncChannel<NIOAsyncChannel<LineConnectionEvent, ByteBuffer>, Never>,
        accepted: AcceptedConnections<LineConnectionEvent, ByteBuffer>,
        registry: ConnectionRegistry,
        refusal: @escaping @Sendable (_ text: String) -> ByteBuffer,
        serve: @escaping Serve
    ) async throws {
        try await withGracefulShutdownHandler {
            // A discarding group: finished connection tasks leave nothing behind.
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { connections in
                    for try await connection in connections {
                        accepted.take(connection)
                        group.addTask {
                            await self.serve(connection, registry: registry, refusal: refusal, serve: serve)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info(
                "\(self.protocolName) server shutting down",
                metadata: ["\(self.metadataPrefix).connections": "\(registry.count)"]
            )
            registry.beginShutdown()
            serverChannel.channel.close(promise: nil)
        }
    }

    /// The child pipeline: TLS when `implicitTLS` is given, the idle timer, line framing with its
    /// limit, the event merger, the protocol's handlers (reading and passing on
    /// ``LineConnectionEvent``s), and the async channel the connection task reads from.
    public static func configurePipeline(
        _ channel: any Channel,
        configuration: Configuration,
        implicitTLS: NIOSSLContext? = nil,
        protocolHandlers: (_ channel: any Channel) throws -> Void = { _ in }
    ) throws -> NIOAsyncChannel<LineConnectionEvent, ByteBuffer> {
        if let implicitTLS {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: implicitTLS))
        }
        try channel.pipeline.syncOperations.addHandler(
            IdleTimeoutHandler(timeout: TimeAmount(configuration.idleTimeout))
        )
        try channel.pipeline.syncOperations.addHandler(Self.lineFraming(configuration))
        try channel.pipeline.syncOperations.addHandler(ConnectionEventHandler())
        try protocolHandlers(channel)
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: NIOAsyncChannel.Configuration(
                inboundType: LineConnectionEvent.self,
                outboundType: ByteBuffer.self
            )
        )
    }

    /// ``LineDecoder`` with the configured limit, fenced by the buffer limit of its handler.
    private static func lineFraming(_ configuration: Configuration) -> ByteToMessageHandler<LineDecoder> {
        ByteToMessageHandler(
            LineDecoder(maximumLineLength: configuration.maximumLineLength),
            maximumBufferSize: configuration.maximumLineLength + 2
        )
    }

    /// Starts TLS on a connection of this listener in the middle of its session, after the
    /// client's `STARTTLS` (RFC 4642 §2.2.2, RFC 3207 §4): writes `reply` (the go-ahead, `382` or
    /// `220`) in plaintext, then puts TLS at the front of the pipeline before another byte is
    /// read. Returns once the switch is made; the handshake follows, and its end arrives on the
    /// connection's stream as ``LineConnectionEvent/tlsEstablished(_:)``.
    ///
    /// No plaintext the client sent after `STARTTLS` reaches the session through TLS: lines
    /// already framed are on the stream before `.tlsEstablished` (the session drops them), the
    /// unfinished line the framing holds is dropped with a new ``LineDecoder``, and unread bytes
    /// go to the TLS handshake, which fails on them.
    ///
    /// - Throws: ``LineServerError`` when this listener has no TLS; the channel's error when the
    ///   pipeline cannot be changed (the connection is gone).
    public func startTLS(on channel: any Channel, sending reply: ByteBuffer) async throws {
        guard let tls = self.tls else {
            throw LineServerError(message: "TLS is not configured")
        }
        let configuration = self.configuration
        try await channel.eventLoop.flatSubmit {
            Self.switchToTLS(channel, sending: reply, context: tls.context, configuration: configuration)
        }.get()
    }

    /// The switch of ``startTLS(on:sending:)``, on the channel's event loop.
    static func switchToTLS(
        _ channel: any Channel,
        sending reply: ByteBuffer,
        context: NIOSSLContext,
        configuration: Configuration
    ) -> EventLoopFuture<Void> {
        do {
            let pipeline = channel.pipeline.syncOperations
            let events = try pipeline.context(handlerType: ConnectionEventHandler.self)
            // The reply passes every handler to the socket's buffer within this call, so it goes
            // out in plaintext; the TLS handler comes in before the event loop reads again.
            events.writeAndFlush(NIOAny(reply), promise: nil)
            try pipeline.addHandler(NIOSSLServerHandler(context: context), position: .first)
            // A new decoder: the bytes of an unfinished plaintext line must not become the start
            // of the first line read through TLS. The old one frames what it holds when it goes
            // (lines the session drops) and drops the rest.
            let framing = try pipeline.handler(type: ByteToMessageHandler<LineDecoder>.self)
            let eventHandler = try pipeline.handler(type: ConnectionEventHandler.self)
            return pipeline.removeHandler(framing).assumeIsolated().flatMapThrowing {
                try channel.pipeline.syncOperations.addHandler(
                    Self.lineFraming(configuration),
                    position: .before(eventHandler)
                )
            }.nonisolated()
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// Serves one connection; never throws, so one bad peer cannot stop the server.
    private func serve(
        _ connection: NIOAsyncChannel<LineConnectionEvent, ByteBuffer>,
        registry: ConnectionRegistry,
        refusal: @Sendable (_ text: String) -> ByteBuffer,
        serve: Serve
    ) async {
        var logger = self.logger
        logger[metadataKey: "\(self.metadataPrefix).peer"] =
            "\(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")"
        switch registry.admit(connection.channel) {
        case .admitted:
            break
        case .tooManyConnections:
            logger.debug("Connection refused: too many connections")
            await self.refuse(connection, with: refusal("too many connections, try again later"), logger: logger)
            return
        case .shuttingDown:
            await self.refuse(connection, with: refusal("server shutting down"), logger: logger)
            return
        }
        defer { registry.remove(connection.channel) }
        logger.debug("Connection accepted")
        do {
            try await serve(connection, logger, { registry.isShuttingDown })
            logger.debug("Connection closed")
        } catch {
            logger.debug("Connection ended with an error", metadata: ["\(self.metadataPrefix).error": "\(error)"])
        }
    }

    private func refuse(
        _ connection: NIOAsyncChannel<LineConnectionEvent, ByteBuffer>,
        with bytes: ByteBuffer,
        logger: Logger
    ) async {
        do {
            try await connection.executeThenClose { _, outbound in
                try await outbound.write(bytes)
            }
        } catch {
            logger.debug("Could not send the refusal", metadata: ["\(self.metadataPrefix).error": "\(error)"])
        }
    }
}
