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
    ///    templates add tokens of their own), it does not fit in the requested context length
    ///    (when one was requested), and the server evaluated fewer than half of it; or
    /// 2. a context length was requested, the estimate exceeds it, and the server evaluated
    ///    within 5% of the context length: the prompt filled the whole window.
    ///
    /// A prompt that fits in the window is never judged cut: a server cuts only what does not
    /// fit, and a low count there is the prompt cache at work (Ollama leaves the tokens its cache
    /// served out of `prompt_eval_count`, and the queue's order and the prompt's stable head make
    /// such follow-ups common). `prompt_eval_cached_count` is added back where a server reports it.
    static func detectPromptTruncation(
        messages: [LLMMessage],
        evaluatedTokens: Int?,
        contextLength: Int?
    ) -> LLMTruncation? {
        guard let evaluatedTokens else { return nil }
        let characters = messages.reduce(0) { $0 + $1.content.count }
        let estimatedTokens = characters / 4
        if estimatedTokens >= 512, contextLength.map({ estimatedTokens > $0 }) ?? true,
            Double(evaluatedTokens) < 0.5 * Double(estimatedTokens)
        {
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
