import LineServer
import Logging
import NIOCore
import NNTPCore

/// Serves one client: the async loop that feeds an ``NNTPSession`` and carries out its actions.
///
/// Lines are handled strictly one after another, so pipelined commands (RFC 3977 §3.5) are
/// answered in order, and each response is handed to the channel in one write.
struct NNTPConnection: Sendable {
    let configuration: NNTPSessionConfiguration
    let executor: NNTPCommandExecutor
    let logger: Logger
    /// Starts TLS on the channel after `STARTTLS`: writes the `382` given, then switches
    /// (``LineListener/startTLS(on:sending:)``).
    let startTLS: @Sendable (_ channel: any Channel, _ reply: ByteBuffer) async throws -> Void
    /// Whether the server has begun a graceful shutdown; checked after each command so that a
    /// session with pipelined commands still stops after the one in flight.
    let isShuttingDown: @Sendable () -> Bool
    /// Failed logins, per client address (``peerAddress``).
    let loginThrottle: NNTPLoginThrottle
    /// Waits before a failed login is answered (`Task.sleep`; tests record instead).
    let loginDelay: @Sendable (Duration) async -> Void
    /// The client's IP address, without the port.
    let peerAddress: String

    /// Runs the session until the client quits or disconnects, the idle timeout fires or the
    /// server shuts down. Errors from the channel end the session and are rethrown.
    func run(_ channel: NIOAsyncChannel<LineConnectionEvent, ByteBuffer>) async throws {
        try await channel.executeThenClose { inbound, outbound in
            let state = State(
                session: NNTPSession(
                    configuration: self.configuration,
                    peerIsLoopback: Self.isLoopback(channel.channel.remoteAddress)
                ),
                writer: NNTPResponseWriter(chunkSize: NNTPDefaults.responseChunkSize) { bytes in
                    try await outbound.write(bytes)
                },
                channel: channel.channel,
                logger: self.logger,
                lease: Self.lease(of: channel.channel)
            )
            defer { state.lease?.value.withdraw() }
            guard try await self.start(state) else { return }
            self.lend(state)
            var iterator = inbound.makeAsyncIterator()
            while let event = try await iterator.next() {
                if let context = state.lease?.value.receive() {
                    state.session.contextReturned(context)
                }
                guard try await self.handle(event, state) else { return }
                self.lend(state)
            }
            if case .receivingArticle = state.session.state {
                self.logger.debug("Client closed the connection during POST; nothing stored")
            }
        }
    }

    /// What a connection keeps between commands, on the heap rather than in the loop's frame.
    ///
    /// Memory per connection is mostly async frames: a task keeps the memory of the deepest
    /// stack it has reached (the task allocator does not give slabs back), and a frame holds
    /// the locals of everything inlined into it. So the loop's frame is kept small, and
    /// `start`, `handle`, `perform` and the work they call are not inlined into each other:
    /// 10,000 greeted, idle readers take about 15 KB each instead of 18 KB.
    final class State {
        var session: NNTPSession
        var writer: NNTPResponseWriter
        let channel: any Channel
        /// The connection's logger; gains `nntp.tls` (the protocol version) once TLS is up.
        var logger: Logger
        /// Shared with the pipeline's ``NNTPLoopAnswerer``; `nil` when the task does not run on
        /// the channel's event loop, or the pipeline has no answerer.
        let lease: NIOLoopBoundBox<NNTPLoopLease>?

        init(
            session: NNTPSession,
            writer: NNTPResponseWriter,
            channel: any Channel,
            logger: Logger,
            lease: NIOLoopBoundBox<NNTPLoopLease>?
        ) {
            self.session = session
            self.writer = writer
            self.channel = channel
            self.logger = logger
            self.lease = lease
        }
    }

    /// The loan box of the channel's ``NNTPLoopAnswerer``, when this task runs on the channel's
    /// event loop (the box may be touched only there).
    private static func lease(of channel: any Channel) -> NIOLoopBoundBox<NNTPLoopLease>? {
        guard channel.eventLoop.inEventLoop else { return nil }
        return try? channel.pipeline.syncOperations.handler(type: NNTPLoopAnswerer.self).lease
    }

    /// Lends the session's context to the loop while the session waits for a command; every
    /// response so far has been handed to the channel (see ``NNTPLoopAnswerer``).
    private func lend(_ state: State) {
        guard let lease = state.lease, state.session.isAwaitingCommand, !self.isShuttingDown() else { return }
        lease.value.lend(state.session.context, logger: state.logger)
    }

    /// The greeting; `false` when the connection is to be closed.
    ///
    /// Written through ``reply(_:_:)``, not ``perform(_:_:)``: the greeting is a reply only, and
    /// a reader that connects and waits (most of an idle server's connections) then never holds
    /// `perform`'s frame of about 2 KB (see ``State``).
    @inline(never)
    private func start(_ state: State) async throws -> Bool {
        guard try await self.reply(state.session.greeting(), state) else {
            return false
        }
        if self.isShuttingDown() {
            _ = try await self.reply(state.session.shutdownRequested(), state)
            return false
        }
        return true
    }

