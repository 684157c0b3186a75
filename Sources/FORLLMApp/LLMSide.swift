import AsyncHTTPClient
import FORLLMForum
import FORLLMStore
import FORLLMWorker
import Foundation
import Logging
import NewsArticle

/// The LLM half of the application: one HTTP client, a client per configured backend, and the
/// catalog of their models.
public final class LLMSide: Sendable {
    public let httpClient: HTTPClient
    public let backends: [LLMBackendConfiguration]
    public let clients: [(name: String, client: any LLMClient)]
    public let catalog: ModelCatalog
    public let configuration: FORLLMConfiguration

    public init(configuration: FORLLMConfiguration, logger: Logger) {
        self.configuration = configuration
        self.backends = configuration.backends
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: LLMBackendConfiguration.httpClientConfiguration(for: self.backends)
        )
        self.httpClient = httpClient
        self.clients = self.backends.map { ($0.name, $0.makeClient(httpClient: httpClient, logger: logger)) }
        self.catalog = ModelCatalog(clients: self.clients)
    }

    /// Closes the HTTP client.
    public func shutdown() async {
        try? await self.httpClient.shutdown()
    }

    /// The worker's settings from the configuration.
    public var workerConfiguration: WorkerConfiguration {
        self.configuration.workerConfiguration
    }

    /// Checks the `model=` and `backend=` of an article's `X-FORLLM-Request` against the
    /// configured backends and, where they can be asked within `budget`, their models.
    /// Returns the reason to refuse the article, or `nil`. A backend that cannot be asked is
    /// given the benefit of the doubt: the request then fails visibly if the model is missing.
    public func checkRequest(in article: Article, budget: Duration = .seconds(2)) async -> String? {
        if let model = Self.personaCardModel(in: article) {
            // A persona's preferred model is checked like a request's model.
            return await self.checkModel(model, backend: nil, budget: budget).map { "Model: \($0)" }
        }
        guard let value = article[ForumRequest.headerName], let request = try? ForumRequest(parsing: value) else {
            return nil
        }
        if request.who == .none { return nil }
        let names = self.backends.map(\.name)
        if let backend = request.backend, !names.contains(backend) {
            return "X-FORLLM-Request: no backend named '\(backend)' (configured: \(names.joined(separator: ", ")))"
        }
        guard let model = request.model else { return nil }
        return await self.checkModel(model, backend: request.backend, budget: budget)
            .map { "\(ForumRequest.headerName): \($0)" }
    }

    /// Checks that `model` is offered by `backend` (any configured backend when `nil`), asking
    /// the backends that answer within `budget`. Returns the reason to refuse it
    /// (`model 'x' is not offered by any backend (available: …)`), or `nil`, also when a backend
    /// cannot be asked (the benefit of the doubt: the request then fails visibly).
    public func checkModel(_ model: String, backend: String?, budget: Duration = .seconds(2)) async -> String? {
        let names = self.backends.map(\.name)
        let candidates = backend.map { [$0] } ?? names
        let catalog = self.catalog
        let answers = await withTaskGroup(of: (String, [LLMModel]?).self) { group in
            for name in candidates {
                group.addTask { (name, try? await catalog.models(of: name)) }
            }
            group.addTask {
                try? await Task.sleep(for: budget)
                return ("", nil)
            }
            var answers: [String: [LLMModel]?] = [:]
            while answers.count < candidates.count, let (name, models) = await group.next() {
                if name.isEmpty { break }
                answers[name] = models
            }
            group.cancelAll()
            return answers
        }
        var offered: [String] = []
        for name in candidates {
            guard let entry = answers[name], let models = entry else {
                return nil  // could not ask this backend: let the request try
            }
            if models.contains(where: { ModelCatalog.matches($0.name, model) }) { return nil }
            offered += models.map { "\($0.name) (\(name))" }
        }
        let list = offered.isEmpty ? "none" : offered.sorted().joined(separator: ", ")
        let place = backend.map { "backend '\($0)'" } ?? "any backend"
        return "model '\(model)' is not offered by \(place) (available: \(list))"
    }

    /// Whether ``checkRequest(in:budget:)`` has anything to ask the backends about: a request
    /// header, or a persona card that sets a model. Saves making a client for nothing.
    static func asksForModels(_ article: Article) -> Bool {
        article[ForumRequest.headerName] != nil || Self.personaCardModel(in: article) != nil
    }

    /// The preferred model a post to `forllm.personas` sets (its card's `Model:` line), if any.
    static func personaCardModel(in article: Article) -> String? {
        guard article.newsgroups.contains(ForumDatabase.personasGroupName),
            let card = try? PersonaCard(parsing: ArticleText.plainText(of: article)),
            let model = card.model ?? nil, !model.isEmpty
        else { return nil }
        return model
    }
}
