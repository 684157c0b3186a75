import LineServer
import NIOCore
import SMTPCore

/// The state machine of one SMTP connection: events in, actions out, no I/O.
///
/// The connection loop feeds it the client's lines and the server's notices and carries out
/// what it returns. The two questions for the backend come back as actions
/// (``Action/checkRecipient(_:)``, ``Action/deliver(_:_:)``); the loop answers them with
/// ``recipientChecked(_:)`` and ``deliveryCompleted(_:)``. Everything else (greeting, `EHLO`,
/// sequence rules, limits, syntax errors, receiving the message) is decided here.
///
/// ```
///           greeting()           RCPT                            recipientChecked
///   idle ──────────────▶ command ─────▶ checkingRecipient ───────────────┐
///                         ▲  │ DATA (354)          "." (with a valid    │
///                         │  └─────────▶ receivingData ─────▶ delivering│
///                         └──── deliveryCompleted / refused message ◀───┘
///   QUIT, idle timeout, shutdown ──▶ closed
///
///           STARTTLS (220)              tlsEstablished
///   command ──────────────▶ startingTLS ──────────────▶ command, before EHLO
/// ```
///
/// Lines are handled one at a time, each answered before the next is read, so pipelined
/// commands (RFC 2920) get their replies in order.
struct SMTPSession: LineSession {
    /// A mail transaction: from `MAIL` to the end of `DATA`, `RSET` or a new `EHLO`.
    struct Transaction: Hashable, Sendable {
        var reversePath: SMTPReversePath
        var parameters: SMTPMailParameters
        var recipients: [SMTPMailbox] = []
    }

    enum State: Hashable, Sendable {
        /// Before the greeting.
        case idle
        /// Waiting for a command, with the transaction so far, if any.
        case command(Transaction?)
        /// The backend is asked about a recipient.
        case checkingRecipient(Transaction, SMTPMailbox)
        /// After `354`, collecting the message.
        case receivingData(Transaction, SMTPDataReceiver)
        /// The backend has the message.
        case delivering
        /// After `220` to `STARTTLS`: the TLS handshake is under way. Lines that arrive now were
        /// sent in plaintext after `STARTTLS` and are dropped (RFC 3207 §6).
        case startingTLS
        /// The connection is to be closed; nothing more is read.
        case closed
    }

    /// What the connection loop must do next.
    enum Action: Hashable, Sendable {
        /// Write these replies and read on.
        case send([SMTPReply])
        /// Write these replies, then close the connection.
        case sendAndClose([SMTPReply])
        /// Ask the backend, then call ``SMTPSession/recipientChecked(_:)``.
        case checkRecipient(SMTPMailbox)
        /// Hand the message to the backend, then call ``SMTPSession/deliveryCompleted(_:)``.
        case deliver(SMTPEnvelope, [UInt8])
        /// Write these replies (`220`) in plaintext, then start TLS on the connection; its end
        /// comes back as ``SMTPSession/tlsEstablished(_:)``.
        case startTLS([SMTPReply])
        /// Nothing to write; read on.
        case none
        /// Close the connection without writing.
        case close
    }

    let configuration: SMTPServerConfiguration
    /// TLS on this port: `.startTLS` when `STARTTLS` is offered; `nil`: none.
    let tls: LineTLS.Mode?
    /// Whether the connection runs over TLS.
    private(set) var isTLSActive: Bool
    // Set by the command handlers of SMTPSession+Commands.swift too, hence not private(set).
    var state: State = .idle
    /// The name from `EHLO`/`HELO`; `nil` before either.
    var clientName: String?
    /// The last command line parsed, for logging; `nil` when the last line was no command.
    var lastCommand: SMTPCommand?
    /// A graceful shutdown arrived while a message or a backend call was in flight.
    private var isShutdownPending = false

    init(configuration: SMTPServerConfiguration, tls: LineTLS.Mode? = nil) {
        self.configuration = configuration
        self.tls = tls
        self.isTLSActive = tls == .implicit
    }

    /// Whether the session waits for a command (rather than message lines or the backend).
    var isAwaitingCommand: Bool {
        if case .command = self.state {
            return true
        }
        return false
    }

    // MARK: - Events

    /// The connection is up: send the greeting.
    ///
    /// - SeeAlso: [RFC 5321 §4.3.1](https://datatracker.ietf.org/doc/html/rfc5321#section-4.3.1)
    mutating func greeting() -> Action {
        switch self.state {
        case .idle:
            self.state = .command(nil)
            return .send([SMTPReply(.serviceReady, "\(self.configuration.hostname) ESMTP FORLLM ready")])
        case .command, .checkingRecipient, .receivingData, .delivering, .startingTLS, .closed:
            return .none
        }
    }

