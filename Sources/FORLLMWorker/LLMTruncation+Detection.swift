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
