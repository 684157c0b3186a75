/// A configuration value that cannot be used: names the key and the problem. The CLI prints
/// it and exits with status 78 (EX_CONFIG) before starting anything.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key as written in conf/forllm.yaml (`server.listen`, `backends[1].url`), or the
    /// option or file concerned.
    public var key: String
    public var problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration error: \(self.key): \(self.problem)" }
}
