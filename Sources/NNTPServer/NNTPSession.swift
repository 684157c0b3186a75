import LineServer
import NIOCore
import NNTPCore

/// The state machine of one NNTP connection: events in, actions out, no I/O.
///
/// The connection loop feeds it the client's lines and the server's notices and carries out
/// what it returns. Commands that need storage come back as ``Action/execute(_:)``; the loop
/// runs them with ``NNTPCommandExecutor`` against ``context`` and reports back with
/// ``commandExecuted(context:)``. Everything else (greeting, `CAPABILITIES`, `MODE READER`,
/// `QUIT`, `HELP`, authentication gating, `STARTTLS`, syntax errors, receiving an article) is
/// decided here.
///
/// ```
///            greeting()            receive(POST)           receive(".")
///   idle ────────────────▶ command ────────────▶ receivingArticle ──────▶ awaitingBackend
///                            ▲  │ receive(GROUP …)                           │
///                            │  └──────────────▶ awaitingBackend ─────────────┤
///                            └───── commandExecuted / postCompleted / ────────┘
///                                   authenticationCompleted
///   QUIT, idle timeout, shutdown ──▶ closed
///
///            receive(STARTTLS)            tlsEstablished
///   command ──────────────────▶ startingTLS ─────────────▶ command (context forgotten)
/// ```
struct NNTPSession: LineSession {
    enum State: Hashable, Sendable {
        /// Before the greeting.
        case idle
        /// Waiting for a command.
        case command
        /// After `340`, collecting the article.
        case receivingArticle(NNTPArticleReceiver)
        /// A command, article or authentication is with the backend.
        case awaitingBackend
        /// After `382`: the TLS handshake is under way. Lines that arrive now were sent in
        /// plaintext after `STARTTLS` and are dropped (RFC 4642 §2.2.2).
        case startingTLS
        /// The connection is to be closed; nothing more is read.
        case closed
    }

    /// What the connection loop must do next.
    enum Action: Hashable, Sendable {
        /// Write these bytes (one or more complete responses) and read on.
        case send(ByteBuffer)
        /// Write these bytes, then close the connection.
        case sendAndClose(ByteBuffer)
        /// Run the command against the backend, write its response, then call
        /// ``NNTPSession/commandExecuted(context:)``.
        case execute(NNTPCommand)
        /// Hand the article to the backend, then call ``NNTPSession/postCompleted(_:)``.
        case post([UInt8])
        /// Check the credentials, then call ``NNTPSession/authenticationCompleted(_:)``.
        case authenticate(user: String, password: String)
        /// Write these bytes (`382`) in plaintext, then start TLS on the connection; its end
        /// comes back as ``NNTPSession/tlsEstablished(_:)``.
        case startTLS(ByteBuffer)
        /// Nothing to write; read on.
        case none
        /// Close the connection without writing.
        case close
    }

    let configuration: NNTPSessionConfiguration
    private(set) var state: State = .idle
    /// The selected group, current article and flags the executor works with.
    private(set) var context = NNTPSessionContext()
    /// The user name of an `AUTHINFO USER` awaiting its `PASS`.
    private var pendingUser: String?
    /// The last command line parsed, for logging.
    private(set) var lastCommand: NNTPCommand?
    /// A graceful shutdown arrived while a command or article was in flight.
    private var isShutdownPending = false

    /// Whether the client connects from this machine (127.0.0.0/8, ::1): a password it sends
    /// in the clear never crosses a network.
    let peerIsLoopback: Bool

    init(configuration: NNTPSessionConfiguration, peerIsLoopback: Bool = true) {
        self.configuration = configuration
        self.peerIsLoopback = peerIsLoopback
        self.context.isTLSActive = configuration.tls == .implicit
    }

    /// Whether `AUTHINFO` must wait for TLS: where TLS is offered, a client on another machine
    /// sends its password only over it (RFC 4643 §2.2: `483`).
    var passwordsNeedTLS: Bool {
        self.configuration.tls != nil && !self.context.isTLSActive && !self.peerIsLoopback
    }

    /// Whether the next line is a command.
    var isAwaitingCommand: Bool {
        self.state == .command
    }

