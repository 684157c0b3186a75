import FORLLMTestSupport
import Foundation
import InMemoryLogging
import Logging
import NIOCore
import NNTPServer
import ServiceLifecycle

/// Runs an ``NNTPServer`` on 127.0.0.1 with a system-chosen port inside a `ServiceGroup` for
/// the duration of `body`, then shuts it down gracefully and waits for `run()` to return.
struct NNTPTestServer {
    let port: Int
    let backend: FakeNNTPBackend
    let group: ServiceGroup
    let logs: InMemoryLogHandler

    func connect(timeout: Duration = .seconds(10)) async throws -> NNTPTestClient {
        try await NNTPTestClient.connect(host: "127.0.0.1", port: self.port, timeout: timeout)
    }

    /// Connects and reads the greeting.
    func connectAndGreet() async throws -> NNTPTestClient {
        let client = try await self.connect()
        let greeting = try await client.readStatus()
        guard greeting.code == 200 else {
            throw UnexpectedGreeting(status: "\(greeting.code) \(greeting.text)")
        }
        return client
    }

    struct UnexpectedGreeting: Error {
        var status: String
    }

    static func with<Result: Sendable>(
        configuration: NNTPServerConfiguration = NNTPServerConfiguration(),
        backend: FakeNNTPBackend = .standard(),
        _ body: (NNTPTestServer) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.hostname = "news.test"
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "nntp-test", factory: { _ in logs })
        logger.logLevel = .debug
        return try await withRunningService(
            logger: logger,
            makeService: { onListening in
                NNTPServer(
                    configuration: configuration,
                    backend: backend,
                    logger: logger,
                    now: { Date(timeIntervalSince1970: 1_700_000_000) },
                    onListening: onListening
                )
            },
            body: { port, group in
                try await body(NNTPTestServer(port: port, backend: backend, group: group, logs: logs))
            }
        )
    }
}
