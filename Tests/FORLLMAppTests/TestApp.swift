import FORLLMApp
import NNTPServer
import FORLLMForum
@testable import FORLLMStore
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import GRDB
import Logging
import NewsArticle
import ServiceLifecycle
import Synchronization

/// A temporary directory with a database file, removed by `cleanUp()`.
struct TestDirectory: Sendable {
    let path: String

    init() throws {
        self.path =
            FileManager.default.temporaryDirectory.appendingPathComponent("forllm-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    var databasePath: String { self.path + "/forllm.db" }

    /// Creates the database at `databasePath` as a user does before the first command that is
    /// not `serve` (`forllm migrate`); the other commands refuse a database that does not exist.
    func migrate() async throws {
        let result = try await ForLLMProcess.run(["migrate", "--database", self.databasePath], in: self)
        guard result.status == 0 else { throw TestAppError(message: "forllm migrate: \(result.stderr)") }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

/// The whole application as `forllm serve` runs it: the real ServiceGroup on 127.0.0.1:0 over a
/// real SQLite file, with LLM backends pointed at loopback stubs.
final class RunningApp: Sendable {
    let assembly: FORLLMApplication.Assembly
    let port: Int
    /// The SMTP receiver's port, when `mail.smtp_listen` is configured.
    let smtpPort: Int?
    let task: Task<Void, any Error>

    var forum: Forum { self.assembly.forum }
    var database: ForumDatabase { self.assembly.forum.database }

    private init(assembly: FORLLMApplication.Assembly, port: Int, smtpPort: Int?, task: Task<Void, any Error>) {
        self.assembly = assembly
        self.port = port
        self.smtpPort = smtpPort
        self.task = task
    }

    /// A configuration for tests: port 0, the directory's database, quick polling and retries,
    /// and one backend per `(name, type, url)`.
    static func configuration(
        directory: TestDirectory,
        backends: [(name: String, type: FORLLMConfiguration.BackendType, url: String)]
    ) -> FORLLMConfiguration {
        var configuration = FORLLMConfiguration()
        configuration.nntp.port = 0
        configuration.databasePath = directory.databasePath
        configuration.worker.pollInterval = .milliseconds(200)
        configuration.worker.retryDelay = .seconds(1)
        configuration.worker.defaultBackend = backends.first?.name ?? "ollama"
        configuration.backends = backends.map { backend in
            FORLLMConfiguration.Backend(
                name: backend.name,
                type: backend.type,
                url: URL(string: backend.url),
                inactivityTimeout: .seconds(30)
            )
        }
        return configuration
    }

    /// Starts the application and returns once it listens.
    static func start(
        _ configuration: FORLLMConfiguration,
        now: @escaping @Sendable () -> Date = { Date() },
        statusTimer: any Clock<Duration> = ContinuousClock()
    ) async throws -> RunningApp {
        let logger = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })
        let (addresses, continuation) = AsyncStream<ListeningAddress>.makeStream()
        let (smtpAddresses, smtpContinuation) = AsyncStream<ListeningAddress>.makeStream()
        let assembly = try await FORLLMApplication.assemble(
            configuration: configuration,
            logger: logger,
            signals: [],
            onListening: { address in
                continuation.yield(address)
                continuation.finish()
            },
            onSMTPListening: { address in
                smtpContinuation.yield(address)
                smtpContinuation.finish()
            },
            now: now,
            statusTimer: statusTimer
        )
        let task = Task { try await assembly.run() }
        var iterator = addresses.makeAsyncIterator()
        guard let address = await iterator.next() else {
            try await task.value
            throw TestAppError(message: "the server stopped before listening")
        }
        var smtpPort: Int?
        if configuration.smtp != nil {
            var smtpIterator = smtpAddresses.makeAsyncIterator()
            guard let smtpAddress = await smtpIterator.next() else {
                try await task.value
                throw TestAppError(message: "the SMTP receiver stopped before listening")
            }
            smtpPort = smtpAddress.port
        }
        return RunningApp(assembly: assembly, port: address.port, smtpPort: smtpPort, task: task)
    }

    /// Graceful shutdown, as SIGTERM does it; waits until everything has stopped.
    func stop() async throws {
        await self.assembly.serviceGroup.triggerGracefulShutdown()
        try await self.task.value
    }

    /// A new NNTP client connection, greeting read.
    func connect() async throws -> NNTPTestClient {
        let client = try await NNTPTestClient.connect(port: self.port)
        let greeting = try await client.readStatus()
        guard greeting.code == 200 else { throw TestAppError(message: "greeting \(greeting)") }
        return client
    }

    /// Waits (event-driven, through a GRDB observation of the file) until `fetch` returns a
    /// value, at most `timeout`.
    func waitFor<T: Sendable>(
        timeout: Duration = .seconds(30),
        _ what: String,
        _ fetch: @escaping @Sendable (Database) throws -> T?
    ) async throws -> T {
        try await waitForDatabase(self.database.writer, timeout: timeout, what, fetch)
    }

    /// Waits until request `id` reaches one of `statuses`.
    @discardableResult
    func waitForRequest(
        _ id: Int64,
        in statuses: Set<RequestStatus> = [.done],
        timeout: Duration = .seconds(30)
    )
        async throws -> ReplyRequest
    {
        let raw = Set(statuses.map(\.rawValue))
        _ = try await self.waitFor(timeout: timeout, "request \(id) to be \(statuses)") { db in
            try String.fetchOne(db, sql: "SELECT status FROM request WHERE id = ?", arguments: [id]).flatMap {
                raw.contains($0) ? $0 : nil
            }
        }
        return try await self.database.request(id: id)
    }
}

/// Waits until `fetch` returns non-nil, observing the database instead of polling.
func waitForDatabase<T: Sendable>(
    _ writer: any DatabaseWriter,
    timeout: Duration,
    _ what: String,
    _ fetch: @escaping @Sendable (Database) throws -> T?
) async throws -> T {
    let observation = ValueObservation.tracking { db in try fetch(db) }
    return try await withTimeout(timeout, waitingFor: what) {
        for try await value in observation.values(in: writer) {
            if let value { return value }
        }
        return nil
    }
}

struct TestAppError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}

extension NNTPTestClient {
    /// Posts articles `0..<count` (`article(index)`) over `connections` connections at once, each
    /// taking every `connections`-th index, while the test goes on. The stream yields the
    /// Message-ID (`messageID(index)`) of each article answered `240`; a poster stops at its
    /// first failure (the server killed under it), and the stream ends when every poster has
    /// stopped, so a test reading it never waits for posts that cannot come.
    static func postInBackground(
        port: Int,
        connections: Int,
        count: Int,
        article: @escaping @Sendable (Int) -> String,
        messageID: @escaping @Sendable (Int) -> String
    ) -> AsyncStream<String> {
        let (accepted, continuation) = AsyncStream<String>.makeStream()
        let posters = (0..<connections).map { connection in
            Task {
                guard let client = try? await NNTPTestClient.connect(port: port),
                    (try? await client.readStatus().code) == 200
                else { return }
                for index in stride(from: connection, to: count, by: connections) {
                    guard let status = try? await client.post(article: article(index)) else { return }
                    if status.code == 240 { continuation.yield(messageID(index)) }
                }
            }
        }
        Task {
            for poster in posters { await poster.value }
            continuation.finish()
        }
        return accepted
    }

    /// Posts `article` (LF or CRLF lines) and returns the final status.
    func postArticle(_ article: String) async throws -> (code: Int, text: String) {
        try await self.post(
            article: article.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        )
    }

    /// `ARTICLE <selector>` parsed, or nil when the server says it has none.
    func fetchArticle(_ selector: String) async throws -> Article? {
        let status = try await self.command("ARTICLE \(selector)")
        guard status.code == 220 else { return nil }
        let lines = try await self.readMultiline()
        return try Article(parsing: Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
    }

    /// `XOVER` lines of a range, split into fields.
    func overview(group: String, range: String = "1-") async throws -> [[Substring]] {
        _ = try await self.command("GROUP \(group)")
        let status = try await self.command("XOVER \(range)")
        guard status.code == 224 else { return [] }
        return try await self.readMultiline().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    }
}