    /// Carries out an action that only replies or closes (the greeting, the refusal at
    /// shutdown); any other goes to ``perform(_:_:)``. Returns `false` when the connection is to
    /// be closed.
    @inline(never)
    private func reply(_ action: NNTPSession.Action, _ state: State) async throws -> Bool {
        switch action {
        case .none:
            return true
        case .send(let bytes):
            state.writer.buffer = bytes
            try await state.writer.flush()
            return true
        case .sendAndClose(let bytes):
            state.writer.buffer = bytes
            try await state.writer.flush()
            return false
        case .close:
            return false
        case .execute, .post, .authenticate, .startTLS:
            return try await self.perform(action, state)
        }
    }

    /// One event from the channel; `false` when the connection is to be closed.
    @inline(never)
    private func handle(_ event: LineConnectionEvent, _ state: State) async throws -> Bool {
        switch event {
        case .tlsEstablished(let info):
            state.logger[metadataKey: "nntp.tls"] = "\(info)"
            state.logger.debug("TLS established")
        case .frame where state.session.state == .startingTLS:
            state.logger.debug("Plaintext line after STARTTLS dropped")
        case .frame, .idleTimeout, .shutdown:
            break
        }
        let action = state.session.handle(event, logger: state.logger, commandMetadataKey: "nntp.command")
        guard try await self.perform(action, state) else {
            return false
        }
        if self.isShuttingDown() {
            return try await self.perform(
                state.session.shutdownRequested(),
                state
            )
        }
        return true
    }

    /// Carries out `action` and the actions that follow from it; returns `false` when the
    /// connection is to be closed. (Out of line: see ``State``.)
    @inline(never)
    private func perform(_ action: NNTPSession.Action, _ state: State) async throws -> Bool {
        try await self.perform(action, session: &state.session, writer: &state.writer, state: state)
    }

    @inline(never)
    private func perform(
        _ action: NNTPSession.Action,
        session: inout NNTPSession,
        writer: inout NNTPResponseWriter,
        state: State
    ) async throws -> Bool {
        var action = action
        while true {
            switch action {
            case .none:
                return true
            case .send(let bytes):
                writer.buffer = bytes
                try await writer.flush()
                return true
            case .sendAndClose(let bytes):
                writer.buffer = bytes
                try await writer.flush()
                return false
            case .close:
                return false
            case .execute(let command):
                action = try await self.execute(command, session: &session, writer: &writer)
            case .post(let article):
                action = await self.post(
                    article,
                    user: session.context.user,
                    session: &session,
                    logger: state.logger
                )
            case .authenticate(let user, let password):
                action = await self.authenticate(
                    user: user,
                    password: password,
                    session: &session,
                    logger: state.logger
                )
                // The session's log lines name the user from now on.
                if let user = session.context.user { state.logger[metadataKey: "nntp.user"] = "\(user)" }
            case .startTLS(let reply):
                state.logger.debug("Starting TLS")
                try await self.startTLS(state.channel, reply)
                return true
            }
        }
    }

    // The three below are out of line for the same reason as `perform` (see `State`).

    @inline(never)
    private func execute(
        _ command: NNTPCommand,
        session: inout NNTPSession,
        writer: inout NNTPResponseWriter
    )
        async throws -> NNTPSession.Action
    {
        var context = session.context
        try await self.executor.execute(command, context: &context, writer: &writer)
        return session.commandExecuted(context: context)
    }

    @inline(never)
    private func post(
        _ article: [UInt8],
        user: String?,
        session: inout NNTPSession,
        logger: Logger
    ) async -> NNTPSession.Action {
        logger.debug("POST", metadata: ["nntp.article.bytes": "\(article.count)"])
        let outcome = await self.executor.backend.post(article, user: user)
        switch outcome {
        case .posted(let messageID):
            logger.debug("Article posted", metadata: ["nntp.message_id": "\(messageID)"])
        case .rejected(let reason), .duplicate(let reason):
            logger.debug("Article rejected", metadata: ["nntp.reason": "\(reason)"])
        }
        return session.postCompleted(outcome)
    }

    @inline(never)
    private func authenticate(
        user: String,
        password: String,
        session: inout NNTPSession,
        logger: Logger
    ) async -> NNTPSession.Action {
        let isValid = await self.executor.backend.authenticate(user: user, password: password)
        if isValid {
            self.loginThrottle.succeeded(from: self.peerAddress)
            logger.info("Logged in", metadata: ["nntp.user": "\(user)"])
        } else {
            let (delay, failures) = self.loginThrottle.failed(from: self.peerAddress, at: .now)
            logger.notice(
                "Login failed",
                metadata: [
                    "nntp.user": "\(user.prefix(64))", "nntp.failures": "\(failures)", "nntp.delay": "\(delay)"
                ]
            )
            await self.loginDelay(delay)
        }
        return session.authenticationCompleted(isValid)
    }

    /// Whether a peer address is this machine's: IPv4 127.0.0.0/8, IPv6 `::1`, or an IPv4
    /// loopback address mapped into IPv6.
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        if ip == "::1" { return true }
        let v4 = ip.hasPrefix("::ffff:") ? String(ip.dropFirst("::ffff:".count)) : ip
        return v4.hasPrefix("127.")
    }
}
