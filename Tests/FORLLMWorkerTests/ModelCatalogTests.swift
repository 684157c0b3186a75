import FORLLMWorker
import Foundation
import Synchronization
import Testing

@Suite("Model catalog")
struct ModelCatalogTests {
    /// The server's POST check asks the backends for their models within a budget and gives
    /// up the question when the budget is spent (its task is cancelled). That says nothing
    /// about the backend: remembered as a failed connection, it held every request for the
    /// backend for the catalog's lifetime, a minute.
    @Test("a question given up is not remembered: the backend is not unreachable, the next question asks again")
    func cancelledQuestion() async throws {
        let client = SlowFirstListing()
        let catalog = ModelCatalog(clients: [(name: "gpu", client: client)])
        let asking = Task { try await catalog.models(of: "gpu") }
        await client.waitUntilAsked()
        asking.cancel()
        let result = await asking.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await catalog.unreachableFor("gpu") == nil)
        #expect(try await catalog.models(of: "gpu").map(\.name) == ["llama3.2"])
        #expect(client.questions == 2)
    }

    @Test("a backend that cannot be reached is remembered as such, and its error kept for the lifetime")
    func failedQuestion() async throws {
        let client = SlowFirstListing(failing: true)
        let catalog = ModelCatalog(clients: [(name: "gpu", client: client)])
        await #expect(throws: LLMError.self) { try await catalog.models(of: "gpu") }
        #expect(await catalog.unreachableFor("gpu") != nil)
        await #expect(throws: LLMError.self) { try await catalog.models(of: "gpu") }
        #expect(client.questions == 1)
    }
}

/// A backend whose first model list never comes (until its task is cancelled), or which
/// cannot be reached at all; later lists come at once.
private final class SlowFirstListing: LLMClient {
    let backendName = "gpu"
    private let failing: Bool
    private let state = Mutex<(questions: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    init(failing: Bool = false) {
        self.failing = failing
    }

    var questions: Int { self.state.withLock { $0.questions } }

    /// Returns once the first question has arrived.
    func waitUntilAsked() async {
        await withCheckedContinuation { continuation in
            let asked = self.state.withLock { state in
                if state.questions > 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if asked { continuation.resume() }
        }
    }

    func models() async throws -> [LLMModel] {
        let (number, waiters) = self.state.withLock { state in
            state.questions += 1
            defer { state.waiters.removeAll() }
            return (state.questions, state.waiters)
        }
        for waiter in waiters { waiter.resume() }
        if self.failing { throw LLMError(.unreachable, "gpu: connection refused") }
        if number == 1 { try await Task.sleep(for: .seconds(3600)) }
        return [LLMModel(name: "llama3.2")]
    }

    func contextLength(of model: String) async throws -> Int? { nil }

    func chat(
        _ request: LLMChatRequest,
        progress: @escaping @Sendable (Int) async -> Void
    ) async throws -> LLMChatResult {
        throw LLMError(.unreachable, "gpu: no chat here")
    }
}
