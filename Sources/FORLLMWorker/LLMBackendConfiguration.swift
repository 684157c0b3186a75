import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// One LLM server as the configuration names it (`backends:` in `conf/forllm.yaml`).
///
/// ```yaml
/// backends:
///   - name: ollama
///     type: ollama                  # or: openai
///     url: http://127.0.0.1:11434   # openai: the base including /v1, e.g. http://127.0.0.1:8080/v1
///     timeout_seconds: 900          # inactivityTimeout
///     concurrency: 1
/// ```
///
/// The values are plain data: only `FORLLMApp` reads configuration keys and builds this. It is
/// the one representation of a configured backend: the clients, the worker
/// (``WorkerConfiguration/backends``) and the application's configuration use it. The defaults
/// of `init` are the defaults of the `backends[]` keys. ``description`` never shows the API key.
public struct LLMBackendConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// The wire format a backend speaks.
    public enum BackendType: String, Hashable, Sendable, CaseIterable {
        /// Ollama's native API (`/api/chat`, NDJSON stream).
        case ollama
        /// The OpenAI chat completions API (`/v1/chat/completions`, server-sent events):
        /// llama.cpp server, LM Studio, vLLM, llama-cpp-python, Ollama's `/v1`.
        case openai
    }

    /// The backend's name from the configuration (`ollama`, `cpu-box`); used in messages.
    public var name: String
    /// The wire format.
    public var type: BackendType
    /// The base URL: `http://127.0.0.1:11434` for Ollama; for OpenAI-compatible servers the
    /// base including `/v1`, e.g. `http://127.0.0.1:8080/v1`. A trailing `/` is ignored.
    public var url: URL
    /// The longest silence allowed between two pieces of a response, including the wait for
    /// the first one (a big model may take minutes to load). Not a limit on the whole answer.
    public var inactivityTimeout: Duration
    /// How long establishing a TCP connection may take. AsyncHTTPClient applies this per
    /// `HTTPClient`, so it takes effect through ``httpClientConfiguration(for:)``.
    public var connectTimeout: Duration
    /// Sent as `Authorization: Bearer <key>` to OpenAI-compatible servers. Never logged and
    /// never part of an error message or of ``description``.
    public var apiKey: String?
    /// How many requests the worker sends to this backend at the same time.
    public var concurrency: Int
    /// The backend the worker tries when this one fails for longer than ``fallbackAfter``.
    /// Used by the worker, not by the clients.
    public var fallback: String?
    /// How long this one must have been unreachable before the worker uses ``fallback``.
    public var fallbackAfter: Duration
    /// Ollama `keep_alive` when the request does not carry one: how long the model stays loaded.
    public var keepAlive: String?
    /// The largest `num_ctx` the Ollama client asks for; `nil`: no cap.
    public var maximumContextLength: Int?

    public init(
        name: String,
        type: BackendType = .ollama,
        url: URL? = nil,
        inactivityTimeout: Duration = .seconds(900),
        connectTimeout: Duration = .seconds(10),
        apiKey: String? = nil,
        concurrency: Int = 1,
        fallback: String? = nil,
        fallbackAfter: Duration = .seconds(60),
        keepAlive: String? = "30m",
        maximumContextLength: Int? = 8192
    ) {
        self.name = name
        self.type = type
        self.url = url ?? Self.defaultURL(for: type)
        self.inactivityTimeout = inactivityTimeout
        self.connectTimeout = connectTimeout
        self.apiKey = apiKey
        self.concurrency = concurrency
        self.fallback = fallback
        self.fallbackAfter = fallbackAfter
        self.keepAlive = keepAlive
        self.maximumContextLength = maximumContextLength
    }

    /// `http://127.0.0.1:11434` for Ollama, `http://127.0.0.1:8080/v1` (llama.cpp server's
    /// default port) for OpenAI-compatible servers.
    public static func defaultURL(for type: BackendType) -> URL {
        switch type {
        case .ollama:
            // Literal URLs: `URL(string:)` cannot fail for them.
            return URL(string: "http://127.0.0.1:11434")!
        case .openai:
            return URL(string: "http://127.0.0.1:8080/v1")!
        }
    }

    /// The base URL as text without a trailing `/`.
    public var baseURL: String {
        var text = self.url.absoluteString
        while text.hasSuffix("/") {
            text.removeLast()
        }
        return text
    }

    public var description: String {
        var text = "\(self.name) (\(self.type.rawValue) at \(self.baseURL)"
        if self.apiKey != nil {
            text += ", API key set"
        }
        return text + ")"
    }

    /// A client speaking this backend's wire format over `httpClient`, which the caller owns
    /// (and shuts down).
    /// - Parameter clock: the monotonic clock of the inactivity timeout and the timings.
    public func makeClient(
        httpClient: HTTPClient,
        logger: Logger,
        clock: any Clock<Duration> = ContinuousClock()
    ) -> any LLMClient {
        switch self.type {
        case .ollama:
            return OllamaClient(configuration: self, httpClient: httpClient, logger: logger, clock: clock)
        case .openai:
            return OpenAIClient(configuration: self, httpClient: httpClient, logger: logger, clock: clock)
        }
    }

    /// The `HTTPClient` configuration the LLM clients expect from the shared client:
    ///
    /// * connect timeout: the largest ``connectTimeout`` of `backends` (AsyncHTTPClient has one
    ///   per client, not per request);
    /// * no read timeout: the clients enforce ``inactivityTimeout`` themselves, per backend;
    /// * a refused connection fails at once instead of being retried until the connect timeout:
    ///   the worker retries requests itself and says why ("Ollama not running").
    public static func httpClientConfiguration(for backends: [LLMBackendConfiguration]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        let connect = backends.map(\.connectTimeout).max() ?? .seconds(10)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(connect), read: nil)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