    /// Whether nothing more will be read.
    var isClosed: Bool {
        self.state == .closed
    }

    // MARK: - Events

    /// The connection is up: send the greeting.
    ///
    /// - SeeAlso: [RFC 3977 §5.1](https://datatracker.ietf.org/doc/html/rfc3977#section-5.1)
    mutating func greeting() -> Action {
        switch self.state {
        case .idle:
            self.state = .command
            if self.configuration.postingAllowed {
                return .send(
                    Self.statusLine(
                        .postingAllowed,
                        "\(self.configuration.hostname) FORLLM NNTP service ready, posting allowed"
                    )
                )
            }
            return .send(
                Self.statusLine(
                    .postingProhibited,
                    "\(self.configuration.hostname) FORLLM NNTP service ready, posting prohibited"
                )
            )
        case .command, .receivingArticle, .awaitingBackend, .startingTLS, .closed:
            return .none
        }
    }

    /// A line (or an over-long line) arrived from the client.
    mutating func receive(_ frame: LineFrame) -> Action {
        switch self.state {
        case .command:
            return self.receiveCommand(frame)
        case .receivingArticle(var receiver):
            // The state lets go of its copy first: otherwise appending a line copies the whole
            // article received so far (copy on write), and a POST costs the square of its size.
            self.state = .awaitingBackend
            guard let result = receiver.receive(frame) else {
                self.state = .receivingArticle(receiver)
                return .none
            }
            switch result {
            case .complete(let article):
                self.state = .awaitingBackend
                return .post(article)
            case .rejected(let reason):
                self.state = .command
                return self.respond(Self.statusLine(.postingFailed, reason))
            }
        case .startingTLS:
            // Sent in plaintext after STARTTLS, before the handshake: never a command.
            return .none
        case .idle, .awaitingBackend, .closed:
            // The loop reads the next line only after it carried out the previous action, so a
            // line here means that invariant broke: close rather than answer out of order.
            self.state = .closed
            return .close
        }
    }

    /// The executor ran the command of an ``Action/execute(_:)`` and wrote its response.
    mutating func commandExecuted(context: NNTPSessionContext) -> Action {
        self.context = context
        return self.backendCompleted(response: nil)
    }

    /// The context comes back from the loop, where commands may have changed it (the selected
    /// group, the current article) while the session waited for a command (``NNTPLoopLease``).
    mutating func contextReturned(_ context: NNTPSessionContext) {
        guard self.state == .command else { return }
        self.context = context
    }

    /// The backend answered the article of an ``Action/post(_:)``.
    mutating func postCompleted(_ outcome: NNTPPostOutcome) -> Action {
        switch outcome {
        case .posted(let messageID):
            return self.backendCompleted(response: Self.statusLine(.articleReceived, "article received \(messageID)"))
        case .rejected(let reason):
            return self.backendCompleted(response: Self.statusLine(.postingFailed, reason))
        case .duplicate(let reason):
            return self.backendCompleted(response: Self.statusLine(.postingFailed, "435 Duplicate: \(reason)"))
        }
    }

    /// The backend checked the credentials of an ``Action/authenticate(user:password:)``.
    ///
    /// - SeeAlso: [RFC 4643 §2.3](https://datatracker.ietf.org/doc/html/rfc4643#section-2.3)
    mutating func authenticationCompleted(_ isValid: Bool) -> Action {
        let user = self.pendingUser
        self.pendingUser = nil
        guard isValid else {
            return self.backendCompleted(response: Self.statusLine(.authenticationFailed, "authentication failed"))
        }
        self.context.isAuthenticated = true
        self.context.user = user
        return self.backendCompleted(response: Self.statusLine(.authenticationAccepted, "authentication accepted"))
    }

