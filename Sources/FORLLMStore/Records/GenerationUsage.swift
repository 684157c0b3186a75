/// What the generation of an answer cost, kept with its request (`forllm queue show`).
public struct GenerationUsage: Hashable, Sendable, Codable {
    public var promptTokens: Int?
    /// Of the prompt, the tokens the server's cache served.
    public var cachedPromptTokens: Int?
    public var completionTokens: Int?
    /// From sending the request to the first piece of the answer.
    public var firstTokenMilliseconds: Int?
    /// From sending the request to the end of the answer.
    public var totalMilliseconds: Int?
    /// Completion tokens per second after the first token.
    public var tokensPerSecond: Double?

    public init(
        promptTokens: Int? = nil,
        cachedPromptTokens: Int? = nil,
        completionTokens: Int? = nil,
        firstTokenMilliseconds: Int? = nil,
        totalMilliseconds: Int? = nil,
        tokensPerSecond: Double? = nil
    ) {
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.completionTokens = completionTokens
        self.firstTokenMilliseconds = firstTokenMilliseconds
        self.totalMilliseconds = totalMilliseconds
        self.tokensPerSecond = tokensPerSecond
    }
}
