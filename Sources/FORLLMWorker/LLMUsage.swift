import FORLLMStore
import Foundation

/// What one generation cost: the prompt (and how much of it the server's cache served), the
/// answer, and the time, as the server reported the counts and the client timed the stream.
///
/// In the answer's header, the fields the server reported, in this order:
///
/// ```
/// X-FORLLM-Usage: prompt=1834; cached=1610; completion=212; first-token=0.41s; rate=38.5/s
/// ```
///
/// `first-token` is from sending the request to the first piece of the answer (prompt
/// evaluation, and a model load when there was one); `rate` is completion tokens per second
/// after it (generation alone).
public struct LLMUsage: Hashable, Sendable {
    public var promptTokens: Int?
    public var cachedPromptTokens: Int?
    public var completionTokens: Int?
    public var timeToFirstToken: Duration?
    /// From sending the request to the end of the stream.
    public var totalTime: Duration

    public init(
        promptTokens: Int?,
        cachedPromptTokens: Int?,
        completionTokens: Int?,
        timeToFirstToken: Duration?,
        totalTime: Duration
    ) {
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.completionTokens = completionTokens
        self.timeToFirstToken = timeToFirstToken
        self.totalTime = totalTime
    }

    /// Completion tokens per second after the first token; `nil` when not measurable.
    public var tokensPerSecond: Double? {
        guard let completion = self.completionTokens, completion > 1, let first = self.timeToFirstToken else {
            return nil
        }
        let seconds = (self.totalTime - first).seconds
        // The first token came with the first piece: the rest took the time after it.
        return seconds > 0 ? Double(completion - 1) / seconds : nil
    }

    /// The `X-FORLLM-Usage` value; `nil` when nothing is known.
    public var headerValue: String? {
        var fields: [String] = []
        if let prompt = self.promptTokens { fields.append("prompt=\(prompt)") }
        if let cached = self.cachedPromptTokens { fields.append("cached=\(cached)") }
        if let completion = self.completionTokens { fields.append("completion=\(completion)") }
        if let first = self.timeToFirstToken { fields.append("first-token=" + Self.decimal(first.seconds, 2) + "s") }
        if let rate = self.tokensPerSecond { fields.append("rate=" + Self.decimal(rate, 1) + "/s") }
        return fields.isEmpty ? nil : fields.joined(separator: "; ")
    }

    /// As the store keeps it with the request.
    public var stored: GenerationUsage {
        GenerationUsage(
            promptTokens: self.promptTokens,
            cachedPromptTokens: self.cachedPromptTokens,
            completionTokens: self.completionTokens,
            firstTokenMilliseconds: self.timeToFirstToken.map { Int(($0.seconds * 1000).rounded()) },
            totalMilliseconds: Int((self.totalTime.seconds * 1000).rounded()),
            tokensPerSecond: self.tokensPerSecond
        )
    }

    /// `value` with `places` decimals, a dot whatever the locale.
    static func decimal(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
