/// What the worker had to do to an answer before it could be posted, kept with its request
/// (`forllm queue show`).
public struct AnswerNotes: Hashable, Sendable, Codable {
    /// Why the answer is incomplete: the answer's `X-FORLLM-Truncated` value
    /// (`repetition (a 10-byte passage 103 times)`); `nil` when it is whole.
    public var truncated: String?
    /// What was removed from the model's text (`removed 1 NUL (U+0000)`); `nil` when nothing.
    public var cleaned: String?
    /// What the generation cost (the answer's `X-FORLLM-Usage`); `nil` for answers from
    /// before it was measured.
    public var usage: GenerationUsage?

    public init(truncated: String? = nil, cleaned: String? = nil, usage: GenerationUsage? = nil) {
        self.truncated = truncated
        self.cleaned = cleaned
        self.usage = usage
    }
}
