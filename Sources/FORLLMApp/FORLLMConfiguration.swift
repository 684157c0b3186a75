import Configuration
import Foundation
import Logging

/// Everything FORLLM reads from its configuration, checked.
///
/// ## Configuration keys
/// Precedence, highest first: command-line options, `FORLLM_*` environment variables
/// (`server.listen` → `FORLLM_SERVER_LISTEN`, `backends[0].url` → `FORLLM_BACKENDS_0_URL`), the
/// YAML file (`--config`, else `FORLLM_CONFIG`, else `conf/forllm.yaml` when it exists), and the
/// defaults below.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `server.listen` | `127.0.0.1:1119` | NNTP address, `HOST:PORT` (`[::1]:1119` for IPv6) |
/// | `server.hostname` | `forllm.local` | in Message-ID, Path, Xref, persona addresses |
/// | `server.max_article_bytes` | `1048576` | largest article accepted |
/// | `server.max_article_age_days` | `14` | a posted `Date` older than this is refused |
/// | `server.max_connections` | `1000` | more are answered `400` and closed |
/// | `server.idle_timeout_seconds` | `600` | idle connections are closed after this |
/// | `server.auth.user` | none | when set, readers must log in (`AUTHINFO`) |
/// | `server.auth.password_env` | `FORLLM_PASSWORD` | environment variable holding the password |
/// | `database` | `forllm_data.db` | the SQLite file |
/// | `log_level` | `info` | `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical` |
/// | `llm.default_backend` | `ollama` | backend used when nothing else decides |
/// | `llm.default_model` | `llama3.2` | model used when nothing else decides |
/// | `llm.context_chars` | `24000` | budget of thread text sent to the model |
/// | `llm.max_attempts` | `4` | attempts per request before it fails for good |
/// | `llm.retry_delay_seconds` | `30` | first retry delay; doubles each attempt |
/// | `llm.unreachable_wait_seconds` | `86400` | how long requests wait for a backend that cannot be reached |
/// | `llm.max_persona_turns` | `4` | persona-to-persona answers per thread |
/// | `llm.poll_interval_seconds` | `5` | how often the worker looks for new requests |
/// | `llm.keep_alive` | `30m` | Ollama `keep_alive` |
/// | `llm.max_context_tokens` | `8192` | cap for Ollama `num_ctx` |
/// | `llm.temperature` | model default | sampling temperature |
/// | `llm.max_answer_tokens` | no limit | longest answer in tokens |
/// | `backends[].name` | `ollama` | name used in requests and `forllm models` |
/// | `backends[].type` | `ollama` | `ollama` or `openai` |
/// | `backends[].url` | `http://127.0.0.1:11434` | base URL (`.../v1` for `openai`) |
/// | `backends[].timeout_seconds` | `900` | longest silence of the server while generating |
/// | `backends[].concurrency` | `1` | requests run at once on this backend |
/// | `backends[].api_key_env` | none | environment variable holding the API key |
/// | `backends[].fallback` | none | backend to use while this one is unreachable |
/// | `backends[].fallback_after_seconds` | `60` | how long to wait for this one first |
/// | `backends[].keep_alive` | `llm.keep_alive` | per-backend Ollama `keep_alive` |
/// | `backends[].max_context_tokens` | `llm.max_context_tokens` | per-backend cap |
public struct FORLLMConfiguration: Hashable, Sendable {
    public struct Server: Hashable, Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 1119
        public var hostname: String = "forllm.local"
        public var maxArticleBytes: Int = 1_048_576
        public var maxArticleAgeDays: Int = 14
        public var maxConnections: Int = 1000
        public var idleTimeoutSeconds: Int = 600
        public var authUser: String?
        /// Read from the environment variable `server.auth.password_env`; never from the file.
        public var authPassword: String?
    }

    public struct LLM: Hashable, Sendable {
        public var defaultBackend: String = "ollama"
        public var defaultModel: String = "llama3.2"
        public var contextChars: Int = 24_000
        public var maxAttempts: Int = 4
        public var retryDelaySeconds: Int = 30
        public var unreachableWaitSeconds: Int = 86_400
        public var maxPersonaTurns: Int = 4
        public var pollIntervalSeconds: Double = 5
        public var keepAlive: String = "30m"
        public var maxContextTokens: Int = 8192
        public var temperature: Double?
        public var maxAnswerTokens: Int?
    }

    public enum BackendType: String, Hashable, Sendable {
        case ollama
        case openai
    }

    public struct Backend: Hashable, Sendable {
        public var name: String
        public var type: BackendType
        public var url: String
        public var timeoutSeconds: Int
        public var concurrency: Int
        public var apiKeyEnv: String?
        /// Read from `apiKeyEnv`; never from the file, never logged.
        public var apiKey: String?
        public var fallback: String?
        public var fallbackAfterSeconds: Int
        public var keepAlive: String
        public var maxContextTokens: Int

        public init(
            name: String, type: BackendType = .ollama, url: String = "http://127.0.0.1:11434",
            timeoutSeconds: Int = 900, concurrency: Int = 1, apiKeyEnv: String? = nil, apiKey: String? = nil,
            fallback: String? = nil, fallbackAfterSeconds: Int = 60, keepAlive: String = "30m",
            maxContextTokens: Int = 8192
        ) {
            self.name = name
            self.type = type
            self.url = url
            self.timeoutSeconds = timeoutSeconds
            self.concurrency = concurrency
            self.apiKeyEnv = apiKeyEnv
            self.apiKey = apiKey
            self.fallback = fallback
            self.fallbackAfterSeconds = fallbackAfterSeconds
            self.keepAlive = keepAlive
            self.maxContextTokens = maxContextTokens
        }
    }

    public var server = Server()
    public var databasePath: String = "forllm_data.db"
    public var logLevel: Logger.Level = .info
    public var llm = LLM()
    public var backends: [Backend] = []
    /// The file the values came from, if any.
    public var configFile: String?

    public init() {}
}

