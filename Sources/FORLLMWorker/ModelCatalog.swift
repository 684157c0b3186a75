import Foundation

/// What each backend offers, asked lazily and remembered for a while, and whether each
/// backend answered the last time it was asked. Used to choose a backend for a model, to
/// refuse unknown models at POST time, and by `forllm models`.
public actor ModelCatalog {
    /// One backend's last answer; instants on `timeline`.
    private struct Entry: Sendable {
        var models: [LLMModel]?
        var error: LLMError?
        var checkedAt: Duration
        /// When the backend first failed to answer in the current run of failures.
        var unreachableSince: Duration?
    }

    private let clients: [String: any LLMClient]
    /// Backend names in configuration order.
    public nonisolated let order: [String]
    private let lifetime: Duration
    private let timeline: Timeline
    private var entries: [String: Entry] = [:]

    /// A catalog of `clients` whose answers are kept for `lifetime`, measured on `clock` (as
    /// is how long a backend has been unreachable).
    public init(
        clients: [(name: String, client: any LLMClient)],
        lifetime: Duration = .seconds(60),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.clients = Dictionary(clients.map { ($0.name, $0.client) }, uniquingKeysWith: { first, _ in first })
        self.order = clients.map(\.name)
        self.lifetime = lifetime
        self.timeline = Timeline(clock)
    }

    /// The backend's models, from the cache when fresh. Throws the backend's error.
    public func models(of backend: String, refresh: Bool = false) async throws -> [LLMModel] {
        let entry = try await self.entry(of: backend, refresh: refresh)
        if let models = entry.models { return models }
        throw entry.error ?? LLMError(.invalidResponse, "\(backend): no model list")
    }

    /// Whether `backend` offers `model`; `nil` when the backend cannot be asked right now.
    public func offers(_ model: String, on backend: String) async -> Bool? {
        guard let models = try? await self.models(of: backend) else { return nil }
        return models.contains { Self.matches($0.name, model) }
    }

    /// The first backend, in configuration order, known to offer `model`.
    public func firstBackend(offering model: String) async -> String? {
        for name in self.order where await self.offers(model, on: name) == true {
            return name
        }
        return nil
    }

    /// How long `backend` has been failing, `nil` when it answered last time (or was never asked).
    public func unreachableFor(_ backend: String) -> Duration? {
        guard let since = self.entries[backend]?.unreachableSince else { return nil }
        return self.timeline.now - since
    }

    /// Records the outcome of a real request, so that a backend that just failed or
    /// recovered is known without asking it again.
    public func record(backend: String, reachable: Bool, error: LLMError? = nil) {
        let now = self.timeline.now
        var entry = self.entries[backend] ?? Entry(models: nil, error: nil, checkedAt: now, unreachableSince: nil)
        if reachable {
            entry.unreachableSince = nil
            entry.error = nil
        } else {
            entry.unreachableSince = entry.unreachableSince ?? now
            entry.error = error
            entry.models = nil
            entry.checkedAt = now
        }
        self.entries[backend] = entry
    }

    /// Whether two model names denote the same model: equal, or equal but for Ollama's
    /// default `:latest` tag.
    public nonisolated static func matches(_ offered: String, _ asked: String) -> Bool {
        if offered == asked { return true }
        func base(_ name: String) -> String {
            name.hasSuffix(":latest") ? String(name.dropLast(7)) : name
        }
        return base(offered) == base(asked)
    }

    private func entry(of backend: String, refresh: Bool) async throws -> Entry {
        guard let client = self.clients[backend] else {
            throw LLMError(.invalidResponse, "no backend named \(backend)")
        }
        if !refresh, let entry = self.entries[backend], entry.models != nil || entry.error != nil,
            self.timeline.now - entry.checkedAt < self.lifetime
        {
            return entry
        }
        var entry =
            self.entries[backend] ?? Entry(models: nil, error: nil, checkedAt: self.timeline.now, unreachableSince: nil)
        do {
            entry.models = try await client.models()
            entry.error = nil
            entry.unreachableSince = nil
        } catch {
            // A question given up (a POST's model check past its budget, a shutdown) says
            // nothing about the backend: nothing is remembered, and the next one asks again.
            // Remembered as a failed connection, it held every request for that backend for
            // the catalog's lifetime (a test under load waited a minute for its answers).
            if error is CancellationError || Task.isCancelled { throw error }
            let llmError = (error as? LLMError) ?? LLMError(.connectionFailed, "\(backend): \(error)", cause: error)
            entry.models = nil
            entry.error = llmError
            if llmError.code == .unreachable || llmError.code == .connectionFailed || llmError.code == .timedOut {
                entry.unreachableSince = entry.unreachableSince ?? self.timeline.now
            }
        }
        entry.checkedAt = self.timeline.now
        self.entries[backend] = entry
        return entry
    }
}
