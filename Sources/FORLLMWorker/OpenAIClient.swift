import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// A server speaking the OpenAI chat completions API: llama.cpp server, LM Studio, vLLM,
/// llama-cpp-python, Ollama's `/v1`. The configured URL is the base including `/v1`.
///
/// ```
/// GET  {base}/models            → {"data": [{"id": "qwen2.5", "meta": {"n_ctx_train": 32768}}]}
/// POST {base}/chat/completions  {"model", "messages", "stream": true, "stream_options": {"include_usage": true}}
///                               → server-sent events:
///                                 data: {"choices": [{"delta": {"content": "Hel"}, "finish_reason": null}]}
///                                 data: {"choices": [], "usage": {"prompt_tokens": 26, "completion_tokens": 290}}
///                                 data: [DONE]
/// ```
///
/// With an API key configured, every request carries `Authorization: Bearer <key>`.
/// The `HTTPClient` is shared and owned by the caller; create it with
/// ``LLMBackendConfiguration/httpClientConfiguration(for:)``.
///
/// - SeeAlso: [OpenAI chat streaming](https://platform.openai.com/docs/api-reference/chat-streaming)
public final class OpenAIClient: LLMClient {
    /// The backend this client talks to.
    public let configuration: LLMBackendConfiguration
    private let transport: LLMHTTPTransport
    /// Context lengths by model for the models the server listed.
    private let contextLengths = Mutex<[String: Int?]>([:])

