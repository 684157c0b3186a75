import Configuration
import FORLLMForum
import FORLLMWorker
import Foundation
import Logging
import NewsArticle
import NNTPServer

/// Everything FORLLM reads from its configuration, checked: one property per key, in the key's
/// units (seconds, days), grouped as conf/forllm.yaml groups them.
///
/// ## Configuration keys
/// ``ConfigurationKeys`` lists every key with its type, default and meaning; `forllm config keys`
/// prints that table and `forllm config defaults` a file with every key (conf/forllm.yaml).
/// Precedence, highest first: command-line options, `FORLLM_*` environment variables
/// (`server.listen` → `FORLLM_SERVER_LISTEN`, `backends[0].url` → `FORLLM_BACKENDS_0_URL`), the
/// YAML file (`--config`, else `FORLLM_CONFIG`, else `conf/forllm.yaml` when it exists), and the
/// defaults.
///
/// The defaults of the properties are read from the modules' configuration values (see
/// `FORLLMConfiguration+Modules.swift`), which hold them; the modules get their values back
/// through ``nntpServerConfiguration``, ``workerConfiguration`` and ``forumConfiguration``.
public struct FORLLMConfiguration: Hashable, Sendable {
    /// `server.*`: the news server.
    public struct Server: Hashable, Sendable {
        public var host: String = ModuleDefaults.nntp.host
        public var port: Int = ModuleDefaults.nntp.port
        public var hostname: String = ModuleDefaults.forum.hostname
        public var maxArticleBytes: Int = ModuleDefaults.forum.postingPolicy.maximumBytes
        public var maxArticleAgeDays: Int = Int(ModuleDefaults.forum.postingPolicy.maximumAge / 86_400)
        public var maxConnections: Int = ModuleDefaults.nntp.maximumConnections
        public var idleTimeoutSeconds: Int = ModuleDefaults.seconds(ModuleDefaults.nntp.idleTimeout)
        public var authUser: String?
        /// The environment variable that holds the password. No module has this: its default
        /// is written here.
        public var authPasswordEnv: String = "FORLLM_PASSWORD"
        /// Read from the environment variable ``authPasswordEnv``; never from the file.
        public var authPassword: String?
    }

    /// `llm.*`: answers.
    public struct LLM: Hashable, Sendable {
        public var defaultBackend: String = ModuleDefaults.worker.defaultBackend
        public var defaultModel: String = ModuleDefaults.worker.defaultModel
        public var contextChars: Int = ModuleDefaults.worker.contextCharacters
        public var maxAttempts: Int = ModuleDefaults.worker.maximumAttempts
        public var retryDelaySeconds: Int = ModuleDefaults.seconds(ModuleDefaults.worker.retryDelay)
        public var unreachableWaitSeconds: Int = ModuleDefaults.seconds(ModuleDefaults.worker.unreachableWait)
        public var maxPersonaTurns: Int = ModuleDefaults.forum.maximumPersonaTurns
        public var pollIntervalSeconds: Double = ModuleDefaults.fractionalSeconds(ModuleDefaults.worker.pollInterval)
        /// The default of every backend's `keep_alive`.
        public var keepAlive: String? = ModuleDefaults.backend.keepAlive
        /// The default of every backend's `max_context_tokens`.
        public var maxContextTokens: Int? = ModuleDefaults.backend.maximumContextLength
        public var temperature: Double? = ModuleDefaults.worker.temperature
        public var maxAnswerTokens: Int? = ModuleDefaults.worker.maximumAnswerTokens
    }

    /// A configured backend (`backends:` entry): the worker's own configuration value.
    public typealias Backend = LLMBackendConfiguration
    /// `ollama` or `openai`.
    public typealias BackendType = LLMBackendConfiguration.BackendType