/// Where configuration comes from, for ``FORLLMConfiguration/load(_:)``.
public struct ConfigurationSources: Sendable {
    /// `--config`.
    public var configPath: String?
    /// Command-line options by key (`server.listen`, `database`, `log_level`).
    public var overrides: [String: String]
    /// The process environment.
    public var environment: [String: String]
    /// Used when neither `--config` nor `FORLLM_CONFIG` names a file: read when it exists.
    public var defaultConfigPath: String

    public init(
        configPath: String? = nil,
        overrides: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultConfigPath: String = "conf/forllm.yaml"
    ) {
        self.configPath = configPath
        self.overrides = overrides
        self.environment = environment
        self.defaultConfigPath = defaultConfigPath
    }
}

extension FORLLMConfiguration {
    /// Reads and checks the configuration. Throws ``ConfigurationError`` naming the first key
    /// that is wrong.
    public static func load(_ sources: ConfigurationSources) throws -> FORLLMConfiguration {
        var file = ConfigFile.empty
        var configFile: String?
        if let path = sources.configPath ?? sources.environment["FORLLM_CONFIG"] {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError(key: path, problem: "configuration file not found")
            }
            file = try ConfigFile.load(path: path)
            configFile = path
        } else if FileManager.default.fileExists(atPath: sources.defaultConfigPath) {
            file = try ConfigFile.load(path: sources.defaultConfigPath)
            configFile = sources.defaultConfigPath
        }