    /// A client for `configuration` (whose `type` should be `.openai`) over the shared `httpClient`.
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
            serverKind: "OpenAI-compatible server"
        )
    }

    /// The backend's name from the configuration.
    public var backendName: String { self.configuration.name }

    /// The models the server offers (`GET {base}/models`).
    public func models() async throws -> [LLMModel] {
        try await self.fetchModelList().data.map { LLMModel(name: $0.id) }
    }

    /// The trained context length when the server reports it (llama.cpp server's
    /// `meta.n_ctx_train` in `/models`); `nil` otherwise, also for a model the list lacks.
    public func contextLength(of model: String) async throws -> Int? {
        if let cached = self.contextLengths.withLock({ $0[model] }) {
            return cached
        }
        guard let entry = try await self.fetchModelList().data.first(where: { $0.id == model }) else {
            return nil
        }
        let length = entry.meta?.nCtxTrain
        self.contextLengths.withLock { $0[model] = .some(length) }
        return length
    }

    /// Streams one answer from `POST {base}/chat/completions`.
    ///
    /// Throws ``LLMError``: `modelNotFound` (404, or 400 naming the model), `unauthorized`
    /// (401/403), `badStatus`, `streamError` (an error object in the stream), `connectionFailed`
    /// (also when the stream ends before `data: [DONE]` and before a finish reason), `timedOut`,
    /// `emptyAnswer`, `invalidResponse`.
    public func chat(
        _ request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) async throws -> LLMChatResult {
        let body = OpenAIWire.ChatRequest(
            model: request.model,
            messages: request.messages.map(OpenAIWire.ChatRequest.Message.init),
            stream: true,
            streamOptions: .init(includeUsage: true),
            temperature: request.temperature,
            maxTokens: request.maximumTokens
        )
        let httpRequest = try self.transport.makeRequest(
            .POST,
            "/chat/completions",
            body: body,
            bearerToken: self.configuration.apiKey
        )
        let transport = self.transport
        let start = transport.timeline.now
        let result = try await transport.perform(httpRequest, model: request.model) { status, body in
            self.statusError(status, body: body, request: "POST /chat/completions", model: request.model)
        } consume: { reader in
            var answer = LLMAnswerAccumulator(
                timeline: transport.timeline,
                start: start,
                request: request,
                progress: progress
            )
            var replacements = 0
            var events = LLMServerSentEventParser()
            var finishReason: String?
            var usage: OpenAIWire.ChatChunk.Usage?
            var timings: OpenAIWire.ChatChunk.Timings?
            var sawDone = false
            var ended = false
            reading: while !ended && !sawDone {
                let event: LLMServerSentEventParser.Event?
                if let line = try await reader.nextLine() {
                    event = events.feed(line: line)
                } else {
                    event = events.finish()
                    ended = true
                }
                guard let event else { continue }
                if event.type == "error" {
                    throw LLMError(
                        .streamError,
                        "\(transport.serverLabel): model '\(request.model)' failed: \(self.errorText(event.data))"
                    )
                }
                if event.data.readableBytesView.elementsEqual("[DONE]".utf8) {
                    sawDone = true
                    continue
                }
                let chunk = try transport.decodeStreamLine(
                    OpenAIWire.ChatChunk.self,
                    from: event.data,
                    replacements: &replacements
                )
                if let message = chunk.error?.message ?? (chunk.object == "error" ? chunk.message : nil) {
                    throw LLMError(
                        .streamError,
                        "\(transport.serverLabel): model '\(request.model)' failed: \(transport.cleaned(message))"
                    )
                }
                if let choice = chunk.choices?.first {
                    if let content = choice.delta?.content, !(await answer.append(content)) {
                        // A bound was reached: returning without reading on closes the stream.
                        break reading
                    }
                    if let reason = choice.finishReason {
                        finishReason = reason
                    }
                }
                if let chunkUsage = chunk.usage {
                    usage = chunkUsage
                }
                if let chunkTimings = chunk.timings {
                    timings = chunkTimings
                }
            }
            // `[DONE]` ends a stream; a server that closes cleanly after a finish reason is
            // done too. Anything else is a stream cut short, and a partial answer is no answer.
            guard sawDone || finishReason != nil || answer.cut != nil else {
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
            let truncations = answer.truncations(
                finishReason: finishReason,
                messages: request.messages,
                evaluatedTokens: usage?.promptTokens,
                contextLength: request.contextLength
            )
            // llama.cpp counts the cached part apart: the prompt is both.
            let timedPrompt = timings.flatMap { timing in timing.promptN.map { $0 + (timing.cacheN ?? 0) } }
            return LLMChatResult(
                text: answer.text,
                finishReason: answer.cut == nil ? finishReason : nil,
                promptTokens: usage?.promptTokens ?? timedPrompt,
                cachedPromptTokens: usage?.promptTokensDetails?.cachedTokens ?? timings?.cacheN,
                completionTokens: usage?.completionTokens ?? (answer.cut == nil ? nil : answer.pieceCount),
                truncations: truncations,
                invalidUTF8Replaced: replacements,
                timeToFirstToken: answer.timeToFirstToken,
                totalTime: answer.elapsed
            )
        }
        self.transport.logAnswer(result, backend: self.configuration.name, model: request.model)
        return result
    }

    private func fetchModelList() async throws -> OpenAIWire.ModelList {
        let request = try self.transport.makeRequest(.GET, "/models", bearerToken: self.configuration.apiKey)
        return try await self.transport.fetchJSON(OpenAIWire.ModelList.self, request) { status, body in
            self.statusError(status, body: body, request: "GET /models", model: nil)
        }
    }

    /// The message of an error event: `{"error": {...}}`, a bare error object
    /// (`{"code": 500, "message": "..."}`, llama.cpp) or plain text.
    private func errorText(_ data: ByteBuffer) -> String {
        let text = String(buffer: data)
        if let payload = LLMErrorPayload.parse(text), let message = payload.message {
            return self.transport.cleaned(message)
        }
        if let field = try? JSONDecoder().decode(LLMErrorField.self, from: data) {
            return self.transport.cleaned(field.message)
        }
        return self.transport.cleaned(text)
    }

    private func statusError(_ status: HTTPResponseStatus, body: String, request: String, model: String?) -> LLMError {
        let payload = LLMErrorPayload.parse(body)
        let serverMessage = payload?.message.map { self.transport.cleaned($0) }
        switch status.code {
        case 401, 403:
            var message = "\(self.transport.serverLabel): "
            message += self.configuration.apiKey == nil ? "an API key is required" : "the API key was refused"
            message += " (HTTP \(status.code))"
            if let serverMessage {
                message += ": \(serverMessage)"
            }
            return LLMError(.unauthorized, message, httpStatus: Int(status.code))
        case 400, 404:
            if let model, let payload, Self.isUnknownModel(payload, model: model) {
                var message = "\(self.transport.serverLabel): model '\(model)' not found"
                if let serverMessage {
                    message += " (\(serverMessage))"
                }
                return LLMError(.modelNotFound, message, httpStatus: Int(status.code))
            }
        default:
            break
        }
        return self.transport.badStatus(status, request: request, serverMessage: serverMessage)
    }

    /// Whether an error response says the model is unknown: OpenAI's `model_not_found` code, or
    /// a message naming the model (`The model 'x' does not exist`, vLLM) or speaking of a model
    /// that is missing (LM Studio, llama-cpp-python).
    static func isUnknownModel(_ payload: LLMErrorPayload, model: String) -> Bool {
        if payload.code == "model_not_found" {
            return true
        }
        guard let message = payload.message?.lowercased() else { return false }
        if !model.isEmpty && message.contains(model.lowercased()) {
            return true
        }
        let missing = ["not found", "does not exist", "not loaded", "no such", "unknown"]
        return message.contains("model") && missing.contains { message.contains($0) }
    }
}
