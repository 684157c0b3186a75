extension ReplyWorker {
    /// The context length (`num_ctx`) every request to `model` on `backend` is sent with: the
    /// model's own, capped by the backend's `max_context`. One value for answers and persona
    /// generation alike, because Ollama reloads a model whenever `num_ctx` changes.
    func contextLength(of model: String, backend: String, client: any LLMClient) async throws -> Int {
        let cap = self.configuration.backend(named: backend)?.maximumContextLength ?? 8192
        return min(try await client.contextLength(of: model) ?? cap, cap)
    }
}
