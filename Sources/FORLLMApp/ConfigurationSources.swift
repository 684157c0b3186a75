import Foundation

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
