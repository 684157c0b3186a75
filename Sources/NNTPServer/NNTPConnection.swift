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
    /// Whether the server has begun a graceful shutdown; checked after each command so that a
    /// session with pipelined commands still stops after the one in flight.
    let isShuttingDown: @Sendable () -> Bool

    /// Runs the session until the client quits or disconnects, the idle timeout fires or the
    /// server shuts down. Errors from the channel end the session and are rethrown.
    func run(_ channel: NIOAsyncChannel<NNTPConnectionEvent, ByteBuffer>) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var session = NNTPSession(configuration: self.configuration)
            var writer = NNTPResponseWriter(chunkSize: NNTPDefaults.responseChunkSize) { bytes in
                try await outbound.write(bytes)
            }
            guard try await self.perform(session.greeting(), session: &session, writer: &writer) else {
                return
            }
            if self.isShuttingDown() {
                _ = try await self.perform(session.shutdownRequested(), session: &session, writer: &writer)
                return
            }
            for try await event in inbound {
                let action: NNTPSession.Action
                switch event {
                case .frame(let frame):
                    let isCommand = session.state == .command
                    action = session.receive(frame)
                    if isCommand {
                        self.logger.debug(
                            "Command",
                            metadata: ["nntp.command": "\(session.lastCommand?.debugDescription ?? "(invalid)")"]
                        )
                    }
                case .idleTimeout:
                    self.logger.debug("Idle timeout")
                    action = session.idleTimedOut()
                case .shutdown:
                    action = session.shutdownRequested()
                }
                guard try await self.perform(action, session: &session, writer: &writer) else {
                    return
                }
                if self.isShuttingDown() {
                    guard try await self.perform(session.shutdownRequested(), session: &session, writer: &writer) else {
                        return
                    }
                }
            }
            if case .receivingArticle = session.state {
                self.logger.debug("Client closed the connection during POST; nothing stored")
            }
        }
    }

    /// Carries out `action` and the actions that follow from it; returns `false` when the
    /// connection is to be closed.
    private func perform(
        _ action: NNTPSession.Action,
        session: inout NNTPSession,
        writer: inout NNTPResponseWriter
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
                var context = session.context
                try await self.executor.execute(command, context: &context, writer: &writer)
                action = session.commandExecuted(context: context)
            case .post(let article):
                self.logger.debug("POST", metadata: ["nntp.article.bytes": "\(article.count)"])
                let outcome = await self.executor.backend.post(article)
                switch outcome {
                case .posted(let messageID):
                    self.logger.debug("Article posted", metadata: ["nntp.message_id": "\(messageID)"])
                case .rejected(let reason):
                    self.logger.debug("Article rejected", metadata: ["nntp.reason": "\(reason)"])
                }
                action = session.postCompleted(outcome)
            case .authenticate(let user, let password):
                let isValid = await self.executor.backend.authenticate(user: user, password: password)
                self.logger.debug("AUTHINFO", metadata: ["nntp.user": "\(user)", "nntp.accepted": "\(isValid)"])
                action = session.authenticationCompleted(isValid)
            }
        }
    }
}
