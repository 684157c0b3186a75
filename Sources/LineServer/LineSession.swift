import Logging

/// A protocol session as its connection loop drives it: a state machine that answers each
/// event of the connection with an action the loop carries out.
///
/// ``handle(_:logger:commandMetadataKey:)`` is `@inlinable` and always inlined, so the
/// connection loop of each server gets it specialised for its own session and action types, as
/// when each loop had this switch of its own.
public protocol LineSession {
    /// What the connection loop is to do next.
    associatedtype Action
    /// A parsed command, as logged.
    associatedtype Command: CustomDebugStringConvertible

    /// Whether the next line is a command (rather than part of an article or message).
    var isAwaitingCommand: Bool { get }
    /// The last command line parsed; `nil` when the last line was no command.
    var lastCommand: Command? { get }

    /// One line (or an over-long line) from the client.
    mutating func receive(_ frame: LineFrame) -> Action
    /// Nothing was read or written for the idle timeout.
    mutating func idleTimedOut() -> Action
    /// The server is shutting down gracefully.
    mutating func shutdownRequested() -> Action
    /// The TLS handshake completed: from the start of an implicit-TLS connection, or after
    /// `STARTTLS`.
    mutating func tlsEstablished(_ info: LineTLSInfo) -> Action
}

extension LineSession {
    /// Passes one connection event to the session; logs each command line at `debug` under
    /// `commandMetadataKey` and the idle timeout.
    @inlinable
    @inline(__always)
    public mutating func handle(_ event: LineConnectionEvent, logger: Logger, commandMetadataKey: String) -> Action {
        switch event {
        case .frame(let frame):
            let isCommand = self.isAwaitingCommand
            let action = self.receive(frame)
            if isCommand {
                logger.debug(
                    "Command",
                    metadata: [commandMetadataKey: "\(self.lastCommand?.debugDescription ?? "(invalid)")"]
                )
            }
            return action
        case .idleTimeout:
            logger.debug("Idle timeout")
            return self.idleTimedOut()
        case .shutdown:
            return self.shutdownRequested()
        case .tlsEstablished(let info):
            return self.tlsEstablished(info)
        }
    }
}