    /// A line (or an over-long line) arrived from the client.
    mutating func receive(_ frame: LineFrame) -> Action {
        switch self.state {
        case .command(let transaction):
            return self.receiveCommand(frame, transaction: transaction)
        case .receivingData(let transaction, var receiver):
            // Leave the state first: with the state still holding the receiver, each line's append
            // would copy the whole message so far (copy-on-write), quadratic in its size.
            self.state = .delivering
            guard let result = receiver.receive(frame) else {
                self.state = .receivingData(transaction, receiver)
                return .none
            }
            switch result {
            case .complete(let message):
                self.state = .delivering
                let envelope = SMTPEnvelope(
                    reversePath: transaction.reversePath,
                    recipients: transaction.recipients,
                    parameters: transaction.parameters,
                    clientName: self.clientName ?? ""
                )
                return .deliver(envelope, message)
            case .refused(let reply):
                // The end of the data ends the transaction, whatever the outcome (§4.1.1.4).
                self.state = .command(nil)
                return self.respond(reply)
            }
        case .startingTLS:
            // Sent in plaintext after STARTTLS, before the handshake: never a command.
            return .none
        case .idle, .checkingRecipient, .delivering, .closed:
            // The loop reads the next line only after it carried out the previous action, so a
            // line here means that invariant broke: close rather than answer out of order.
            self.state = .closed
            return .close
        }
    }

    /// The backend answered the ``Action/checkRecipient(_:)`` for the pending `RCPT`.
    mutating func recipientChecked(_ decision: SMTPRecipientDecision) -> Action {
        guard case .checkingRecipient(var transaction, let mailbox) = self.state else {
            return .none
        }
        switch decision {
        case .accepted:
            transaction.recipients.append(mailbox)
            self.state = .command(transaction)
            return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 1, 5), "\(mailbox) recipient OK"))
        case .refused(let text):
            self.state = .command(transaction)
            return self.respond(SMTPReply(.mailboxUnavailable, SMTPEnhancedStatusCode(5, 1, 1), "\(mailbox): \(text)"))
        case .temporaryFailure(let text):
            self.state = .command(transaction)
            return self.respond(SMTPReply(.localError, SMTPEnhancedStatusCode(4, 3, 0), "\(mailbox): \(text)"))
        }
    }

    /// The backend answered the ``Action/deliver(_:_:)``.
    mutating func deliveryCompleted(_ outcome: SMTPDeliveryOutcome) -> Action {
        guard case .delivering = self.state else {
            return .none
        }
        self.state = .command(nil)
        switch outcome {
        case .accepted(let id):
            return self.respond(SMTPReply(.ok, SMTPEnhancedStatusCode(2, 0, 0), "message accepted as \(id)"))
        case .refused(let reason):
            return self.respond(SMTPReply(.transactionFailed, SMTPEnhancedStatusCode(5, 6, 0), reason))
        case .temporaryFailure(let reason):
            return self.respond(SMTPReply(.localError, SMTPEnhancedStatusCode(4, 3, 0), reason))
        }
    }

    /// The TLS handshake completed. After `STARTTLS` the session is back where it was after the
    /// greeting: no client name, no transaction; the client sends `EHLO` again. No greeting
    /// follows.
    ///
    /// - SeeAlso: [RFC 3207 §4.2](https://datatracker.ietf.org/doc/html/rfc3207#section-4.2)
    mutating func tlsEstablished(_ info: LineTLSInfo) -> Action {
        self.isTLSActive = true
        guard case .startingTLS = self.state else {
            return .none
        }
        self.clientName = nil
        self.state = .command(nil)
        guard self.isShutdownPending else {
            return .none
        }
        self.state = .closed
        return .sendAndClose([self.shutdownReply])
    }

    /// Nothing was read or written for the idle timeout.
    ///
    /// - SeeAlso: [RFC 5321 §4.5.3.2.7](https://datatracker.ietf.org/doc/html/rfc5321#section-4.5.3.2.7)
    mutating func idleTimedOut() -> Action {
        switch self.state {
        case .idle, .command, .receivingData:
            self.state = .closed
            return .sendAndClose([
                SMTPReply(
                    .serviceNotAvailable,
                    SMTPEnhancedStatusCode(4, 4, 2),
                    "\(self.configuration.hostname) idle timeout, closing connection"
                )
            ])
        case .startingTLS:
            // A reply now would go into the unfinished handshake.
            self.state = .closed
            return .close
        case .checkingRecipient, .delivering, .closed:
            return .none
        }
    }

    /// The server is shutting down: close now when waiting for a command, else after the
    /// message or backend call in flight has been answered.
    mutating func shutdownRequested() -> Action {
        switch self.state {
        case .idle, .command:
            self.state = .closed
            return .sendAndClose([self.shutdownReply])
        case .checkingRecipient, .receivingData, .delivering:
            self.isShutdownPending = true
            return .none
        case .startingTLS:
            self.state = .closed
            return .close
        case .closed:
            return .none
        }
    }

    // MARK: - Replies

    private var shutdownReply: SMTPReply {
        SMTPReply(
            .serviceNotAvailable,
            SMTPEnhancedStatusCode(4, 3, 2),
            "\(self.configuration.hostname) server shutting down, closing connection"
        )
    }

    /// Sends `reply` and, when a shutdown is pending, the `421` after it.
    mutating func respond(_ reply: SMTPReply) -> Action {
        guard self.isShutdownPending else {
            return .send([reply])
        }
        self.state = .closed
        return .sendAndClose([reply, self.shutdownReply])
    }
}
