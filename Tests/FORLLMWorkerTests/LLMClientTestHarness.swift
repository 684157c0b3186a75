import AsyncHTTPClient
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// Log lines of one test, at trace level, captured without `LoggingSystem.bootstrap`; a test
/// can await a message (the code under test has reached the point that logs it).
struct LogCapture {
    let handler: InMemoryLogHandler
    let logger: Logger
    private let arrivals: LogArrivals

    init() {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let arrivals = LogArrivals()
        self.handler = handler
        self.arrivals = arrivals
        self.logger = Logger(
            label: "forllm.test",
            factory: { _ in SignallingLogHandler(inner: handler, arrivals: arrivals) }
        )
    }

    /// Every entry as one line: level, message, metadata.
    var lines: [String] {
        self.handler.entries.map { entry in
            let metadata = entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "\(entry.level) \(entry.message) \(metadata.joined(separator: " "))"
        }
    }

    /// Suspends until an entry with `message` was logged (returns at once if one was).
    func waitForMessage(_ message: String) async {
        await self.arrivals.wait(for: message)
    }
}

/// The messages logged so far, and the tests waiting for one.
final class LogArrivals: Sendable {
    private struct State {
        var seen: Set<String> = []
        var waiters: [(message: String, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func received(_ message: String) {
        let ready = self.state.withLock { state in
            state.seen.insert(message)
            let ready = state.waiters.filter { $0.message == message }
            state.waiters.removeAll { $0.message == message }
            return ready
        }
        for waiter in ready {
            waiter.continuation.resume()
        }
    }

    func wait(for message: String) async {
        await withCheckedContinuation { continuation in
            let seen = self.state.withLock { state in
                if state.seen.contains(message) {
                    return true
                }
                state.waiters.append((message, continuation))
                return false
            }
            if seen {
                continuation.resume()
            }
        }
    }
}

/// Keeps entries in an ``InMemoryLogHandler`` and tells ``LogArrivals`` about each message.
struct SignallingLogHandler: LogHandler {
    var inner: InMemoryLogHandler
    let arrivals: LogArrivals

    var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        self.inner.log(event: event)
        self.arrivals.received("\(event.message)")
    }
}

/// Collects progress reports.
final class ProgressRecorder: Sendable {
    private let values = Mutex<[Int]>([])

    var reports: [Int] { self.values.withLock { $0 } }

    var callback: @Sendable (Int) async -> Void {
        { value in self.values.withLock { $0.append(value) } }
    }
}

/// Progress reports as a stream the test awaits, one element per report.
struct ProgressStream {
    let reports: AsyncStream<Int>
    let callback: @Sendable (Int) async -> Void

    init() {
        let (reports, continuation) = AsyncStream.makeStream(of: Int.self)
        self.reports = reports
        self.callback = { value in continuation.yield(value) }
    }
}

/// A fresh `HTTPClient` configured as the app will and the client for `configuration` on
/// `clock`; the HTTP client and, through `stop`, the stub are shut down when `body` ends,
/// whether it throws or not.
private func withClient<Result>(
    for configuration: LLMBackendConfiguration,
    clock: any Clock<Duration>,
    logs: LogCapture,
    stop: () async -> Void,
    _ body: (any LLMClient) async throws -> Result
) async throws -> Result {
    let httpClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: LLMBackendConfiguration.httpClientConfiguration(for: [configuration]),
        backgroundActivityLogger: logs.logger
    )
    let client = configuration.makeClient(httpClient: httpClient, logger: logs.logger, clock: clock)
    do {
        let result = try await body(client)
        try await httpClient.shutdown()
        await stop()
        return result
    } catch {
        try? await httpClient.shutdown()
        await stop()
        throw error
    }
}

/// A fresh stub of `format`, a fresh `HTTPClient` configured as the app will, and the client
/// for the stub (on `clock` when given); all torn down when `body` ends, whether it throws or not.
func withStubClient<Result>(
    _ format: LLMStubServer.WireFormat,
    models: [LLMStubServer.Model] = [.init(name: "llama3.2")],
    requiredAPIKey: String? = nil,
    sendsUsage: Bool = true,
    inactivityTimeout: Duration = .seconds(30),
    apiKey: String? = nil,
    url: String? = nil,
    clock: (any Clock<Duration>)? = nil,
    _ body: (any LLMClient, LLMStubServer, LogCapture) async throws -> Result
) async throws -> Result {
    let stub = LLMStubServer(format, models: models, requiredAPIKey: requiredAPIKey, sendsUsage: sendsUsage)
    try await stub.start()
    let stubURL = await stub.baseURL
    let configuration = LLMBackendConfiguration(
        name: "stub",
        type: format == .ollama ? .ollama : .openai,
        url: URL(string: url ?? stubURL),
        inactivityTimeout: inactivityTimeout,
        apiKey: apiKey
    )
    let logs = LogCapture()
    return try await withClient(
        for: configuration,
        clock: clock ?? ContinuousClock(),
        logs: logs,
        stop: { await stub.shutdown() },
        { client in try await body(client, stub, logs) }
    )
}

/// A fresh paced stub of `format` answering `pieces`, and a client for it on `clock`; both torn
/// down when `body` ends, whether it throws or not.
func withPacedStubClient<Result>(
    _ format: LLMStubServer.WireFormat,
    pieces: [String],
    inactivityTimeout: Duration,
    clock: ManualClock,
    _ body: (any LLMClient, LLMPacedStubServer) async throws -> Result
) async throws -> Result {
    let stub = LLMPacedStubServer(format, pieces: pieces)
    try await stub.start()
    let configuration = LLMBackendConfiguration(
        name: "stub",
        type: format == .ollama ? .ollama : .openai,
        url: URL(string: await stub.baseURL),
        inactivityTimeout: inactivityTimeout
    )
    return try await withClient(
        for: configuration,
        clock: clock,
        logs: LogCapture(),
        stop: { await stub.shutdown() },
        { client in try await body(client, stub) }
    )
}

/// A chat request with a system prompt and one user message.
func chatRequest(
    model: String = "llama3.2",
    user: String = "What is NNTP?\nSecond line.",
    contextLength: Int? = nil
) -> LLMChatRequest {
    LLMChatRequest(
        model: model,
        messages: [
            LLMMessage(role: .system, content: "You are terse."),
            LLMMessage(role: .user, content: user)
        ],
        contextLength: contextLength
    )
}

let noProgress: @Sendable (Int) async -> Void = { _ in }
