extension LLMClient {
    /// `nil`: the server does not say whether a model can see (see ``LLMClient/seesImages(_:)``).
    public func seesImages(_ model: String) async throws -> Bool? {
        nil
    }
}
