import LineServer
import Logging
import NIOCore
import SMTPCore

/// Serves one client: the async loop that feeds an ``SMTPSession`` and carries out its actions.
///
/// Lines are handled strictly one after another, so pipelined commands (RFC 2920) are answered
/// in order, each reply handed to the channel in one write.
struct SMTPConnection: Sendable {
    let configuration: SMTPServerConfiguration
    let backend: any SMTPBackend
    let logger: Logger
    /// TLS on this port: `.startTLS` when `STARTTLS` is offered; `nil`: none.
    let tls: LineTLS.Mode?
    /// Starts TLS on the channel after `STARTTLS`: writes the `220` given, then switches
    /// (``LineListener/startTLS(on:sending:)``).
    let startTLS: @Sendable (_ channel: any Channel, _ reply: ByteBuffer) async throws -> Void
    /// Whether the server has begun a graceful shutdown; checked after each line so that a
    /// session with pipelined commands still stops after the one in flight.
    let isShuttingDown: @Sendable () -> Bool

    /// Runs the session until the client quits or disconnects, the idle timeout fires or the
    /// server shuts down. Errors from the channel end the session and are rethrown.
    func run(_ channel: NIOAsyncChannel<LineConnectionEvent, ByteBuffer>) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(configuration: self.configuration, tls: self.tls)
            var logger = self.logger
            let write: (ByteBuffer) async throws -> Void = { bytes in try await outbound.write(bytes) }
            let startTLS: (ByteBuffer) async throws -> Void = { reply in
                try await self.startTLS(channel.channel, reply)
            }
            guard
                try await self.perform(
                    session.greeting(),
                    session: &session,
                    logger: logger,
                    write: write,
                    startTLS: startTLS
                )
            else {
                return
            }
            if self.isShuttingDown() {
                _ = try await self.perform(
                    session.shutdownRequested(),
                    session: &session,
                    logger: logger,
                    write: write,
                    startTLS: startTLS
                )
                return
            }
            for try await event in inbound {
                switch event {
                case .tlsEstablished(let info):
                    logger[metadataKey: "smtp.tls"] = "\(info)"
                    logger.debug("TLS established")
                case .frame:
                    if case .startingTLS = session.state {
                        logger.debug("Plaintext line after STARTTLS dropped")
                    }
                case .idleTimeout, .shutdown:
                    break
                }
                let action = session.handle(event, logger: logger, commandMetadataKey: "smtp.command")
                guard
                    try await self.perform(action, session: &session, logger: logger, write: write, startTLS: startTLS)
                else {
                    return
                }
                if self.isShuttingDown() {
                    guard
                        try await self.perform(
                            session.shutdownRequested(),
                            session: &session,
                            logger: logger,
                            write: write,
                            startTLS: startTLS
                        )
                    else {
                        return
                    }
                }
            }
            if case .receivingData = session.state {
                self.logger.debug("Client closed the connection during DATA; nothing delivered")
            }
        }
    }

    /// Carries out `action` and the actions that follow from it; returns `false` when the
    /// connection is to be closed.
    private func perform(
        _ action: SMTPSession.Action,
        session: inout SMTPSession,
        logger: Logger,
        write: (ByteBuffer) async throws -> Void,
        startTLS: (ByteBuffer) async throws -> Void
    ) async throws -> Bool {
        var action = action
        while true {
            switch action {
            case .none:
                return true
            case .send(let replies):
                try await write(Self.encode(replies))
                return true
            case .sendAndClose(let replies):
                try await write(Self.encode(replies))
                return false
            case .close:
                return false
            case .startTLS(let replies):
                logger.debug("Starting TLS")
                try await startTLS(Self.encode(replies))
                return true
            case .checkRecipient(let mailbox):
                let decision = await self.backend.recipient(mailbox)
                logger.debug(
                    "Recipient checked",
                    metadata: ["smtp.recipient": "\(mailbox)", "smtp.decision": "\(decision)"]
                )
                action = session.recipientChecked(decision)
            case .deliver(let envelope, let message):
                logger.debug(
                    "Delivering",
                    metadata: [
                        "smtp.message.bytes": "\(message.count)", "smtp.recipients": "\(envelope.recipients.count)"
                    ]
                )
                let outcome = await self.backend.deliver(envelope, message: message)
                logger.debug("Delivered", metadata: ["smtp.outcome": "\(outcome)"])
                action = session.deliveryCompleted(outcome)
            }
        }
    }

    private static func encode(_ replies: [SMTPReply]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for reply in replies {
            buffer.writeSMTPReply(reply)
        }
        return buffer
    }
}