    public var server = Server()
    /// `database`. No module has this: its default is written here.
    public var databasePath: String = "forllm_data.db"
    /// `log_level`. No module has this: its default is written here.
    public var logLevel: Logger.Level = .info
    public var llm = LLM()
    /// `backends:`; by default the one the worker has by default (Ollama on this machine).
    public var backends: [Backend] = ModuleDefaults.worker.backends
    /// The file the values came from, if any.
    public var configFile: String?

    public init() {}
}

extension FORLLMConfiguration {
    /// conf/forllm.yaml: every key with its default and a comment (`forllm config defaults`).
    public static func defaultsFile() -> String {
        ConfigurationKeys.defaultsFile()
    }

    /// The README's table of keys: key, type, default, meaning (`forllm config keys`).
    public static func keyTable() -> String {
        ConfigurationKeys.keyTable()
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
        let values = ConfigurationValues(
            reader: ConfigReader(providers: [
                provider("options", sources.overrides),
                EnvironmentVariablesProvider(environmentVariables: sources.environment).prefixKeys(with: "forllm"),
                provider("file", file.values)
            ]),
            secrets: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: sources.environment))
        )

        var configuration = FORLLMConfiguration()
        configuration.configFile = configFile
        for key in ConfigurationKeys.settings {
            try key.read(into: &configuration, at: key.name, from: values)
        }
        if configuration.server.authUser != nil {
            let variable = configuration.server.authPasswordEnv
            guard let password = values.secret(variable), !password.isEmpty else {
                throw ConfigurationError(
                    key: "server.auth.password_env",
                    problem: "server.auth.user is set but the environment variable \(variable) holding the password "
                        + "is empty or unset"
                )
            }
            configuration.server.authPassword = password
        }
        configuration.backends = try Self.readBackends(
            count: max(file.backendCount, 1),
            values: values,
            llm: configuration.llm
        )
        try configuration.checkBackendNames()
        return configuration
    }

    /// The `backends:` entries; the first one's name defaults to the default backend's.
    private static func readBackends(
        count: Int,
        values: ConfigurationValues,
        llm: LLM
    ) throws(ConfigurationError)
        -> [Backend]
    {
        var backends: [Backend] = []
        for index in 0..<count {
            let prefix = "\(ConfigurationKeys.backends).\(index)"
            var backend = Backend(name: "", keepAlive: llm.keepAlive, maximumContextLength: llm.maxContextTokens)
            for key in ConfigurationKeys.backendEntry {
                try key.read(into: &backend, at: "\(prefix).\(key.name)", from: values)
            }
            if backend.name.isEmpty {
                guard index == 0, let name = FORLLMConfiguration().backends.first?.name else {
                    throw ConfigurationError(key: "backends[\(index)].name", problem: "every backend needs a name")
                }
                backend.name = name
            }
            guard !backends.contains(where: { $0.name == backend.name }) else {
                throw ConfigurationError(
                    key: "backends[\(index)].name",
                    problem: "'\(backend.name)' is used by two backends"
                )
            }
            backends.append(backend)
        }
        return backends
    }

    /// Every `fallback` and `llm.default_backend` names a configured backend.
    private func checkBackendNames() throws(ConfigurationError) {
        let configured = self.backends.map(\.name).joined(separator: ", ")
        for (index, backend) in self.backends.enumerated() {
            if let fallback = backend.fallback {
                guard fallback != backend.name, self.backends.contains(where: { $0.name == fallback }) else {
                    throw ConfigurationError(
                        key: "backends[\(index)].fallback",
                        problem: "'\(fallback)' is not another configured backend (configured: \(configured))"
                    )
                }
            }
        }
        guard self.backends.contains(where: { $0.name == self.llm.defaultBackend }) else {
            throw ConfigurationError(
                key: "llm.default_backend",
                problem: "'\(self.llm.defaultBackend)' is not a configured backend (configured: \(configured))"
            )
        }
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.
    public static func parseListen(
        _ text: String,
        key: String
    ) throws(ConfigurationError) -> (host: String, port: Int) {
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
}