    /// The TLS handshake completed: at the start of an implicit-TLS connection, or after
    /// `STARTTLS`, when the session forgets what the client said before (the selected group,
    /// the current article, `CAPABILITIES`) and waits for a command; no greeting follows.
    ///
    /// - SeeAlso: [RFC 4642 §2.2.2](https://datatracker.ietf.org/doc/html/rfc4642#section-2.2.2)
    mutating func tlsEstablished(_ info: LineTLSInfo) -> Action {
        self.context.isTLSActive = true
        guard self.state == .startingTLS else {
            return .none
        }
        self.context = NNTPSessionContext(isTLSActive: true)
        self.pendingUser = nil
        self.state = .command
        return self.respond(ByteBuffer())
    }

    /// Nothing was read or written for the idle timeout.
    mutating func idleTimedOut() -> Action {
        switch self.state {
        case .idle, .command, .receivingArticle:
            self.state = .closed
            return .sendAndClose(Self.statusLine(.serviceUnavailable, "idle timeout, closing connection"))
        case .startingTLS:
            // A response now would go into the unfinished handshake.
            self.state = .closed
            return .close
        case .awaitingBackend, .closed:
            return .none
        }
    }

    /// The server is shutting down: close now when idle, else after the command in flight.
    mutating func shutdownRequested() -> Action {
        switch self.state {
        case .idle, .command:
            self.state = .closed
            return .sendAndClose(Self.statusLine(.serviceUnavailable, "server shutting down"))
        case .receivingArticle, .awaitingBackend:
            self.isShutdownPending = true
            return .none
        case .startingTLS:
            self.state = .closed
            return .close
        case .closed:
            return .none
        }
    }

    // MARK: - Commands

    private mutating func receiveCommand(_ frame: LineFrame) -> Action {
        switch frame {
        case .overlongLine:
            self.lastCommand = nil
            return .send(Self.statusLine(.syntaxError, "command line too long"))
        case .line(let line, let ending):
            self.lastCommand = nil
            guard Self.fitsCommandLineLimit(line, ending) else {
                return .send(
                    Self.statusLine(
                        .syntaxError,
                        "command line too long (\(NNTPDefaults.commandLineLimit) octets at most)"
                    )
                )
            }
            let command: NNTPCommand
            do {
                command = try NNTPCommandParser.parseCommand(line)
            } catch {
                let status: NNTPStatus = error.code == .unknownCommand ? .unknownCommand : .syntaxError
                return .send(Self.statusLine(status, error.hint))
            }
            self.lastCommand = command
            return self.handle(command)
        }
    }

    private mutating func handle(_ command: NNTPCommand) -> Action {
        if Self.awaitsLogin(command, configuration: self.configuration, context: self.context) {
            return .send(Self.statusLine(.authenticationRequired, "authentication required"))
        }
        switch command {
        case .capabilities:
            self.context.sentCapabilities = true
            return .send(self.capabilities())
        case .modeReader:
            if self.configuration.postingAllowed {
                return .send(Self.statusLine(.postingAllowed, "reader mode, posting allowed"))
            }
            return .send(Self.statusLine(.postingProhibited, "reader mode, posting prohibited"))
        case .quit:
            self.state = .closed
            return .sendAndClose(Self.statusLine(.closingConnection, "closing connection, goodbye"))
        case .help:
            return .send(Self.help())
        case .authinfoUser(let user):
            guard self.configuration.authenticationRequired else {
                return .send(Self.statusLine(.commandUnavailable, "authentication is not needed here"))
            }
            guard !self.context.isAuthenticated else {
                return .send(Self.statusLine(.commandUnavailable, "already authenticated"))
            }
            guard !self.passwordsNeedTLS else {
                return .send(Self.statusLine(.encryptionRequired, "encryption required: STARTTLS first, then log in"))
            }
            self.pendingUser = user
            return .send(Self.statusLine(.passwordRequired, "password required"))
        case .authinfoPass(let password):
            guard self.configuration.authenticationRequired else {
                return .send(Self.statusLine(.commandUnavailable, "authentication is not needed here"))
            }
            guard !self.context.isAuthenticated else {
                return .send(Self.statusLine(.commandUnavailable, "already authenticated"))
            }
            guard !self.passwordsNeedTLS else {
                return .send(Self.statusLine(.encryptionRequired, "encryption required: STARTTLS first, then log in"))
            }
            guard let user = self.pendingUser else {
                return .send(Self.statusLine(.authenticationOutOfSequence, "send AUTHINFO USER first"))
            }
            self.state = .awaitingBackend
            return .authenticate(user: user, password: password)
        case .startTLS:
            return self.startTLS()
        case .post:
            guard self.configuration.postingAllowed else {
                return .send(Self.statusLine(.postingNotPermitted, "posting not permitted"))
            }
            self.state = .receivingArticle(NNTPArticleReceiver(maximumBytes: self.configuration.maximumArticleBytes))
            return .send(Self.statusLine(.sendArticle, "send article to be posted, end with <CR-LF>.<CR-LF>"))
        case .date, .group, .listGroup, .last, .next, .article, .head, .body, .stat, .newGroups, .newNews,
            .list, .over, .xover, .hdr, .xhdr, .xpat:
            self.state = .awaitingBackend
            return .execute(command)
        }
    }

