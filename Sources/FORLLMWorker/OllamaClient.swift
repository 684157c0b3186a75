import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// An Ollama server, spoken to in its native API.
///
/// ```
/// GET  /api/tags    → {"models": [{"name": "llama3.2:latest", "size": 2019393189}]}
/// POST /api/show    {"model": "llama3.2"} → {"model_info": {"llama.context_length": 131072}}
/// POST /api/chat    {"model", "messages", "stream": true, "keep_alive", "options": {"num_ctx", ...}}
///                   → NDJSON: {"message": {"content": "Hel"}, "done": false} ... {"done": true, ...}
/// ```
///
/// The `HTTPClient` is shared and owned by the caller; create it with
/// ``LLMBackendConfiguration/httpClientConfiguration(for:)``.
///
/// - SeeAlso: [Ollama API](https://github.com/ollama/ollama/blob/main/docs/api.md)
public final class OllamaClient: LLMClient {
    /// The backend this client talks to.
    public let configuration: LLMBackendConfiguration
    private let transport: LLMHTTPTransport
    /// What `/api/show` said by model (context length, capabilities); for the client's
    /// lifetime, because a model's metadata does not change while it has this name.
    private let shown = Mutex<[String: OllamaWire.ShowResponse]>([:])

    /// A client for `configuration` (whose `type` should be `.ollama`) over the shared `httpClient`.
    /// `clock` times the inactivity timeout, the answer and the progress reports.
    public init(
        configuration: LLMBackendConfiguration,
        httpClient: HTTPClient,
        logger: Logger,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.configuration = configuration
        self.transport = LLMHTTPTransport(
            configuration: configuration,
            httpClient: httpClient,
            logger: logger,
            clock: clock,
            serverKind: "Ollama"
        )
    }

    /// The backend's name from the configuration.
    public var backendName: String { self.configuration.name }

    /// The models Ollama has pulled (`GET /api/tags`).
    public func models() async throws -> [LLMModel] {
        let request = try self.transport.makeRequest(.GET, "/api/tags")
        let tags = try await self.transport.fetchJSON(OllamaWire.Tags.self, request) { status, body in
            self.statusError(status, body: body, request: "GET /api/tags", model: nil)
        }
        return tags.models.map { LLMModel(name: $0.name, sizeBytes: $0.size) }
    }

    /// The model's trained context length from `POST /api/show` (`model_info` key ending in
    /// `.context_length`), `nil` when Ollama does not say. Cached per model.
    /// Throws ``LLMError/Code/modelNotFound`` for a model Ollama does not have.
    public func contextLength(of model: String) async throws -> Int? {
        try await self.show(model).contextLength
    }

    /// Whether the model takes images: `capabilities` of `POST /api/show` contains `vision`;
    /// `nil` when this Ollama does not report capabilities. Cached per model.
    public func seesImages(_ model: String) async throws -> Bool? {
        try await self.show(model).capabilities.map { $0.contains("vision") }
    }

    /// `POST /api/show` for `model`, from the cache when asked before.
    private func show(_ model: String) async throws -> OllamaWire.ShowResponse {
        if let cached = self.shown.withLock({ $0[model] }) {
            return cached
        }
        let request = try self.transport.makeRequest(.POST, "/api/show", body: OllamaWire.ShowRequest(model: model))
        let errorForStatus: @Sendable (HTTPResponseStatus, String) -> LLMError = { status, body in
            self.statusError(status, body: body, request: "POST /api/show", model: model)
        }
        let show = try await self.transport.fetchJSON(
            OllamaWire.ShowResponse.self,
            request,
            model: model,
            errorForStatus: errorForStatus
        )
        self.shown.withLock { $0[model] = show }
        return show
    }

