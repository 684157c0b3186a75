import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The HTTP side both wire formats share: building requests, sending them over the shared
/// `HTTPClient`, the inactivity timeout, reading the body as chunks or lines, and turning
/// transport failures into ``LLMError``s. ``OllamaClient`` and ``OpenAIClient`` only know their
/// JSON. Time (the inactivity timeout, answer timings, progress throttling) is measured on
/// the client's injected clock.
struct LLMHTTPTransport: Sendable {
    let configuration: LLMBackendConfiguration
    let httpClient: HTTPClient
    let logger: Logger
    let timeline: Timeline
    /// How messages name the server: "Ollama at http://127.0.0.1:11434".
    let serverLabel: String

    /// The most bytes read from an error response or a JSON response (`/api/show` carries the
    /// model's template and license).
    static let maximumErrorBodyBytes = 64 * 1024
    static let maximumJSONBodyBytes = 32 * 1024 * 1024
    /// The longest line accepted in a stream; a longer one means the server is not speaking
    /// the format at all.
    static let maximumLineBytes = 8 * 1024 * 1024

    init(
        configuration: LLMBackendConfiguration,
        httpClient: HTTPClient,
        logger: Logger,
        clock: any Clock<Duration>,
        serverKind: String
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.timeline = Timeline(clock)
        self.serverLabel = "\(serverKind) at \(configuration.baseURL)"
    }

    // MARK: - Requests

