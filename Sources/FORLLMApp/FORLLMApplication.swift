import FORLLMForum
import FORLLMStore
import FORLLMWorker
import Foundation
import LineServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NNTPServer
import SMTPServer
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the server listens.
public struct ListeningAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// `nntp`, or `nntps` for the NNTPS port.
    public var scheme: String = "nntp"

    /// `nntp://127.0.0.1:1119`, `nntp://[::1]:1119`, `nntps://127.0.0.1:1563`
    public var description: String {
        "\(self.scheme)://\(self.host.contains(":") ? "[\(self.host)]" : self.host):\(self.port)"
    }
}

/// The composition root: builds and runs the news server and the LLM worker.
public enum FORLLMApplication {
    /// What `serve` runs, assembled but not started.
    public struct Assembly: Sendable {
        public var forum: Forum
        public var llm: LLMSide
        public var server: NNTPServer
        /// NNTPS (TLS from the first byte); `nil` unless `server.tls_listen` is set.
        public var tlsServer: NNTPServer?
        public var worker: ReplyWorker
        /// Writes articles into the Maildirs; `nil` while mail is off (`mail.maildir` unset).
        public var deliverer: MailDeliverer?
        /// Takes mail from mail clients; `nil` unless `mail.smtp_listen` is set.
        public var smtpServer: SMTPServer?
        /// Keeps `forllm.status` up to date.
        public var statusPublisher: StatusPublisher
        /// Runs the `hooks:` commands; `nil` when none is configured.
        public var hooks: HookRunner?
        public var serviceGroup: ServiceGroup

        /// Runs until SIGINT/SIGTERM (or graceful shutdown of the group), then closes the HTTP
        /// client and the database.
        public func run() async throws {
            do {
                try await self.serviceGroup.run()
            } catch {
                await self.llm.shutdown()
                try? await self.forum.close()
                throw error
            }
            await self.llm.shutdown()
            try await self.forum.close()
        }
    }