        func provider(_ name: String, _ values: [String: String]) -> InMemoryProvider {
            var converted: [AbsoluteConfigKey: ConfigValue] = [:]
            for (key, value) in values {
                converted[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(.string(value), isSecret: false)
            }
            return InMemoryProvider(name: name, values: converted)
        }
        let reader = ConfigReader(providers: [
            provider("options", sources.overrides),
            EnvironmentVariablesProvider(environmentVariables: sources.environment).prefixKeys(with: "forllm"),
            provider("file", file.values),
        ])
        let secrets = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: sources.environment))
        let values = ValueReader(reader: reader, secrets: secrets)

        var configuration = FORLLMConfiguration()
        configuration.configFile = configFile
        var server = Server()
        if let listen = values.string("server.listen") {
            (server.host, server.port) = try Self.parseListen(listen, key: "server.listen")
        }
        server.hostname = try values.hostname("server.hostname") ?? server.hostname
        server.maxArticleBytes = try values.int("server.max_article_bytes", in: 1024...(64 << 20)) ?? server.maxArticleBytes
        server.maxArticleAgeDays = try values.int("server.max_article_age_days", in: 1...36500) ?? server.maxArticleAgeDays
        server.maxConnections = try values.int("server.max_connections", in: 1...1_000_000) ?? server.maxConnections
        server.idleTimeoutSeconds = try values.int("server.idle_timeout_seconds", in: 10...86400) ?? server.idleTimeoutSeconds
        server.authUser = values.string("server.auth.user").flatMap { $0.isEmpty ? nil : $0 }
        if server.authUser != nil {
            let variable = values.string("server.auth.password_env") ?? "FORLLM_PASSWORD"
            guard let password = values.secret(variable), !password.isEmpty else {
                throw ConfigurationError(
                    key: "server.auth.password_env",
                    problem: "server.auth.user is set but the environment variable \(variable) holding the password is empty or unset"
                )
            }
            server.authPassword = password
        }
        configuration.server = server

        if let database = values.string("database") {
            guard !database.isEmpty else { throw ConfigurationError(key: "database", problem: "must name a file") }
            configuration.databasePath = database
        }
        if let level = values.string("log_level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    key: "log_level",
                    problem: "'\(level)' is not a level (trace, debug, info, notice, warning, error, critical)"
                )
            }
            configuration.logLevel = parsed
        }

        var llm = LLM()
        llm.defaultBackend = try values.word("llm.default_backend") ?? llm.defaultBackend
        llm.defaultModel = try values.word("llm.default_model") ?? llm.defaultModel
        llm.contextChars = try values.int("llm.context_chars", in: 1000...10_000_000) ?? llm.contextChars
        llm.maxAttempts = try values.int("llm.max_attempts", in: 1...100) ?? llm.maxAttempts
        llm.retryDelaySeconds = try values.int("llm.retry_delay_seconds", in: 1...86400) ?? llm.retryDelaySeconds
        llm.unreachableWaitSeconds =
            try values.int("llm.unreachable_wait_seconds", in: 0...31_536_000) ?? llm.unreachableWaitSeconds
        llm.maxPersonaTurns = try values.int("llm.max_persona_turns", in: 0...100) ?? llm.maxPersonaTurns
        llm.pollIntervalSeconds = try values.double("llm.poll_interval_seconds", in: 0.05...3600) ?? llm.pollIntervalSeconds
        llm.keepAlive = try values.word("llm.keep_alive") ?? llm.keepAlive
        llm.maxContextTokens = try values.int("llm.max_context_tokens", in: 512...10_000_000) ?? llm.maxContextTokens
        llm.temperature = try values.double("llm.temperature", in: 0...2)
        llm.maxAnswerTokens = try values.int("llm.max_answer_tokens", in: 1...10_000_000)
        configuration.llm = llm

        var backends: [Backend] = []
        for index in 0..<max(file.backendCount, 1) {
            let prefix = "backends.\(index)"
            let defaultName = index == 0 ? "ollama" : nil
            guard let name = try values.word("\(prefix).name") ?? defaultName else {
                throw ConfigurationError(key: "backends[\(index)].name", problem: "every backend needs a name")
            }
            guard !backends.contains(where: { $0.name == name }) else {
                throw ConfigurationError(key: "backends[\(index)].name", problem: "'\(name)' is used by two backends")
            }
            let typeText = values.string("\(prefix).type") ?? "ollama"
            guard let type = BackendType(rawValue: typeText.lowercased()) else {
                throw ConfigurationError(
                    key: "backends[\(index)].type",
                    problem: "'\(typeText)' is not a backend type (ollama, openai)"
                )
            }
            let defaultURL = type == .ollama ? "http://127.0.0.1:11434" : "http://127.0.0.1:8080/v1"
            let url = values.string("\(prefix).url") ?? defaultURL
            try Self.checkURL(url, key: "backends[\(index)].url")
            var backend = Backend(
                name: name,
                type: type,
                url: url.hasSuffix("/") ? String(url.dropLast()) : url,
                timeoutSeconds: try values.int("\(prefix).timeout_seconds", in: 1...86400) ?? 900,
                concurrency: try values.int("\(prefix).concurrency", in: 1...64) ?? 1,
                apiKeyEnv: try values.word("\(prefix).api_key_env"),
                apiKey: nil,
                fallback: try values.word("\(prefix).fallback"),
                fallbackAfterSeconds: try values.int("\(prefix).fallback_after_seconds", in: 0...86400) ?? 60,
                keepAlive: try values.word("\(prefix).keep_alive") ?? llm.keepAlive,
                maxContextTokens: try values.int("\(prefix).max_context_tokens", in: 512...10_000_000)
                    ?? llm.maxContextTokens
            )
            if let variable = backend.apiKeyEnv {
                guard let key = values.secret(variable), !key.isEmpty else {
                    throw ConfigurationError(
                        key: "backends[\(index)].api_key_env",
                        problem: "the environment variable \(variable) is empty or unset"
                    )
                }
                backend.apiKey = key
            }
            backends.append(backend)
        }
        for (index, backend) in backends.enumerated() {
            if let fallback = backend.fallback {
                guard fallback != backend.name, backends.contains(where: { $0.name == fallback }) else {
                    throw ConfigurationError(
                        key: "backends[\(index)].fallback",
                        problem: "'\(fallback)' is not another configured backend "
                            + "(configured: \(backends.map(\.name).joined(separator: ", ")))"
                    )
                }
            }
        }
        guard backends.contains(where: { $0.name == llm.defaultBackend }) else {
            throw ConfigurationError(
                key: "llm.default_backend",
                problem: "'\(llm.defaultBackend)' is not a configured backend "
                    + "(configured: \(backends.map(\.name).joined(separator: ", ")))"
            )
        }
        configuration.backends = backends
        return configuration
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.
    public static func parseListen(_ text: String, key: String) throws -> (host: String, port: Int) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConfigurationError(key: key, problem: "'\(text)' is not [IPv6]:PORT, like [::1]:1119")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw ConfigurationError(key: key, problem: "'\(text)' is not HOST:PORT, like 127.0.0.1:1119")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigurationError(key: key, problem: "'\(portText)' is not a port number (0-65535)")
        }
        return (host.isEmpty ? "127.0.0.1" : String(host), port)
    }

    static func checkURL(_ text: String, key: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not an http:// or https:// URL")
        }
    }
}