    /// A request to `path` below the base URL, with a JSON body when `body` is given.
    func makeRequest(
        _ method: HTTPMethod,
        _ path: String,
        body: (any Encodable)? = nil,
        bearerToken: String? = nil
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: self.configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "FORLLM")
        request.headers.add(name: "Accept", value: "application/json, application/x-ndjson, text/event-stream")
        if let bearerToken {
            request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)")
        }
        if let body {
            let bytes: ByteBuffer
            do {
                bytes = try JSONEncoder().encodeAsByteBuffer(body, allocator: ByteBufferAllocator())
            } catch {
                throw LLMError(.invalidResponse, "\(self.serverLabel): cannot encode the request (\(error))")
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(bytes)
        }
        return request
    }

    // MARK: - Exchanges

    /// Sends `request` and hands the body of a 2xx response to `consume`; a status outside
    /// 2xx becomes `errorForStatus(status, body text)`.
    ///
    /// The whole exchange runs under the inactivity timeout: the time to the response head and
    /// every silence between two body chunks must stay below
    /// ``LLMBackendConfiguration/inactivityTimeout``, however long the answer takes as a whole.
    /// When it does not, or when the calling task is cancelled, the HTTP request is cancelled
    /// (AsyncHTTPClient closes the connection) before this returns.
    func perform<Result: Sendable>(
        _ request: HTTPClientRequest,
        model: String?,
        errorForStatus: @escaping @Sendable (HTTPResponseStatus, String) -> LLMError,
        consume: @escaping @Sendable (inout LLMResponseBodyReader) async throws -> Result
    ) async throws -> Result {
        var metadata: Logger.Metadata = [
            "llm.backend": "\(self.configuration.name)",
            "http.method": "\(request.method.rawValue)",
            "http.url": "\(request.url)"
        ]
        if let model {
            metadata["llm.model"] = "\(model)"
        }
        self.logger.debug("LLM request sent", metadata: metadata)
        let watchdog = LLMInactivityWatchdog(timeline: self.timeline)
        let timeout = self.configuration.inactivityTimeout
        do {
            return try await withThrowingTaskGroup(of: LLMExchangeOutcome<Result>.self) { group in
                group.addTask {
                    let response: HTTPClientResponse
                    do {
                        // The inactivity watchdog below bounds the wait for the head; the deadline
                        // of `execute` would also cut a slow model load, so it is left open.
                        response = try await self.httpClient.execute(
                            request,
                            deadline: .distantFuture,
                            logger: self.logger
                        )
                    } catch {
                        throw self.transportError(error, connected: false)
                    }
                    watchdog.touch()
                    self.logger.trace(
                        "LLM response head received",
                        metadata: [
                            "llm.backend": "\(self.configuration.name)", "http.status": "\(response.status.code)"
                        ]
                    )
                    var reader = LLMResponseBodyReader(
                        iterator: response.body.makeAsyncIterator(),
                        watchdog: watchdog,
                        transport: self
                    )
                    guard (200..<300).contains(response.status.code) else {
                        let text = try await reader.collectText(upTo: Self.maximumErrorBodyBytes)
                        throw errorForStatus(response.status, text)
                    }
                    return .finished(try await consume(&reader))
                }
                group.addTask {
                    try await watchdog.waitForSilence(of: timeout)
                    return .silent
                }
                // Whichever child ends first decides; the other one is cancelled, and the group
                // waits for it, so no request outlives this call.
                defer { group.cancelAll() }
                switch try await group.next() {
                case .finished(let result):
                    return result
                case .silent, nil:
                    throw LLMError(
                        .timedOut,
                        "no data from \(self.configuration.name) for \(timeout.formattedForLLMMessage)"
                    )
                }
            }
        } catch {
            if Task.isCancelled {
                self.logger.debug("LLM request cancelled", metadata: metadata)
                throw CancellationError()
            }
            if let error = error as? LLMError {
                metadata["llm.error.code"] = "\(error.code)"
                metadata["llm.error"] = "\(error.message)"
                self.logger.debug("LLM request failed", metadata: metadata)
            }
            throw error
        }
    }

    /// Sends `request` and decodes the JSON body of a 2xx response.
    func fetchJSON<Value: Decodable & Sendable>(
        _ type: Value.Type,
        _ request: HTTPClientRequest,
        model: String? = nil,
        errorForStatus: @escaping @Sendable (HTTPResponseStatus, String) -> LLMError
    ) async throws -> Value {
        try await self.perform(request, model: model, errorForStatus: errorForStatus) { reader in
            let body = try await reader.collect(upTo: Self.maximumJSONBodyBytes)
            return try self.decode(type, from: body)
        }
    }

    /// The debug line for a finished answer: figures only, never the text.
    func logAnswer(_ result: LLMChatResult, backend: String, model: String) {
        var metadata: Logger.Metadata = [
            "llm.backend": "\(backend)",
            "llm.model": "\(model)",
            "llm.characters": "\(result.text.count)",
            "llm.total_ms": "\(result.totalTime.wholeMilliseconds)"
        ]
        if let finishReason = result.finishReason {
            metadata["llm.finish_reason"] = "\(finishReason)"
        }
        if let promptTokens = result.promptTokens {
            metadata["llm.prompt_tokens"] = "\(promptTokens)"
        }
        if let completionTokens = result.completionTokens {
            metadata["llm.completion_tokens"] = "\(completionTokens)"
        }
        if let timeToFirstToken = result.timeToFirstToken {
            metadata["llm.ttft_ms"] = "\(timeToFirstToken.wholeMilliseconds)"
        }
        if !result.truncations.isEmpty {
            metadata["llm.truncation"] = "\(result.truncations)"
        }
        self.logger.debug("LLM answer finished", metadata: metadata)
    }

    // MARK: - Errors

    /// Decodes one JSON value of the wire format; `invalidResponse` when it is something else.
    func decode<Value: Decodable>(_ type: Value.Type, from bytes: ByteBuffer) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: bytes)
        } catch {
            var snippet = String(buffer: bytes)
            if snippet.count > 80 {
                snippet = String(snippet.prefix(80)) + "…"
            }
            throw LLMError(
                .invalidResponse,
                "\(self.serverLabel): unexpected response \(self.cleaned(snippet).debugDescription)"
            )
        }
    }

    /// ``decode(_:from:)`` for a line of an answer stream: a line that fails only because of
    /// invalid Unicode (``LLMUTF8Repair``) is repaired and decoded again, and the repairs
    /// are added to `replacements`.
    func decodeStreamLine<Value: Decodable>(
        _ type: Value.Type,
        from bytes: ByteBuffer,
        replacements: inout Int
    ) throws -> Value {
        do {
            return try self.decode(type, from: bytes)
        } catch {
            guard let (repaired, count) = LLMUTF8Repair.repaired(bytes) else { throw error }
            let value = try self.decode(type, from: repaired)
            replacements += count
            return value
        }
    }

    /// A status outside 2xx that the wire format gives no special meaning.
    func badStatus(_ status: HTTPResponseStatus, request: String, serverMessage: String?) -> LLMError {
        var message = "\(self.serverLabel): HTTP \(status.code) \(status.reasonPhrase) for \(request)"
        if let serverMessage, !serverMessage.isEmpty {
            message += ": \(self.cleaned(serverMessage))"
        }
        if status == .notFound {
            message += " (is the URL right?)"
        }
        return LLMError(.badStatus, message, httpStatus: Int(status.code))
    }

    /// `error` thrown by AsyncHTTPClient or NIO as an ``LLMError``: `unreachable` before a
    /// connection was made, `connectionFailed` after.
    func transportError(_ error: any Error, connected: Bool) -> any Error {
        if error is LLMError || error is CancellationError {
            return error
        }
        let reason = LLMTransportFailure.describe(error, connectTimeout: self.configuration.connectTimeout)
        if connected {
            return LLMError(
                .connectionFailed,
                "connection to \(self.serverLabel) broke off: \(reason)",
                cause: error
            )
        }
        return LLMError(.unreachable, "cannot reach \(self.serverLabel): \(reason)", cause: error)
    }

    /// `text` from a server made fit for a one-line message: whitespace runs become one space,
    /// at most 300 characters, and the API key, should a server echo it, is blacked out.
    func cleaned(_ text: String) -> String {
        var result = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if result.count > 300 {
            result = String(result.prefix(300)) + "…"
        }
        if let key = self.configuration.apiKey, !key.isEmpty {
            result = result.replacingOccurrences(of: key, with: "<API key>")
        }
        return result
    }
}

/// How an exchange under the inactivity watchdog ended.
private enum LLMExchangeOutcome<Result: Sendable>: Sendable {
    case finished(Result)
    case silent
}