    /// Opens the database and assembles the services.
    /// - Parameters:
    ///   - signals: the signals that start a graceful shutdown (none in tests).
    ///   - onListening: called with the bound address once the news server listens.
    ///   - onSMTPListening: called with the bound address once the SMTP receiver listens.
    ///   - onTLSListening: called with the bound address once the NNTPS server listens.
    ///   - now: the one wall clock of the process: the forum (and through it the worker) and
    ///     the NNTP server (`DATE`, `NEWNEWS`) read the time from it.
    public static func assemble(
        configuration: FORLLMConfiguration,
        logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint],
        onListening: @escaping @Sendable (ListeningAddress) async -> Void = { _ in },
        onSMTPListening: @escaping @Sendable (ListeningAddress) async -> Void = { _ in },
        onTLSListening: @escaping @Sendable (ListeningAddress) async -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() },
        statusTimer: any Clock<Duration> = ContinuousClock()
    ) async throws -> Assembly {
        // Before anything opens: a bad certificate or key stops the start with one line.
        let tlsContext = try ServerTLS.context(configuration.tls)
        let startTLS = tlsContext.map { LineTLS(context: $0, mode: .startTLS) }
        let forum = try await Forum.open(
            path: configuration.databasePath,
            configuration: configuration.forumConfiguration,
            now: now,
            readCache: true
        )
        try await Admin(forum: forum, configuration: configuration).buildSearchIndex(logger: logger)
        var nntpConfiguration = configuration.nntpServerConfiguration
        // With users (`forllm user add`), readers log in; the users are read at start-up.
        let hasUsers = try await forum.database.hasUsers()
        if hasUsers {
            nntpConfiguration.authenticationRequired = true
        }
        if let problem = configuration.exposureProblem(hasUsers: hasUsers) {
            guard configuration.allowInsecure else {
                try? await forum.close()
                throw problem
            }
            logger.warning(
                "Listening beyond loopback unprotected (server.allow_insecure)",
                metadata: ["problem": "\(problem.key): \(problem.problem)"]
            )
        }
        let llm = LLMSide(configuration: configuration, logger: logger)
        let credentials = configuration.auth.user.map { user in
            (user: user, password: configuration.auth.password ?? "")
        }
        let backend = ForumBackend(
            forum: forum,
            credentials: credentials,
            requestCheck: { article in await llm.checkRequest(in: article) },
            logger: logger
        )
        // One count of failed logins per client address, whichever port it tries.
        let loginThrottle = NNTPLoginThrottle()
        let server = NNTPServer(
            configuration: nntpConfiguration,
            backend: backend,
            logger: logger,
            tls: startTLS,
            now: now,
            loginThrottle: loginThrottle,
            onListening: { address in
                await onListening(
                    ListeningAddress(
                        host: address.ipAddress ?? configuration.nntp.host,
                        port: address.port ?? configuration.nntp.port
                    )
                )
            }
        )
        let tlsServer = Self.nntpsServer(
            configuration: configuration,
            news: nntpConfiguration,
            context: tlsContext,
            backend: backend,
            logger: logger,
            now: now,
            loginThrottle: loginThrottle,
            onListening: onTLSListening
        )
        let worker = ReplyWorker(
            forum: forum,
            clients: llm.clients,
            catalog: llm.catalog,
            configuration: llm.workerConfiguration,
            logger: logger
        )
        let deliverer = MailDeliverer(configuration.mailDelivery, forum: forum, logger: logger)
        let statusPublisher = StatusPublisher(
            forum: forum,
            configuration: llm.workerConfiguration,
            clock: statusTimer,
            logger: logger
        )
        let hooks = HookRunner(configuration.hooks, events: forum.events, logger: logger)
        let smtpServer = configuration.smtpServerConfiguration.map { smtp in
            SMTPServer(
                configuration: smtp,
                backend: ForumMailBackend(
                    forum: forum,
                    requestCheck: { article in await llm.checkRequest(in: article) },
                    logger: logger
                ),
                logger: logger,
                tls: startTLS,
                onListening: { address in
                    await onSMTPListening(
                        ListeningAddress(host: address.ipAddress ?? smtp.host, port: address.port ?? smtp.port)
                    )
                }
            )
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server),
            .init(service: worker),
            .init(service: statusPublisher),
            .init(service: SearchIndexer(forum: forum, logger: logger))
        ]
        if forum.database.readCache != nil {
            services.append(.init(service: OtherWritersWatch(database: forum.database, logger: logger)))
        }
        if let tlsServer { services.append(.init(service: tlsServer)) }
        if let deliverer { services.append(.init(service: deliverer)) }
        if let smtpServer { services.append(.init(service: smtpServer)) }
        if let hooks { services.append(.init(service: hooks)) }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
        return Assembly(
            forum: forum,
            llm: llm,
            server: server,
            tlsServer: tlsServer,
            worker: worker,
            deliverer: deliverer,
            smtpServer: smtpServer,
            statusPublisher: statusPublisher,
            hooks: hooks,
            serviceGroup: serviceGroup
        )
    }

    /// The NNTPS server on `server.tls_listen`: the news server's settings on another address,
    /// TLS from the first byte (RFC 8143); `nil` unless both the address and TLS are configured.
    private static func nntpsServer(
        configuration: FORLLMConfiguration,
        news: NNTPServerConfiguration,
        context: NIOSSLContext?,
        backend: ForumBackend,
        logger: Logger,
        now: @escaping @Sendable () -> Date,
        loginThrottle: NNTPLoginThrottle,
        onListening: @escaping @Sendable (ListeningAddress) async -> Void
    ) -> NNTPServer? {
        guard let context, let host = configuration.tls.listenHost else {
            return nil
        }
        var nntps = news
        nntps.host = host
        nntps.port = configuration.tls.listenPort
        let port = nntps.port
        return NNTPServer(
            configuration: nntps,
            backend: backend,
            logger: logger,
            tls: LineTLS(context: context, mode: .implicit),
            now: now,
            loginThrottle: loginThrottle,
            onListening: { address in
                await onListening(
                    ListeningAddress(host: address.ipAddress ?? host, port: address.port ?? port, scheme: "nntps")
                )
            }
        )
    }

    /// Makes async code run on SwiftNIO's event loop threads instead of the default
    /// cooperative pool. A command then goes from the socket to the session and back without
    /// a detour through another pool (the database keeps its own queues): about a third of
    /// the context switches per POST. Call it first thing in `main`, before any task starts.
    ///
    /// What it costs and what it forbids: every async function in the process now runs on an
    /// event loop, so one blocking call in async code (a synchronous GRDB `read`/`write`,
    /// opening or migrating the database, reading stdin, `Thread.sleep`, `.wait()`) stalls
    /// every connection on that loop. Blocking work goes to its own threads: GRDB's async API
    /// runs on GRDB's queues, ``ForumDatabase/open(path:)`` opens and migrates on a dispatch
    /// queue, and `forllm post` reads stdin on a thread of its own.
    /// - Returns: whether it could be installed (only once per process).
    @discardableResult
    public static func runAsyncCodeOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Raises the soft limit of open files to the hard limit: every reader is a socket.
    public static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// A client resetting the connection must not end the process.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
