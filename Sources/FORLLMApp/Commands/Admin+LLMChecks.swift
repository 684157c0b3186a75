import FORLLMForum
import Foundation
import Logging
import NewsArticle

extension Admin {
    /// How long the command line waits for the backends' model lists: longer than the server
    /// (a person at a terminal waits; a refused typo is worth it), still bounded.
    static let modelCheckBudget = Duration.seconds(10)

    /// Runs `body` with an ``LLMSide`` of its own (an HTTP client to the backends), closed after.
    func withLLM<T: Sendable>(_ body: (LLMSide) async throws -> T) async throws -> T {
        let logger = Logger(label: "forllm", factory: { _ in SwiftLogNoOpLogHandler() })
        let llm = LLMSide(configuration: self.configuration, logger: logger)
        do {
            let result = try await body(llm)
            await llm.shutdown()
            return result
        } catch {
            await llm.shutdown()
            throw error
        }
    }

    /// What NNTP `POST` checks beyond the forum's rules (``LLMSide/checkRequest(in:budget:)``),
    /// for `forllm post`: an unknown model or backend in the article's request is refused
    /// before anything is stored.
    func checkRequest(in article: Article) async throws {
        guard LLMSide.asksForModels(article) else { return }
        if let reason = try await self.withLLM({ await $0.checkRequest(in: article, budget: Self.modelCheckBudget) }) {
            throw ForumError(.invalidInput, reason)
        }
    }

    /// A persona's preferred model is checked like a request's model: a model no backend
    /// offers is refused (when the backends can be asked) with the list of those they offer.
    func checkPersonaModel(_ model: String?) async throws {
        guard let model = model?.trimmingCharacters(in: .whitespaces), !model.isEmpty else { return }
        if let reason = try await self.withLLM({
            await $0.checkModel(model, backend: nil, budget: Self.modelCheckBudget)
        }) {
            throw ForumError(.invalidInput, "--model: \(reason)")
        }
    }
}
