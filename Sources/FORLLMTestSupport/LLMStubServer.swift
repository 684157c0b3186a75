import NIOCore
import NIOHTTP1
import NIOPosix

/// A loopback LLM server for tests: a real HTTP/1.1 server on `127.0.0.1:<free port>` that
/// speaks Ollama's API or the OpenAI chat completions API, answers from a script, and records
/// every request.
///
/// ```swift
/// let stub = LLMStubServer(.ollama, models: [.init(name: "llama3.2", contextLength: 8192)])
/// try await stub.run { stub in                              // start(), body, shutdown() however it ends
///     let configuration = LLMBackendConfiguration(name: "stub", url: URL(string: await stub.baseURL))
///     await stub.enqueue(.answer(["Hel", "lo"]))            // the next chat request gets this
///     // ... run the client or the worker ...
///     let requests = await stub.waitForChatRequests(count: 1)  // suspends until it came; no sleeping
///     #expect(requests[0].messages.last?.content == "Hi")
///     #expect(await stub.waitForChatOutcomes(count: 1) == [.completed])
///     #expect(await stub.maxInFlight == 1)
/// }
/// ```
///
/// Or `let port = try await stub.start()` ... `await stub.shutdown()`; shut every started stub
/// down, since its connections live on the shared NIO event loop group.
///
/// Endpoints, Ollama (``baseURL`` `http://127.0.0.1:PORT`):
/// `GET /api/tags`, `POST /api/show`, `POST /api/chat` (NDJSON), `GET /` ("Ollama is running").
/// OpenAI (``baseURL`` `http://127.0.0.1:PORT/v1`): `GET /v1/models` (with llama.cpp's
/// `meta.n_ctx_train` for models with a context length), `POST /v1/chat/completions` (SSE).
/// A chat for a model not in ``models`` gets the server's real 404 (Ollama:
/// `{"error":"model \"x\" not found, try pulling it first"}`; OpenAI: `model_not_found`).
///
/// Which behaviour a chat request gets: the first of the FIFO queue (``enqueue(_:)``), else the
/// one set for its model (``setBehaviour(_:forModel:)``), else ``defaultBehaviour`` (echo).
public actor LLMStubServer {
    /// The API a stub speaks.
    public enum WireFormat: String, Hashable, Sendable {
        case ollama
        case openai
    }

    /// A model the stub offers.
    public struct Model: Hashable, Sendable {
        public var name: String
        public var sizeBytes: Int64
        /// Ollama `/api/show` `model_info["llama.context_length"]`; OpenAI `/v1/models`
        /// `meta.n_ctx_train`. `nil`: not reported.
        public var contextLength: Int?
        /// Ollama `/api/show` `capabilities` (`["completion", "vision"]` for a model that sees);
        /// `nil`: the key is left out, as Ollama before 0.6 did.
        public var capabilities: [String]?

        public init(
            name: String,
            sizeBytes: Int64 = 2_019_393_189,
            contextLength: Int? = nil,
            capabilities: [String]? = ["completion"]
        ) {
            self.name = name
            self.sizeBytes = sizeBytes
            self.contextLength = contextLength
            self.capabilities = capabilities
        }
    }

    /// The API this stub speaks.
    public nonisolated let wireFormat: WireFormat
    /// The models the stub lists and accepts.
    public var models: [Model]
    /// OpenAI: when set, requests without `Authorization: Bearer <key>` get 401.
    public var requiredAPIKey: String?
    /// OpenAI: whether the stub sends the usage chunk when `stream_options.include_usage` asks
    /// for it (some servers ignore the option).
    public var sendsUsage: Bool
    /// What a chat request gets when neither the queue nor its model has a behaviour.
    public var defaultBehaviour: LLMStubBehaviour = .echo

    /// The port, once ``start()`` returned; 0 before.
    public private(set) var port = 0
    private var listener: HTTPStubListener?
    private var serverTask: Task<Void, Never>?
    private var queue: [LLMStubBehaviour] = []
    private var behavioursByModel: [String: LLMStubBehaviour] = [:]
    private var gateIsOpen = false
    private var gateWaiters: [AsyncStream<Void>.Continuation] = []

    /// Every request received, in order of arrival.
    public private(set) var requests: [LLMStubRequest] = []
    /// Chat requests being answered now.
    public private(set) var inFlight = 0
    /// The most chat requests that were answered at the same time.
    public private(set) var maxInFlight = 0
    /// How each finished chat request ended, in order of ending.
    public private(set) var chatOutcomes: [LLMStubChatOutcome] = []
    /// Connections that ended with an error (expected when a test's client goes away).
    public private(set) var connectionErrorCount = 0
    /// A call waiting for `condition`; `id` finds it again when its task is cancelled.
    private typealias Waiter = (id: Int, condition: Condition, continuation: CheckedContinuation<Void, Never>)
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0

    private enum Condition {
        case requests(Int)
        case chatRequests(Int)
        case chatOutcomes(Int)
        case inFlight(Int)
    }

    /// A stub speaking `wireFormat`, offering `models`.
    public init(
        _ wireFormat: WireFormat,
        models: [Model] = [Model(name: "llama3.2")],
        requiredAPIKey: String? = nil,
        sendsUsage: Bool = true
    ) {
        self.wireFormat = wireFormat
        self.models = models
        self.requiredAPIKey = requiredAPIKey
        self.sendsUsage = sendsUsage
    }

    // MARK: - Lifecycle

    /// Binds `127.0.0.1:port` (0: any free port), starts serving and returns the port.
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        precondition(self.listener == nil, "LLMStubServer.start() called twice")
        let listener = try await HTTPStubListener.bind(port: port)
        self.listener = listener
        self.port = listener.port
        self.serverTask = Task {
            await self.serve(listener)
        }
        return self.port
    }

    /// Closes the listener and every connection, and waits until they are closed.
    public func shutdown() async {
        self.gateIsOpen = true
        for waiter in self.gateWaiters {
            waiter.finish()
        }
        self.gateWaiters = []
        self.serverTask?.cancel()
        await self.listener?.close()
        await self.serverTask?.value
        self.serverTask = nil
    }

    /// Starts the stub, runs `body`, and shuts the stub down however `body` ends.
    public func run<Result: Sendable>(
        _ body: @Sendable (LLMStubServer) async throws -> Result
    ) async throws -> Result {
        try await self.start()
        do {
            let result = try await body(self)
            await self.shutdown()
            return result
        } catch {
            await self.shutdown()
            throw error
        }
    }

    /// Ollama: `http://127.0.0.1:PORT`; OpenAI: `http://127.0.0.1:PORT/v1`.
    public var baseURL: String {
        switch self.wireFormat {
        case .ollama:
            return "http://127.0.0.1:\(self.port)"
        case .openai:
            return "http://127.0.0.1:\(self.port)/v1"
        }
    }

    // MARK: - Script

    /// Appends behaviours to the FIFO queue: each chat request takes the first one.
    public func enqueue(_ behaviours: LLMStubBehaviour...) {
        self.queue.append(contentsOf: behaviours)
    }

    /// The behaviour for every chat request for `model` while the queue is empty; `nil` removes it.
    public func setBehaviour(_ behaviour: LLMStubBehaviour?, forModel model: String) {
        self.behavioursByModel[model] = behaviour
    }

    public func setDefaultBehaviour(_ behaviour: LLMStubBehaviour) {
        self.defaultBehaviour = behaviour
    }

    public func setModels(_ models: [Model]) {
        self.models = models
    }

    public func setRequiredAPIKey(_ key: String?) {
        self.requiredAPIKey = key
    }

    public func setSendsUsage(_ sendsUsage: Bool) {
        self.sendsUsage = sendsUsage
    }

    /// Lets every held (``LLMStubBehaviour/waitsForGate``) request proceed, now and later,
    /// until ``closeGate()``.
    public func openGate() {
        self.gateIsOpen = true
        for waiter in self.gateWaiters {
            waiter.finish()
        }
        self.gateWaiters = []
    }

    /// Makes gated requests wait again (the gate starts closed).
    public func closeGate() {
        self.gateIsOpen = false
    }

    // MARK: - Observation

    /// The chat requests received so far.
    public var chatRequests: [LLMStubRequest] {
        self.requests.filter(\.isChat)
    }

    /// Suspends until at least `count` requests (of any kind) arrived; returns all so far.
    @discardableResult
    public func waitForRequests(count: Int) async -> [LLMStubRequest] {
        await self.wait(for: .requests(count))
        return self.requests
    }

    /// Suspends until at least `count` chat requests arrived; returns the chat requests so far.
    @discardableResult
    public func waitForChatRequests(count: Int) async -> [LLMStubRequest] {
        await self.wait(for: .chatRequests(count))
        return self.chatRequests
    }

    /// Suspends until at least `count` chat requests ended; returns how each ended so far.
    /// A client that cancels shows up here as ``LLMStubChatOutcome/clientClosedConnection``.
    @discardableResult
    public func waitForChatOutcomes(count: Int) async -> [LLMStubChatOutcome] {
        await self.wait(for: .chatOutcomes(count))
        return self.chatOutcomes
    }

    /// Suspends until at least `count` chat requests are being answered at the same time.
    public func waitForInFlight(atLeast count: Int) async {
        await self.wait(for: .inFlight(count))
    }

    /// Returns when `condition` holds, or early when the task is cancelled (a test's time limit
    /// ran out): a wait that never ends must not keep the test run from ending.
    private func wait(for condition: Condition) async {
        if self.isSatisfied(condition) {
            return
        }
        let id = self.nextWaiterID
        self.nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    self.waiters.append((id, condition, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// How many calls wait for a condition now.
    public var waiterCount: Int { self.waiters.count }

    private func cancelWaiter(_ id: Int) {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return }
        self.waiters.remove(at: index).continuation.resume()
    }

    private func isSatisfied(_ condition: Condition) -> Bool {
        switch condition {
        case .requests(let count):
            return self.requests.count >= count
        case .chatRequests(let count):
            return self.requests.lazy.filter(\.isChat).count >= count
        case .chatOutcomes(let count):
            return self.chatOutcomes.count >= count
        case .inFlight(let count):
            return self.inFlight >= count
        }
    }

    private func resumeSatisfiedWaiters() {
        var waiting: [Waiter] = []
        for waiter in self.waiters {
            if self.isSatisfied(waiter.condition) {
                waiter.continuation.resume()
            } else {
                waiting.append(waiter)
            }
        }
        self.waiters = waiting
    }

    // MARK: - Bookkeeping for the connections

    /// Records `request` and decides the answer.
    func plan(for request: LLMStubRequest) -> LLMStubPlan {
        self.requests.append(request)
        let plan = self.route(request)
        if case .chat = plan {
            self.inFlight += 1
            self.maxInFlight = max(self.maxInFlight, self.inFlight)
        }
        self.resumeSatisfiedWaiters()
        return plan
    }

    /// The behaviour for the next chat request for `model`.
    func nextBehaviour(forModel model: String) -> LLMStubBehaviour {
        if !self.queue.isEmpty {
            return self.queue.removeFirst()
        }
        return self.behavioursByModel[model] ?? self.defaultBehaviour
    }

    func finishChat(_ outcome: LLMStubChatOutcome) {
        self.inFlight -= 1
        self.chatOutcomes.append(outcome)
        self.resumeSatisfiedWaiters()
    }

    func noteConnectionError() {
        self.connectionErrorCount += 1
    }

    /// Registers a waiter for the gate; `continuation` is finished when the gate opens.
    func waitForGate(_ continuation: AsyncStream<Void>.Continuation) {
        if self.gateIsOpen {
            continuation.finish()
        } else {
            self.gateWaiters.append(continuation)
        }
    }

    func model(named name: String) -> Model? {
        self.models.first { $0.name == name || $0.name == name + ":latest" }
    }
}