    /// `STARTTLS`: `382` and the switch to TLS while it is offered; `502` once TLS is active or
    /// the client has authenticated, `580` when this server has no TLS on this port.
    ///
    /// - SeeAlso: [RFC 4642 §2.2.2](https://datatracker.ietf.org/doc/html/rfc4642#section-2.2.2)
    private mutating func startTLS() -> Action {
        guard !self.context.isTLSActive else {
            return .send(Self.statusLine(.commandUnavailable, "TLS is already active"))
        }
        guard !self.context.isAuthenticated else {
            return .send(Self.statusLine(.commandUnavailable, "STARTTLS is not allowed after authentication"))
        }
        guard self.configuration.tls == .startTLS else {
            return .send(Self.statusLine(.tlsUnavailable, "TLS is not configured on this server"))
        }
        self.state = .startingTLS
        return .startTLS(Self.statusLine(.continueWithTLS, "Continue with TLS negotiation"))
    }

    /// Whether a command line is within RFC 3977's 512 octets, its CRLF (or LF) counted.
    static func fitsCommandLineLimit(_ line: ByteBuffer, _ ending: LineEnding) -> Bool {
        line.readableBytes + (ending == .crlf ? 2 : 1) <= NNTPDefaults.commandLineLimit
    }

    /// Whether `command` is answered `480` in a session with `context`: the server requires a
    /// login, there was none, and the command needs one.
    static func awaitsLogin(
        _ command: NNTPCommand,
        configuration: NNTPSessionConfiguration,
        context: NNTPSessionContext
    ) -> Bool {
        configuration.authenticationRequired && !context.isAuthenticated && Self.requiresAuthentication(command)
    }

    /// Whether `command` waits for `AUTHINFO` when the server requires it. `CAPABILITIES`,
    /// `MODE READER`, `QUIT`, `HELP`, `DATE`, `STARTTLS` and `AUTHINFO` itself never do.
    ///
    /// - SeeAlso: [RFC 4643 §2.1](https://datatracker.ietf.org/doc/html/rfc4643#section-2.1)
    static func requiresAuthentication(_ command: NNTPCommand) -> Bool {
        switch command {
        case .capabilities, .modeReader, .quit, .help, .date, .authinfoUser, .authinfoPass, .startTLS:
            return false
        case .group, .listGroup, .last, .next, .article, .head, .body, .stat, .post, .newGroups, .newNews,
            .list, .over, .xover, .hdr, .xhdr, .xpat:
            return true
        }
    }

    /// Back in command mode after the backend answered; closes when a shutdown is pending.
    private mutating func backendCompleted(response: ByteBuffer?) -> Action {
        self.state = .command
        return self.respond(response ?? ByteBuffer())
    }

    /// Sends `response` (possibly empty) and, when a shutdown is pending, the `400` after it.
    private mutating func respond(_ response: ByteBuffer) -> Action {
        guard self.isShutdownPending else {
            return response.readableBytes == 0 ? .none : .send(response)
        }
        self.state = .closed
        var response = response
        response.writeNNTPStatusLine(.serviceUnavailable, "server shutting down")
        return .sendAndClose(response)
    }

    static func statusLine(_ status: NNTPStatus, _ text: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeNNTPStatusLine(status, text)
        return buffer
    }
}
