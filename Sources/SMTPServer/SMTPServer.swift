import LineServer
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
    private let listener: LineListener

    /// Creates the service; nothing happens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits and behaviour.
    ///   - backend: Decides on recipients and takes the messages.
    ///   - logger: Lifecycle at `info`, connections and commands at `debug`.
    ///   - eventLoopGroup: The NIO event loops; the process-wide singleton by default.
    ///   - tls: `STARTTLS` (RFC 3207) with this certificate (mode ``LineTLS/Mode-swift.enum/startTLS``);
    ///     `nil` (the default): none, and `STARTTLS` is answered `502`.
    ///   - onListening: Called once with the bound address (the actual port when `port` is 0)
    ///     before the first connection is accepted.
    public init(
        configuration: SMTPServerConfiguration,
        backend: any SMTPBackend,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tls: LineTLS? = nil,
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.backend = backend
        self.listener = LineListener(
            configuration: configuration.listenerConfiguration,
            protocolName: "SMTP",
            logger: logger,
            eventLoopGroup: eventLoopGroup,
            tls: tls,
            onListening: onListening
        )
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``SMTPServerError`` when the address cannot be bound.
    public func run() async throws {
        let hostname = self.configuration.hostname
        try await self.listener.run(
            refusal: { text in
                // `421` instead of the greeting (RFC 5321 §3.1).
                var buffer = ByteBuffer()
                buffer.writeSMTPReply(
                    SMTPReply(.serviceNotAvailable, SMTPEnhancedStatusCode(4, 3, 2), "\(hostname) \(text)")
                )
                return buffer
            },
            serve: { connection, logger, isShuttingDown in
                let listener = self.listener
                let session = SMTPConnection(
                    configuration: self.configuration,
                    backend: self.backend,
                    logger: logger,
                    tls: listener.tls?.mode,
                    startTLS: { channel, reply in try await listener.startTLS(on: channel, sending: reply) },
                    isShuttingDown: isShuttingDown
                )
                try await session.run(connection)
            }
        )
    }
}

/// The listening service's failure: the address cannot be bound.
public typealias SMTPServerError = LineServerError
