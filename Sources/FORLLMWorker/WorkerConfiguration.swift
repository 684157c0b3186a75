import Foundation

/// Settings of the reply worker. The defaults of `init` are the defaults of the `llm.*` keys
/// that FORLLMApp reads (it takes them from here).
public struct WorkerConfiguration: Hashable, Sendable {
    /// Per-backend settings the worker needs: the configured backend itself (its concurrency,
    /// fallback, `keep_alive` and context cap; the clients use the rest).
    public typealias Backend = LLMBackendConfiguration

    public var hostname: String
    public var defaultModel: String
    public var defaultBackend: String
    /// Budget of thread text in the prompt, in characters.
    public var contextCharacters: Int
    /// Attempts before a request fails for good.
    public var maximumAttempts: Int
    /// Delay before the first retry; doubled for each further attempt, at most one hour.
    public var retryDelay: Duration
    /// How long a request waits for a backend that cannot be reached at all (Ollama not
    /// started, the GPU box switched off) before it fails for good. Such tries do not count
    /// as attempts.
    public var unreachableWait: Duration
    /// How often to look for requests queued by other processes.
    public var pollInterval: Duration
    public var temperature: Double?
    /// The longest answer, in tokens: sent to the server and enforced as the answer streams
    /// (persona generation included). Always set: a small model in a loop never stops.
    public var maximumAnswerTokens: Int
    /// Whether a generation caught in a repetition loop is stopped (``LLMRepetitionDetector``).
    public var stopsRepetition: Bool
    /// Whether the queue is ordered for the hardware (``QueueOrder``) or first come, first
    /// served (`llm.queue_order`).
    public var queueOrder: QueueOrder.Policy = .hardware
    /// A request passed over by this many later ones runs next (``QueueOrder``).
    public var queueMaximumPassedOver: Int = 8
    /// A request waiting this long runs next (``QueueOrder``).
    public var queueMaximumWait: Duration = .seconds(30 * 60)
    /// Which models can see images, over what the server says (`llm.vision_models`).
    public var visionModels = VisionModels()
    public var backends: [Backend]
    /// Schedule windows are in this calendar's time zone.
    public var calendar: Calendar
    public var userAgent: String

    public init(
        hostname: String = "forllm.local",
        defaultModel: String = "llama3.2",
        defaultBackend: String = "ollama",
        contextCharacters: Int = 24_000,
        maximumAttempts: Int = 4,
        retryDelay: Duration = .seconds(30),
        unreachableWait: Duration = .seconds(86_400),
        pollInterval: Duration = .seconds(5),
        temperature: Double? = nil,
        maximumAnswerTokens: Int = 4096,
        stopsRepetition: Bool = true,
        backends: [Backend] = [Backend(name: "ollama")],
        calendar: Calendar = .current,
        userAgent: String = "FORLLM"
    ) {
        self.hostname = hostname
        self.defaultModel = defaultModel
        self.defaultBackend = defaultBackend
        self.contextCharacters = contextCharacters
        self.maximumAttempts = maximumAttempts
        self.retryDelay = retryDelay
        self.unreachableWait = unreachableWait
        self.pollInterval = pollInterval
        self.temperature = temperature
        self.maximumAnswerTokens = maximumAnswerTokens
        self.stopsRepetition = stopsRepetition
        self.backends = backends
        self.calendar = calendar
        self.userAgent = userAgent
    }

    func backend(named name: String) -> Backend? {
        self.backends.first { $0.name == name }
    }
}
