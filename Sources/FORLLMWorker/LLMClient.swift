import Foundation

/// One chat message sent to a model.
public struct LLMMessage: Hashable, Sendable, Codable {
    public enum Role: String, Hashable, Sendable, Codable {
        case system
        case user
        case assistant
    }

    public var role: Role
    public var content: String
    /// Pictures that go with ``content`` to a model that can see (Ollama `images`, OpenAI
    /// `image_url` parts); empty for most messages.
    public var images: [LLMImage]

    public init(role: Role, content: String, images: [LLMImage] = []) {
        self.role = role
        self.content = content
        self.images = images
    }

    private enum CodingKeys: String, CodingKey {
        case role, content, images
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try container.decode(Role.self, forKey: .role)
        self.content = try container.decode(String.self, forKey: .content)
        self.images = try container.decodeIfPresent([LLMImage].self, forKey: .images) ?? []
    }

    /// `{"role": ..., "content": ...}`, with `images` only when there are some.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.role, forKey: .role)
        try container.encode(self.content, forKey: .content)
        if !self.images.isEmpty { try container.encode(self.images, forKey: .images) }
    }
}

/// A model a backend offers.
public struct LLMModel: Hashable, Sendable {
    /// The name to put in a request, e.g. `llama3.2:latest`.
    public var name: String
    /// Size on disk in bytes, when the backend says.
    public var sizeBytes: Int64?

    public init(name: String, sizeBytes: Int64? = nil) {
        self.name = name
        self.sizeBytes = sizeBytes
    }
}

/// One generation.
public struct LLMChatRequest: Hashable, Sendable {
    public var model: String
    public var messages: [LLMMessage]
    /// Context window to ask for (Ollama `options.num_ctx`); `nil` leaves the server's default.
    public var contextLength: Int?
    /// Ollama `keep_alive` (e.g. `"30m"`); ignored by OpenAI-compatible servers.
    public var keepAlive: String?
    /// Sampling temperature; `nil` leaves the server's default.
    public var temperature: Double?
    /// Longest answer in tokens: sent to the server (Ollama `num_predict`, OpenAI `max_tokens`)
    /// and enforced by the client as the stream arrives, in case the server does not stop
    /// (see ``LLMAnswerAccumulator``); `nil`: no limit.
    public var maximumTokens: Int?
    /// Longest answer in UTF-8 bytes, enforced by the client (what fits in an article);
    /// `nil`: no limit.
    public var maximumBytes: Int?
    /// Whether the client stops a generation that fell into a repetition loop
    /// (``LLMRepetitionDetector``).
    public var stopsRepetition: Bool

    public init(
        model: String,
        messages: [LLMMessage],
        contextLength: Int? = nil,
        keepAlive: String? = nil,
        temperature: Double? = nil,
        maximumTokens: Int? = nil,
        maximumBytes: Int? = nil,
        stopsRepetition: Bool = true
    ) {
        self.model = model
        self.messages = messages
        self.contextLength = contextLength
        self.keepAlive = keepAlive
        self.temperature = temperature
        self.maximumTokens = maximumTokens
        self.maximumBytes = maximumBytes
        self.stopsRepetition = stopsRepetition
    }
}

/// Why an answer may be incomplete.
public enum LLMTruncation: Hashable, Sendable {
    /// The server evaluated far fewer prompt tokens than were sent: the start of the context
    /// was cut off (Ollama trims silently when the prompt exceeds `num_ctx`).
    case promptTruncated(evaluatedTokens: Int, estimatedTokens: Int)
    /// The answer stopped at the token limit: the server said so (`done_reason: length`,
    /// `finish_reason: length`), or the client closed the stream at the limit itself.
    case answerCutOff
    /// The client closed the stream when the answer reached `bytes`, what an article holds.
    case articleSize(bytes: Int)
    /// The client closed the stream in a repetition loop and dropped the repeated tail but
    /// one copy of the passage.
    case repetition(LLMRepetition)
}

/// A finished generation.
public struct LLMChatResult: Hashable, Sendable {
    /// The whole answer text as the model streamed it.
    public var text: String
    /// `stop`, `length`, ... as the server said; `nil` when it did not.
    public var finishReason: String?
    public var promptTokens: Int?
    /// Of ``promptTokens``, those the server took from its prompt cache instead of evaluating
    /// them (OpenAI `usage.prompt_tokens_details.cached_tokens`, llama.cpp `timings.cache_n`,
    /// Ollama `prompt_eval_cached_count` where a version reports it); `nil`: not reported.
    public var cachedPromptTokens: Int?
    public var completionTokens: Int?
    /// Why the answer may be incomplete, in the order found; empty when it is whole.
    public var truncations: [LLMTruncation]
    /// Invalid UTF-8 in the stream (bytes, or JSON escapes of lone surrogates) replaced by
    /// U+FFFD so that the rest of the answer could be read.
    public var invalidUTF8Replaced: Int
    /// From sending the request to the first content chunk.
    public var timeToFirstToken: Duration?
    /// From sending the request to the end of the stream.
    public var totalTime: Duration

    public init(
        text: String,
        finishReason: String?,
        promptTokens: Int?,
        cachedPromptTokens: Int? = nil,
        completionTokens: Int?,
        truncations: [LLMTruncation] = [],
        invalidUTF8Replaced: Int = 0,
        timeToFirstToken: Duration?,
        totalTime: Duration
    ) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.completionTokens = completionTokens
        self.truncations = truncations
        self.invalidUTF8Replaced = invalidUTF8Replaced
        self.timeToFirstToken = timeToFirstToken
        self.totalTime = totalTime
    }
}

extension LLMChatResult {
    /// What the generation cost, for the answer's `X-FORLLM-Usage` and `forllm queue show`.
    public var usage: LLMUsage {
        LLMUsage(
            promptTokens: self.promptTokens,
            cachedPromptTokens: self.cachedPromptTokens,
            completionTokens: self.completionTokens,
            timeToFirstToken: self.timeToFirstToken,
            totalTime: self.totalTime
        )
    }
}

/// An LLM server speaking one wire format. The worker depends on this protocol only.
public protocol LLMClient: Sendable {
    /// The backend's name from the configuration.
    var backendName: String { get }

    /// The models the server offers (Ollama `GET /api/tags`, OpenAI `GET /v1/models`).
    func models() async throws -> [LLMModel]

    /// The model's maximum context length in tokens when the server tells it (Ollama
    /// `POST /api/show`, `model_info["<arch>.context_length"]`); `nil` when unknown.
    func contextLength(of model: String) async throws -> Int?

    /// Whether the model takes images, when the server tells it (Ollama `POST /api/show`
    /// `capabilities` containing `vision`); `nil` when unknown (OpenAI-compatible servers have
    /// no such API). A default implementation returns `nil`.
    func seesImages(_ model: String) async throws -> Bool?

    /// Runs one streamed chat completion. `progress` is called with the number of answer
    /// characters received so far, at most every `progressInterval` characters and at the end.
    /// Throws ``LLMError``; cancellation of the calling task ends the request.
    func chat(
        _ request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) async throws -> LLMChatResult
}
