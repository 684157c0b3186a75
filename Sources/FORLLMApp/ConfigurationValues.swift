import Configuration
import Foundation

/// The configuration's values as text, each from the first source that sets it (command-line
/// options, the `FORLLM_*` environment, the file), and secrets from the environment.
struct ConfigurationValues {
    var reader: ConfigReader
    var secrets: ConfigReader

    /// The value of a dotted key (`backends.0.url`), trimmed of spaces; `nil` when unset.
    func string(_ key: String) -> String? {
        self.reader.string(forKey: ConfigKey(key))?.trimmingCharacters(in: .whitespaces)
    }

    /// An environment variable read as a secret (never logged by swift-configuration).
    func secret(_ variable: String) -> String? {
        self.secrets.string(forKey: ConfigKey([variable]), isSecret: true)
    }
}
