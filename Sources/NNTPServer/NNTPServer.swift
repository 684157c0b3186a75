import Foundation
import LineServer
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
/// With ``LineTLS``, the port is NNTPS (TLS from the first byte, RFC 8143) or offers
/// `STARTTLS` (RFC 4642); FORLLM runs one server of each kind when `server.tls_listen` is set.
///
/// Graceful shutdown stops accepting at once; each session finishes the command in flight
/// (an article being received is received to its end), then gets
/// `400 server shutting down` and is closed; idle sessions are closed at once. ``run()``
/// returns when the last session has ended. Cancellation closes everything without waiting.
public struct NNTPServer: Service {
    /// The settings.
    public let configuration: NNTPServerConfiguration
    private let listener: LineListener
    /// What every session of this server runs its commands with.
    private let executor: NNTPCommandExecutor
    private let loginThrottle: NNTPLoginThrottle
    private let loginDelay: @Sendable (Duration) async -> Void

    /// Creates the service; nothing happens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, limits and behaviour.
    ///   - backend: The storage every session reads and posts through.
    ///   - logger: Lifecycle at `info`, connections and commands at `debug`.
    ///   - eventLoopGroup: The NIO event loops; the process-wide singleton by default.
    ///   - tls: TLS on this port: NNTPS (``LineTLS/Mode-swift.enum/implicit``, RFC 8143) or
    ///     `STARTTLS` (RFC 4642); `nil` (the default): none, and `STARTTLS` is answered `580`.
    ///   - now: The clock for `DATE`, `NEWGROUPS` and `NEWNEWS`.
    ///   - loginThrottle: Failed logins per client address and the delays they get.
    ///   - loginDelay: How a failed login waits its delay (tests record it instead).
    ///   - onListening: Called once with the bound address (the actual port when `port` is 0)
    ///     before the first connection is accepted.
    public init(
        configuration: NNTPServerConfiguration,
        backend: any NNTPBackend,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tls: LineTLS? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        loginThrottle: NNTPLoginThrottle = NNTPLoginThrottle(),
        loginDelay: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.loginThrottle = loginThrottle
        self.loginDelay = loginDelay
        var sessionConfiguration = configuration.sessionConfiguration
        sessionConfiguration.tls = tls?.mode
        let executor = NNTPCommandExecutor(backend: backend, configuration: sessionConfiguration, now: now)
        self.executor = executor
        self.listener = LineListener(
            configuration: configuration.listenerConfiguration,
            protocolName: "NNTP",
            logger: logger,
            eventLoopGroup: eventLoopGroup,
            tls: tls,
            protocolHandlers: { channel in
                try channel.pipeline.syncOperations.addHandler(
                    NNTPLoopAnswerer(executor: executor, eventLoop: channel.eventLoop)
                )
            },
            onListening: onListening
        )
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``NNTPServerError`` when the address cannot be bound.
    public func run() async throws {
        try await self.listener.run(
            refusal: { text in
                var buffer = ByteBuffer()
                buffer.writeNNTPStatusLine(.serviceUnavailable, text)
                return buffer
            },
            serve: { connection, logger, isShuttingDown in
                let listener = self.listener
                let session = NNTPConnection(
                    configuration: self.executor.configuration,
                    executor: self.executor,
                    logger: logger,
                    startTLS: { channel, reply in try await listener.startTLS(on: channel, sending: reply) },
                    isShuttingDown: isShuttingDown,
                    loginThrottle: self.loginThrottle,
                    loginDelay: self.loginDelay,
                    peerAddress: connection.channel.remoteAddress?.ipAddress ?? "unknown"
                )
                // The session runs on its channel's event loop: a command answered from memory
                // (the read cache behind the backend) costs no thread hop at all, and one that
                // reads the database suspends the task, which frees the loop. (`forllm serve` runs
                // all async code on the event loops anyway; this keeps a session on its own one.)
                // It is also what lets the task lend its context to the `NNTPLoopAnswerer`.
                try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.channel.eventLoop)) {
                    try await session.run(connection)
                }
            }
        )
    }
}

/// The listening service's failure: the address cannot be bound.
public typealias NNTPServerError = LineServerError
