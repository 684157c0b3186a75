import Logging

extension ReplyWorker {
    /// Whether `model` takes images: `llm.vision_models` first, then what the server says
    /// (Ollama's `/api/show` capabilities, cached by the client); a model nobody vouches for
    /// cannot see (an OpenAI-compatible server has no way to tell).
    func seesImages(_ model: String, client: any LLMClient) async -> Bool {
        if let configured = self.configuration.visionModels.sees(model) { return configured }
        do {
            return try await client.seesImages(model) ?? false
        } catch {
            // The chat request that follows meets the same error and reports it.
            self.logger.debug("Could not ask whether the model sees", metadata: ["worker.error": "\(error)"])
            return false
        }
    }
}
