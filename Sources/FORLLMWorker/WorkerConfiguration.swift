import Foundation

/// Settings of the reply worker; defaults as in conf/forllm.yaml.
public struct WorkerConfiguration: Sendable {
    /// Per-backend settings the worker needs (the client has the rest).
    public struct Backend: Sendable {
        public var name: String
        /// Requests run at once on this backend.
        public var concurrency: Int
        /// The backend used instead while this one is unreachable.
        public var fallback: String?
        /// How long this one must have been unreachable before the fallback is used.
        public var fallbackAfter: Duration
        /// Ollama `keep_alive`.
        public var keepAlive: String?
        /// Cap for the context length asked for (`num_ctx`).
        public var maximumContextLength: Int

        public init(
            name: String, concurrency: Int = 1, fallback: String? = nil, fallbackAfter: Duration = .seconds(60),
            keepAlive: String? = "30m", maximumContextLength: Int = 8192
        ) {
            self.name = name
            self.concurrency = concurrency
            self.fallback = fallback
            self.fallbackAfter = fallbackAfter
            self.keepAlive = keepAlive
            self.maximumContextLength = maximumContextLength
        }
    }

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
    public var maximumAnswerTokens: Int?
    public var backends: [Backend]
    /// Schedule windows are in this calendar's time zone.
    public var calendar: Calendar
    public var userAgent: String

    public init(
        hostname: String = "forllm.local", defaultModel: String = "llama3.2", defaultBackend: String = "ollama",
        contextCharacters: Int = 24_000, maximumAttempts: Int = 4, retryDelay: Duration = .seconds(30),
        unreachableWait: Duration = .seconds(86_400),
        pollInterval: Duration = .seconds(5), temperature: Double? = nil, maximumAnswerTokens: Int? = nil,
        backends: [Backend] = [Backend(name: "ollama")], calendar: Calendar = .current, userAgent: String = "FORLLM"
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
        self.backends = backends
        self.calendar = calendar
        self.userAgent = userAgent
    }

    func backend(named name: String) -> Backend? {
        self.backends.first { $0.name == name }
    }
}