/// Reads string values through the provider hierarchy and converts them with messages that
/// name the key.
private struct ValueReader {
    var reader: ConfigReader
    var secrets: ConfigReader

    func string(_ key: String) -> String? {
        self.reader.string(forKey: ConfigKey(key))?.trimmingCharacters(in: .whitespaces)
    }

    /// An environment variable read as a secret (never logged by swift-configuration).
    func secret(_ variable: String) -> String? {
        self.secrets.string(forKey: ConfigKey([variable]), isSecret: true)
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = self.string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                key: ConfigFile.display(key),
                problem: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = self.string(key) else { return nil }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigurationError(
                key: ConfigFile.display(key),
                problem: "'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    /// A single word: non-empty, no white space.
    func word(_ key: String) throws -> String? {
        guard let text = self.string(key) else { return nil }
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
            throw ConfigurationError(key: ConfigFile.display(key), problem: "'\(text)' must be one word without spaces")
        }
        return text
    }

    func hostname(_ key: String) throws -> String? {
        guard let text = self.string(key) else { return nil }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !text.isEmpty && text.count <= 253 && labels.count >= 2
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
            }
        guard valid else {
            throw ConfigurationError(
                key: ConfigFile.display(key),
                problem: "'\(text)' is not a domain name with a dot, like forllm.local (newsreaders such as tin need the dot)"
            )
        }
        return text.lowercased()
    }
}
