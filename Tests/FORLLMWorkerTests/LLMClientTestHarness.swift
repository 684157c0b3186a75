import AsyncHTTPClient
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// Log lines of one test, at trace level, captured without `LoggingSystem.bootstrap`.
struct LogCapture {
    let handler: InMemoryLogHandler
    let logger: Logger

    init() {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        self.handler = handler
        self.logger = Logger(label: "forllm.test", factory: { _ in handler })
    }

    /// Every entry as one line: level, message, metadata.
    var lines: [String] {
        self.handler.entries.map { entry in
            let metadata = entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "\(entry.level) \(entry.message) \(metadata.joined(separator: " "))"
        }
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

/// A fresh stub of `format`, a fresh `HTTPClient` configured as the app will, and the client
/// for the stub; all torn down when `body` ends, whether it throws or not.
func withStubClient<Result>(
    _ format: LLMStubServer.WireFormat,
    models: [LLMStubServer.Model] = [.init(name: "llama3.2")],
    requiredAPIKey: String? = nil,
    sendsUsage: Bool = true,
    inactivityTimeout: Duration = .seconds(30),
    apiKey: String? = nil,
    url: String? = nil,
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
    let httpClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: LLMBackendConfiguration.httpClientConfiguration(for: [configuration]),
        backgroundActivityLogger: logs.logger
    )
    let client = configuration.makeClient(httpClient: httpClient, logger: logs.logger)
    do {
        let result = try await body(client, stub, logs)
        try await httpClient.shutdown()
        await stub.shutdown()
        return result
    } catch {
        try? await httpClient.shutdown()
        await stub.shutdown()
        throw error
    }
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
            LLMMessage(role: .user, content: user),
        ],
        contextLength: contextLength
    )
}

let noProgress: @Sendable (Int) async -> Void = { _ in }
