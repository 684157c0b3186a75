import Foundation

/// Collects the streamed answer of one chat: the text, the character count, the time to the
/// first token, and the throttled progress reports. Both wire formats feed it.
struct LLMAnswerAccumulator {
    /// Report progress after this many new characters...
    static let progressCharacterStep = 200
    /// ...or when this much time passed since the last report and new text arrived.
    static let progressInterval: Duration = .milliseconds(250)

    private(set) var text = ""
    /// `text.count`, kept up to date without counting the whole text again.
    private(set) var characterCount = 0
    private(set) var timeToFirstToken: Duration?
    let start: ContinuousClock.Instant
    private let progress: @Sendable (Int) async -> Void
    private var reportedCount = 0
    private var reportedAt: ContinuousClock.Instant

    init(start: ContinuousClock.Instant, progress: @escaping @Sendable (Int) async -> Void) {
        self.start = start
        self.reportedAt = start
        self.progress = progress
    }

    mutating func append(_ piece: String) async {
        guard !piece.isEmpty else { return }
        let now = ContinuousClock.now
        if self.timeToFirstToken == nil {
            self.timeToFirstToken = self.start.duration(to: now)
        }
        // A piece can continue the last character (a combining accent, the second half of a
        // flag): only the last grapheme cluster of the text can merge with what follows.
        if let last = self.text.last {
            self.characterCount += (String(last) + piece).count - 1
        } else {
            self.characterCount += piece.count
        }
        self.text += piece
        let newCharacters = self.characterCount - self.reportedCount
        if newCharacters >= Self.progressCharacterStep
            || (newCharacters > 0 && self.reportedAt.duration(to: now) >= Self.progressInterval)
        {
            await self.report(at: now)
        }
    }

    /// The final progress report, unless the last one already had the final count.
    mutating func finish() async {
        if self.characterCount != self.reportedCount {
            await self.report(at: .now)
        }
    }

    private mutating func report(at now: ContinuousClock.Instant) async {
        self.reportedCount = self.characterCount
        self.reportedAt = now
        await self.progress(self.characterCount)
    }
}

extension LLMTruncation {
    /// Whether the server evaluated so few prompt tokens that the prompt must have been cut.
    ///
    /// Servers do not say when they drop the start of a prompt (Ollama trims silently to
    /// `num_ctx`), but they report how many prompt tokens they evaluated. The prompt's size in
    /// tokens is estimated as all message characters / 4 (English text averages about four
    /// characters per token; code and other languages use more tokens per character, which only
    /// makes the estimate err towards "not truncated"). The prompt counts as truncated when
    ///
    /// 1. the estimate is at least 512 tokens (below that the estimate is too rough, and
    ///    templates add tokens of their own) and the server evaluated fewer than half of it; or
    /// 2. a context length was requested, the estimate exceeds it, and the server evaluated
    ///    within 5% of the context length: the prompt filled the whole window.
    ///
    /// Caveat: Ollama versions that leave tokens served from the prompt cache out of
    /// `prompt_eval_count` make rule 1 fire on follow-ups that share a long cached prefix;
    /// `prompt_eval_cached_count` is added back where the server reports it.
    static func detectPromptTruncation(
        messages: [LLMMessage],
        evaluatedTokens: Int?,
        contextLength: Int?
    ) -> LLMTruncation? {
        guard let evaluatedTokens else { return nil }
        let characters = messages.reduce(0) { $0 + $1.content.count }
        let estimatedTokens = characters / 4
        if estimatedTokens >= 512 && Double(evaluatedTokens) < 0.5 * Double(estimatedTokens) {
            return .promptTruncated(evaluatedTokens: evaluatedTokens, estimatedTokens: estimatedTokens)
        }
        if let contextLength, estimatedTokens > contextLength,
            Double(evaluatedTokens) >= 0.95 * Double(contextLength)
        {
            return .promptTruncated(evaluatedTokens: evaluatedTokens, estimatedTokens: estimatedTokens)
        }
        return nil
    }
}

/// An error object in a body or stream, in the shapes servers use:
///
/// ```
/// {"error": "model \"x\" not found, try pulling it first"}                 Ollama, LM Studio
/// {"error": {"message": "...", "type": "invalid_request_error", "code": ...}} OpenAI, llama.cpp
/// {"object": "error", "message": "...", "code": 404}                          vLLM
/// {"detail": "..."}                                                           FastAPI servers
/// ```
struct LLMErrorPayload: Decodable, Sendable {
    var message: String?
    /// `code` of an OpenAI error object when it is text (`model_not_found`).
    var code: String?

    private enum CodingKeys: String, CodingKey {
        case error, message, detail, object
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let field = try? container.decode(LLMErrorField.self, forKey: .error) {
            self.message = field.message
            self.code = field.code
        } else if (try? container.decode(String.self, forKey: .object)) == "error" {
            self.message = try? container.decode(String.self, forKey: .message)
        } else if let detail = try? container.decode(String.self, forKey: .detail) {
            self.message = detail
        }
    }

    /// The error in `body` when it is JSON in one of the shapes above.
    static func parse(_ body: String) -> LLMErrorPayload? {
        guard let data = body.data(using: .utf8),
            let payload = try? JSONDecoder().decode(LLMErrorPayload.self, from: data),
            payload.message != nil
        else {
            return nil
        }
        return payload
    }
}

/// The value of an `error` key: a text (Ollama) or an object with a `message` (OpenAI).
struct LLMErrorField: Decodable, Sendable {
    var message: String
    /// The object's `code` when it is text (`model_not_found`).
    var code: String?

    private enum CodingKeys: String, CodingKey {
        case message, code
    }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.message = text
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.message = (try? container.decode(String.self, forKey: .message)) ?? "unknown error"
        self.code = try? container.decode(String.self, forKey: .code)
    }
}
