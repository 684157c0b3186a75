import Configuration
import FORLLMForum
import FORLLMWorker
import Foundation
import SMTPServer
import Logging
import NewsArticle
import NNTPServer

/// Everything FORLLM reads from its configuration, checked: each key's value in the module
/// property it configures (the key table converts units: `retry_delay_seconds` to a `Duration`).
///
/// ## Configuration keys
/// ``ConfigurationKeys`` lists every key with its type, default and meaning; `forllm config keys`
/// prints that table and `forllm config defaults` a file with every key (conf/forllm.yaml).
/// Precedence, highest first: command-line options, `FORLLM_*` environment variables
/// (`server.listen` → `FORLLM_SERVER_LISTEN`, `backends[0].url` → `FORLLM_BACKENDS_0_URL`), the
/// YAML file (`--config`, else `FORLLM_CONFIG`, else `conf/forllm.yaml` when it exists), and the
/// defaults.
///
/// It holds the modules' configuration values themselves (`nntp`, `forum`, `worker`), so every
/// default is written once, in the module's `init`, and a new key is one row of
/// ``ConfigurationKeys`` naming the module's property. The modules get their values through
/// ``nntpServerConfiguration``, ``workerConfiguration`` and ``forumConfiguration``.
public struct FORLLMConfiguration: Hashable, Sendable {
    /// `server.auth.*`: the readers' account. No module has these: their defaults are here.
    public struct Auth: Hashable, Sendable {
        public var user: String?
        /// The environment variable that holds the password.
        public var passwordEnv: String = "FORLLM_PASSWORD"
        /// Read from the environment variable ``passwordEnv``; never from the file.
        public var password: String?
    }

    /// `server.listen`, `server.max_connections`, `server.idle_timeout_seconds`: the news
    /// server's own values (its hostname and article limit are the forum's, below).
    public var nntp = NNTPServerConfiguration()
    /// `server.hostname`, `server.max_article_*`, `llm.max_persona_turns`: the forum's rules.
    public var forum = ForumConfiguration()
    /// The other `llm.*` keys, and `backends:`: the reply worker's values.
    public var worker = WorkerConfiguration()
    /// `llm.keep_alive`, `llm.max_context_tokens`: what every `backends:` entry has unless it
    /// says otherwise.
    public var backendDefaults = LLMBackendConfiguration(name: WorkerConfiguration().defaultBackend)
    public var auth = Auth()
    /// `server.tls.*`, `server.tls_listen`: the certificate and key (PEM files) and the NNTPS
    /// address. No module has these: their defaults (off) are here.
    public struct TLS: Hashable, Sendable {
        /// `server.tls.certificate`: the PEM file of the certificate (chain); `nil`: no TLS.
        public var certificatePath: String?
        /// `server.tls.key`: the PEM file of its private key; `nil`: no TLS.
        public var keyPath: String?
        /// `server.tls_listen`: the address NNTPS (implicit TLS, RFC 8143) listens on; `nil`: no
        /// NNTPS.
        public var listenHost: String?
        /// `server.tls_listen`: the port NNTPS listens on (0: the system chooses).
        public var listenPort = 563

        /// Whether a certificate and key are configured (both, as ``check()`` makes sure).
        public var isEnabled: Bool { self.certificatePath != nil && self.keyPath != nil }

        public init() {}
    }

    public var tls = TLS()
    /// `server.allow_insecure`: start even when listening beyond loopback without logins and
    /// TLS (``exposureProblem(hasUsers:)``), with a warning.
    public var allowInsecure = false
    /// `mail.*`: delivery to Maildirs. No module has these: their defaults are here.
    public var mailDelivery = MailDeliveryConfiguration()
    /// `mail.smtp_listen`: the SMTP receiver's own values (its address; its hostname and limits
    /// are the forum's and the news server's, below); `nil`: no SMTP receiver.
    public var smtp: SMTPServerConfiguration?
    /// `database`. No module has this: its default is written here.
    public var databasePath: String = "forllm_data.db"
    /// `log_level`. No module has this: its default is written here.
    public var logLevel: Logger.Level = .info
    /// The file the values came from, if any.
    public var configFile: String?
    /// `hooks:`: commands run on the forum's events. No module has these: none by default.
    public var hooks: [HookConfiguration] = []

    /// A configured backend (`backends:` entry): the worker's own configuration value.
    public typealias Backend = LLMBackendConfiguration
    /// `ollama` or `openai`.
    public typealias BackendType = LLMBackendConfiguration.BackendType

    /// `backends:`; by default the one the worker has by default (Ollama on this machine).
    public var backends: [Backend] {
        get { self.worker.backends }
        set { self.worker.backends = newValue }
    }

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
        try configuration.tls.check()
        if configuration.auth.user != nil {
            let variable = configuration.auth.passwordEnv
            guard let password = values.secret(variable), !password.isEmpty else {
                throw ConfigurationError(
                    key: "server.auth.password_env",
                    problem: "server.auth.user is set but the environment variable \(variable) holding the password "
                        + "is empty or unset"
                )
            }
            configuration.auth.password = password
        }
        configuration.backends = try Self.readBackends(
            count: max(file.backendCount, 1),
            values: values,
            defaults: configuration.backendDefaults
        )
        try configuration.checkBackendNames()
        configuration.hooks = try Self.readHooks(runCounts: file.hookRunCounts, values: values)
        return configuration
    }

    /// The `backends:` entries; the first one's name defaults to the default backend's.
    private static func readBackends(
        count: Int,
        values: ConfigurationValues,
        defaults: Backend
    ) throws(ConfigurationError)
        -> [Backend]
    {
        var backends: [Backend] = []
        for index in 0..<count {
            let prefix = "\(ConfigurationKeys.backends).\(index)"
            var backend = Backend(
                name: "",
                keepAlive: defaults.keepAlive,
                maximumContextLength: defaults.maximumContextLength
            )
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
        guard self.backends.contains(where: { $0.name == self.worker.defaultBackend }) else {
            throw ConfigurationError(
                key: "llm.default_backend",
                problem: "'\(self.worker.defaultBackend)' is not a configured backend (configured: \(configured))"
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
