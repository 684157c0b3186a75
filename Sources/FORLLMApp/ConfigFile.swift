import Foundation
import Yams

/// conf/forllm.yaml, checked against the known keys and flattened to `dotted.key → string`.
///
/// Backends, a list of mappings in the file, become `backends.<index>.<key>`, so that
/// `FORLLM_BACKENDS_0_URL` can override the first backend's URL like any other key.
struct ConfigFile: Sendable {
    /// Every scalar of the file under its dotted key.
    var values: [String: String]
    /// How many entries `backends:` has (0 when absent).
    var backendCount: Int

    /// The keys each section accepts. A key outside these is an error, so that a typo
    /// (`sever:`) is reported instead of silently ignored.
    static let serverKeys: Set<String> = [
        "listen", "hostname", "max_article_bytes", "max_article_age_days", "max_connections",
        "idle_timeout_seconds", "auth",
    ]
    static let authKeys: Set<String> = ["user", "password_env"]
    static let topKeys: Set<String> = ["server", "database", "log_level", "llm", "backends"]
    static let llmKeys: Set<String> = [
        "default_backend", "default_model", "context_chars", "max_attempts", "retry_delay_seconds", "unreachable_wait_seconds",
        "max_persona_turns", "poll_interval_seconds", "keep_alive", "max_context_tokens", "temperature",
        "max_answer_tokens",
    ]
    static let backendKeys: Set<String> = [
        "name", "type", "url", "timeout_seconds", "concurrency", "api_key_env", "fallback",
        "fallback_after_seconds", "keep_alive", "max_context_tokens",
    ]

    static let empty = ConfigFile(values: [:], backendCount: 0)

    /// Reads and checks the file at `path`.
    static func load(path: String) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: path, problem: "cannot read the configuration file (\(Self.reason(error)))")
        }
        return try Self.parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> ConfigFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(key: path, problem: "not valid YAML: \(Self.oneLine(error))")
        }
        guard let root else { return .empty }
        guard let top = root.mapping else {
            throw ConfigurationError(key: path, problem: "the file must be a mapping of keys such as server:, llm:")
        }
        var file = ConfigFile.empty
        for (keyNode, value) in top {
            let key = try Self.keyString(keyNode, path: "")
            switch key {
            case "server":
                try file.addMapping(value, at: "server", allowed: Self.serverKeys) { file, key, value in
                    guard key == "auth" else { return false }
                    try file.addMapping(value, at: "server.auth", allowed: Self.authKeys, nested: nil)
                    return true
                }
            case "llm":
                try file.addMapping(value, at: "llm", allowed: Self.llmKeys, nested: nil)
            case "backends":
                if value.scalar?.string == "" || value.scalar?.string == "null" { continue }
                guard let list = value.sequence else {
                    throw ConfigurationError(key: "backends", problem: "must be a list of backends (- name: ...)")
                }
                for (index, entry) in list.enumerated() {
                    try file.addMapping(entry, at: "backends.\(index)", allowed: Self.backendKeys, nested: nil)
                }
                file.backendCount = list.count
            case "database", "log_level":
                file.values[key] = try Self.scalarString(value, key: key)
            default:
                throw ConfigurationError(
                    key: key,
                    problem: "unknown key (known: \(Self.topKeys.sorted().joined(separator: ", ")))"
                )
            }
        }
        return file
    }

    private mutating func addMapping(
        _ node: Node,
        at prefix: String,
        allowed: Set<String>,
        nested: ((inout ConfigFile, String, Node) throws -> Bool)?
    ) throws {
        if node.scalar?.string == "" || node.scalar?.string == "null" { return }
        guard let mapping = node.mapping else {
            throw ConfigurationError(key: Self.display(prefix), problem: "must be a mapping of keys")
        }
        for (keyNode, value) in mapping {
            let key = try Self.keyString(keyNode, path: prefix)
            let full = "\(prefix).\(key)"
            guard allowed.contains(key) else {
                throw ConfigurationError(
                    key: Self.display(full),
                    problem: "unknown key (known: \(allowed.sorted().joined(separator: ", ")))"
                )
            }
            if let nested, try nested(&self, key, value) { continue }
            self.values[full] = try Self.scalarString(value, key: full)
        }
    }

    private static func keyString(_ node: Node, path: String) throws -> String {
        guard let key = node.scalar?.string else {
            throw ConfigurationError(key: path.isEmpty ? "(top level)" : Self.display(path), problem: "keys must be plain words")
        }
        return key
    }

    private static func scalarString(_ node: Node, key: String) throws -> String {
        guard let scalar = node.scalar else {
            throw ConfigurationError(key: Self.display(key), problem: "must be a single value, not a list or mapping")
        }
        return scalar.string
    }

    /// `backends.1.url` → `backends[1].url`, as a person reads the file.
    static func display(_ key: String) -> String {
        var parts = key.split(separator: ".").map(String.init)
        if parts.count >= 2, parts[0] == "backends", Int(parts[1]) != nil {
            parts[0] = "backends[\(parts[1])]"
            parts.remove(at: 1)
        }
        return parts.joined(separator: ".")
    }

    /// Yams describes a syntax error over several lines, with the offending line and a caret;
    /// the configuration error is one line: where, and what is wrong.
    static func oneLine(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line): duplicate key \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)".split(whereSeparator: \.isNewline).joined(separator: "; ")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            let message = String(validatingCString: strerror(Int32(underlying.code)))
        {
            return message
        }
        return nsError.localizedDescription
    }
}
