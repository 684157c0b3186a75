import FORLLMStore
import FORLLMWorker
import Foundation
import Logging
import NIOCore
import NIOPosix
import NNTPServer
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

    /// `nntp://127.0.0.1:1119`, `nntp://[::1]:1119`
    public var description: String {
        "nntp://\(self.host.contains(":") ? "[\(self.host)]" : self.host):\(self.port)"
    }
}

/// The composition root: builds and runs the news server and the LLM worker.
public enum FORLLMApplication {
    /// What `serve` runs, assembled but not started.
    public struct Assembly: Sendable {
        public var database: ForumDatabase
        public var llm: LLMSide
        public var server: NNTPServer
        public var worker: ReplyWorker
        public var serviceGroup: ServiceGroup

        /// Runs until SIGINT/SIGTERM (or graceful shutdown of the group), then closes the HTTP
        /// client and the database.
        public func run() async throws {
            do {
                try await self.serviceGroup.run()
            } catch {
                await self.llm.shutdown()
                try? self.database.close()
                throw error
            }
            await self.llm.shutdown()
            try self.database.close()
        }
    }

    /// Opens the database and assembles the services.
    /// - Parameters:
    ///   - signals: the signals that start a graceful shutdown (none in tests).
    ///   - onListening: called with the bound address once the server listens.
    public static func assemble(
        configuration: FORLLMConfiguration,
        logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint],
        onListening: @escaping @Sendable (ListeningAddress) async -> Void = { _ in }
    ) throws -> Assembly {
        let database = try ForumDatabase.open(
            path: configuration.databasePath,
            configuration: configuration.storeConfiguration
        )
        let llm = LLMSide(configuration: configuration, logger: logger)
        let credentials = configuration.server.authUser.map { user in
            (user: user, password: configuration.server.authPassword ?? "")
        }
        let backend = StoreBackend(
            database: database,
            credentials: credentials,
            requestCheck: { article in await llm.checkRequest(in: article) }
        )
        let server = NNTPServer(
            configuration: NNTPServerConfiguration(
                host: configuration.server.host,
                port: configuration.server.port,
                hostname: configuration.server.hostname,
                maximumConnections: configuration.server.maxConnections,
                idleTimeout: .seconds(configuration.server.idleTimeoutSeconds),
                maximumArticleBytes: configuration.server.maxArticleBytes,
                postingAllowed: true,
                authenticationRequired: credentials != nil,
                implementation: "FORLLM \(FORLLMVersion.version)"
            ),
            backend: backend,
            logger: logger,
            onListening: { address in
                await onListening(
                    ListeningAddress(
                        host: address.ipAddress ?? configuration.server.host,
                        port: address.port ?? configuration.server.port
                    )
                )
            }
        )
        let worker = ReplyWorker(
            database: database,
            clients: llm.clients,
            catalog: llm.catalog,
            configuration: llm.workerConfiguration,
            logger: logger
        )
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: server),
                    .init(service: worker),
                ],
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
        return Assembly(database: database, llm: llm, server: server, worker: worker, serviceGroup: serviceGroup)
    }

    /// Makes async code run on SwiftNIO's event loop threads instead of the default
    /// cooperative pool. A command then goes from the socket to the session and back without
    /// a detour through another pool (the database keeps its own queues): about a third of
    /// the context switches per POST. Call it first thing in `main`, before any task starts.
    /// Nothing in this program blocks in async code (GRDB's async API runs on its own queues),
    /// which is what this requires.
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
