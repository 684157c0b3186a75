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
    /// How many words `run:` has in each `hooks:` entry (``ConfigFile/addHooks(_:)``).
    var hookRunCounts: [Int] = []

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
        guard root.mapping != nil else {
            throw ConfigurationError(key: path, problem: "the file must be a mapping of keys such as server:, llm:")
        }
        var file = ConfigFile.empty
        try file.addMapping(root, at: "")
        return file
    }

    /// Adds the keys of a mapping at `prefix` (`""` at the top), each checked against
    /// ``ConfigurationKeys``: a key outside the table is an error, so that a typo (`sever:`) is
    /// reported instead of silently ignored.
    private mutating func addMapping(_ node: Node, at prefix: String) throws {
        if Self.isEmpty(node) { return }
        guard let mapping = node.mapping else {
            throw ConfigurationError(key: Self.display(prefix), problem: "must be a mapping of keys")
        }
        for (keyNode, value) in mapping {
            let key = try Self.keyString(keyNode, path: prefix)
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch ConfigurationKeys.entry(at: full) {
            case .value:
                self.values[full] = try Self.scalarString(value, key: full)
            case .section:
                try self.addMapping(value, at: full)
            case .list:
                try self.addBackends(value)
            case .hooks:
                try self.addHooks(value)
            case nil:
                throw ConfigurationError(
                    key: Self.display(full),
                    problem: "unknown key (known: \(ConfigurationKeys.names(under: prefix).joined(separator: ", ")))"
                )
            }
        }
    }

    /// `backends:`, a list of mappings of ``ConfigurationKeys/backendEntry`` keys, flattened to
    /// `backends.<index>.<key>`.
    private mutating func addBackends(_ node: Node) throws {
        if Self.isEmpty(node) { return }
        guard let list = node.sequence else {
            throw ConfigurationError(
                key: ConfigurationKeys.backends,
                problem: "must be a list of backends (- name: ...)"
            )
        }
        let allowed = ConfigurationKeys.backendEntry.map(\.name)
        for (index, entry) in list.enumerated() {
            let prefix = "\(ConfigurationKeys.backends).\(index)"
            if Self.isEmpty(entry) { continue }
            guard let mapping = entry.mapping else {
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
                self.values[full] = try Self.scalarString(value, key: full)
            }
        }
        self.backendCount = list.count
    }

    /// An empty value (`server:` with nothing under it) stands for no keys.
    static func isEmpty(_ node: Node) -> Bool {
        node.scalar?.string == "" || node.scalar?.string == "null"
    }

    static func keyString(_ node: Node, path: String) throws -> String {
        guard let key = node.scalar?.string else {
            throw ConfigurationError(
                key: path.isEmpty ? "(top level)" : Self.display(path),
                problem: "keys must be plain words"
            )
        }
        return key
    }

    static func scalarString(_ node: Node, key: String) throws -> String {
        guard let scalar = node.scalar else {
            throw ConfigurationError(key: Self.display(key), problem: "must be a single value, not a list or mapping")
        }
        return scalar.string
    }

    /// `backends.1.url` → `backends[1].url`, as a person reads the file.
    static func display(_ key: String) -> String {
        var parts = key.split(separator: ".").map(String.init)
        if parts.count >= 2, parts[0] == "backends" || parts[0] == "hooks", Int(parts[1]) != nil {
            parts[0] = "\(parts[0])[\(parts[1])]"
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