    /// Streams one answer from `POST /api/chat`.
    ///
    /// `options.num_ctx` is the request's context length capped at
    /// ``LLMBackendConfiguration/maximumContextLength``; `keep_alive` is the request's or else
    /// the configuration's. Throws ``LLMError``: `modelNotFound` (404), `badStatus`,
    /// `streamError` (an `{"error": ...}` line, also mid-stream), `connectionFailed` (also when
    /// the stream ends without `"done": true`), `timedOut`, `emptyAnswer`, `invalidResponse`.
    public func chat(
        _ request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) async throws -> LLMChatResult {
        let contextLength = self.requestedContextLength(request)
        let options = OllamaWire.ChatRequest.Options(
            numCtx: contextLength,
            temperature: request.temperature,
            numPredict: request.maximumTokens
        )
        let hasOptions = options.numCtx != nil || options.temperature != nil || options.numPredict != nil
        let body = OllamaWire.ChatRequest(
            model: request.model,
            messages: request.messages.map(OllamaWire.ChatRequest.Message.init),
            stream: true,
            keepAlive: request.keepAlive ?? self.configuration.keepAlive,
            options: hasOptions ? options : nil
        )
        let httpRequest = try self.transport.makeRequest(.POST, "/api/chat", body: body)
        let transport = self.transport
        let start = transport.timeline.now
        let result = try await transport.perform(httpRequest, model: request.model) { status, body in
            self.statusError(status, body: body, request: "POST /api/chat", model: request.model)
        } consume: { reader in
            var answer = LLMAnswerAccumulator(
                timeline: transport.timeline,
                start: start,
                request: request,
                progress: progress
            )
            var last: OllamaWire.ChatChunk?
            var replacements = 0
            reading: while let line = try await reader.nextLine() {
                if line.isBlankLLMLine {
                    continue
                }
                let chunk = try transport.decodeStreamLine(
                    OllamaWire.ChatChunk.self,
                    from: line,
                    replacements: &replacements
                )
                if let error = chunk.error {
                    throw LLMError(
                        .streamError,
                        "\(transport.serverLabel): model '\(request.model)' failed: \(transport.cleaned(error.message))"
                    )
                }
                if let content = chunk.message?.content, !(await answer.append(content)) {
                    // A bound was reached: returning without reading on closes the stream.
                    break reading
                }
                if chunk.done == true {
                    last = chunk
                    break
                }
            }
            guard last != nil || answer.cut != nil else {
                throw LLMError(
                    .connectionFailed,
                    "\(transport.serverLabel): the answer stream ended before it was complete "
                        + "(\(answer.characterCount) characters received)"
                )
            }
            if answer.cut == nil {
                await reader.drain()
            }
            guard !answer.text.isEmpty else {
                throw LLMError(.emptyAnswer, "\(transport.serverLabel): model '\(request.model)' gave an empty answer")
            }
            await answer.finish()
            let evaluated = last?.promptEvalCount.map { $0 + (last?.promptEvalCachedCount ?? 0) }
            let truncations = answer.truncations(
                finishReason: last?.doneReason,
                messages: request.messages,
                evaluatedTokens: evaluated,
                contextLength: contextLength
            )
            return LLMChatResult(
                text: answer.text,
                finishReason: answer.cut == nil ? last?.doneReason : nil,
                promptTokens: evaluated,
                cachedPromptTokens: last?.promptEvalCachedCount,
                completionTokens: last?.evalCount ?? (answer.cut == nil ? nil : answer.pieceCount),
                truncations: truncations,
                invalidUTF8Replaced: replacements,
                timeToFirstToken: answer.timeToFirstToken,
                totalTime: answer.elapsed
            )
        }
        self.transport.logAnswer(result, backend: self.configuration.name, model: request.model)
        return result
    }

    /// The `num_ctx` to send: the request's, capped at the configured maximum.
    private func requestedContextLength(_ request: LLMChatRequest) -> Int? {
        guard let wanted = request.contextLength else { return nil }
        if let maximum = self.configuration.maximumContextLength {
            return min(wanted, maximum)
        }
        return wanted
    }

    /// Ollama answers 404 with `{"error": "model \"x\" not found, try pulling it first"}` for a
    /// model it does not have; any other status has no special meaning.
    private func statusError(_ status: HTTPResponseStatus, body: String, request: String, model: String?) -> LLMError {
        let payload = LLMErrorPayload.parse(body)
        if status == .notFound, let model, payload != nil {
            return LLMError(
                .modelNotFound,
                "\(self.transport.serverLabel): model '\(model)' not found (pull it with `ollama pull \(model)`)",
                httpStatus: 404
            )
        }
        return self.transport.badStatus(status, request: request, serverMessage: payload?.message)
    }
}
