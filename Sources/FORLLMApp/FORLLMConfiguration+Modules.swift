import FORLLMForum
import FORLLMWorker
import Foundation
import NewsArticle
import NNTPServer

// The configuration and the modules' configuration values, both ways: the modules' defaults
// are the configuration's defaults (one place for each: the module's `init`), and the
// configuration's values become the modules' values.

extension FORLLMConfiguration {
    /// The news server's settings. `implementation` is the `IMPLEMENTATION` capability.
    public var nntpServerConfiguration: NNTPServerConfiguration {
        NNTPServerConfiguration(
            host: self.server.host,
            port: self.server.port,
            hostname: self.server.hostname,
            maximumConnections: self.server.maxConnections,
            idleTimeout: .seconds(self.server.idleTimeoutSeconds),
            maximumArticleBytes: self.server.maxArticleBytes,
            authenticationRequired: self.server.authUser != nil,
            implementation: "FORLLM \(FORLLMVersion.version)"
        )
    }

    /// The reply worker's settings; the backends are ``backends``.
    public var workerConfiguration: WorkerConfiguration {
        WorkerConfiguration(
            hostname: self.server.hostname,
            defaultModel: self.llm.defaultModel,
            defaultBackend: self.llm.defaultBackend,
            contextCharacters: self.llm.contextChars,
            maximumAttempts: self.llm.maxAttempts,
            retryDelay: .seconds(self.llm.retryDelaySeconds),
            unreachableWait: .seconds(self.llm.unreachableWaitSeconds),
            pollInterval: .milliseconds(Int64(self.llm.pollIntervalSeconds * 1000)),
            temperature: self.llm.temperature,
            maximumAnswerTokens: self.llm.maxAnswerTokens,
            backends: self.backends,
            calendar: .current,
            userAgent: FORLLMVersion.userAgent
        )
    }

    /// The forum's view of the configuration.
    public var forumConfiguration: ForumConfiguration {
        ForumConfiguration(
            hostname: self.server.hostname,
            postingPolicy: PostingPolicy(
                maximumBytes: self.server.maxArticleBytes,
                maximumAge: TimeInterval(self.server.maxArticleAgeDays) * 86_400,
                maximumFutureSkew: ModuleDefaults.forum.postingPolicy.maximumFutureSkew
            ),
            maximumPersonaTurns: self.llm.maxPersonaTurns
        )
    }
}

/// The modules' configuration values with their defaults, where ``FORLLMConfiguration`` reads
/// its defaults. A key shared by several modules takes its default from one: `server.hostname`
/// and the article limits from the forum (which applies them to every article, whatever its
/// way in), the listening address and connection limits from the news server, the backend
/// keys from `LLMBackendConfiguration`, the other `llm.*` keys from the worker.
enum ModuleDefaults {
    static let nntp = NNTPServerConfiguration()
    static let worker = WorkerConfiguration()
    static let forum = ForumConfiguration()
    static let backend = LLMBackendConfiguration(name: Self.worker.defaultBackend)

    /// Whole seconds of a default `Duration`.
    static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }

    static func fractionalSeconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
