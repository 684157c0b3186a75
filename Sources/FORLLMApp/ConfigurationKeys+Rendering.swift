import FORLLMWorker
import Foundation

// conf/forllm.yaml and the README's table, made from the key table; ConfigurationDocsTests
// compares both files with these.

extension ConfigurationKeys {
    /// conf/forllm.yaml: every key with its default and a comment, the unset ones commented out.
    static func defaultsFile() -> String {
        let defaults = FORLLMConfiguration()
        var lines = Self.header
        var open: [Substring] = []
        for key in Self.settings {
            let parts = key.name.split(separator: ".")
            let sections = parts.dropLast()
            let kept = zip(open, sections).prefix { $0 == $1 }.count
            open = Array(open.prefix(kept))
            if sections.isEmpty {
                lines.append("")
            }
            for depth in kept..<sections.count {
                if depth == 0 {
                    lines.append("")
                }
                open.append(sections[sections.startIndex + depth])
                let path = open.joined(separator: ".")
                lines += Self.comment(Self.sections[path] ?? [], indent: depth)
                lines.append(Self.indent(depth) + "\(open[depth]):")
            }
            lines += Self.entry(key, name: String(parts[parts.count - 1]), in: defaults, indent: sections.count)
        }

        lines.append("")
        lines += Self.comment(Self.sections[Self.backends] ?? [], indent: 0)
        lines.append("\(Self.backends):")
        for backend in defaults.backends {
            for (index, key) in Self.backendEntry.enumerated() {
                // The first key opens the list entry: its comment goes above the `- `.
                var entry = Self.entry(key, name: key.name, in: backend, indent: index == 0 ? 1 : 2)
                if index == 0, let last = entry.indices.last {
                    entry[last] = "  - " + entry[last].dropFirst(2)
                }
                lines += entry
            }
        }
        let openAI = LLMBackendConfiguration.defaultURL(for: .openai).absoluteString
        lines += Self.comment(
            [
                "A second backend: an OpenAI-compatible server whose API key is in the environment.",
                "- name: cpu-box",
                "  type: openai",
                "  url: \(openAI)",
                "  api_key_env: CPU_BOX_KEY"
            ],
            indent: 1
        )
        lines += Self.hooksSection()
        return lines.joined(separator: "\n") + "\n"
    }

    /// The README's table: key, type, default, meaning.
    static func keyTable() -> String {
        let defaults = FORLLMConfiguration()
        var rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
        for key in Self.settings {
            rows.append(Self.row(key, name: key.name, in: defaults))
        }
        if let backend = defaults.backends.first {
            for key in Self.backendEntry {
                rows.append(Self.row(key, name: "\(Self.backends)[].\(key.name)", in: backend))
            }
        }
        rows += Self.hookRows
        return rows.joined(separator: "\n") + "\n"
    }

    private static let header = [
        "# FORLLM configuration: every key, with its default.",
        "#",
        "# `forllm` reads this file when it is started from the directory that holds conf/ (as",
        "# `swift run forllm serve` is, from the repository), or from `--config PATH` or the",
        "# FORLLM_CONFIG environment variable. Without any file the defaults below apply.",
        "#",
        "# Precedence, highest first: command-line options (--listen, --database, --log-level),",
        "# FORLLM_* environment variables (server.listen -> FORLLM_SERVER_LISTEN,",
        "# backends[0].url -> FORLLM_BACKENDS_0_URL), this file, the defaults.",
        "#",
        "# A key that is unknown or a value that is wrong stops `forllm` with one line naming the key",
        "# and exit status 78, before anything starts. Secrets (API keys, the reader password) are never",
        "# written here: name the environment variable that holds them.",
        "#",
        "# `forllm config defaults` prints this file; `forllm config keys` prints the table of keys."
    ]

    /// The comment and the line of one key; the line commented out when the key is unset or
    /// takes another key's value.
    private static func entry<Root>(
        _ key: ConfigurationKey<Root>,
        name: String,
        in defaults: Root,
        indent: Int
    ) -> [String] {
        let value = key.value(defaults)
        var first = key.help.prefix(1).uppercased() + key.help.dropFirst()
        if let inherits = key.inherits {
            first += "; default: \(inherits)"
        } else if value == nil, key.unset != "none" {
            first += "; unset: \(key.unset)"
        }
        var lines = Self.comment([first + "."] + key.details, indent: indent)
        var line = Self.indent(indent)
        if key.inherits == nil, let value {
            line += "\(name): \(Self.yamlScalar(value))"
        } else if let shown = value ?? key.example {
            line += "# \(name): \(Self.yamlScalar(shown))"
        } else {
            line += "# \(name):"
        }
        // The type as a comment at the end of the line, aligned.
        let column = 38
        line += String(repeating: " ", count: max(column - line.count, 2))
        lines.append(line + "# " + key.type.filter { $0 != "`" })
        return lines
    }

    private static func row<Root>(_ key: ConfigurationKey<Root>, name: String, in defaults: Root) -> String {
        let value: String
        if let inherits = key.inherits {
            value = "`\(inherits)`"
        } else if let text = key.value(defaults) {
            value = "`\(text)`"
        } else {
            value = key.unset
        }
        return "| `\(name)` | \(key.type) | \(value) | \(key.help) |"
    }

    private static func comment(_ lines: [String], indent: Int) -> [String] {
        lines.map { Self.indent(indent) + "# " + $0 }
    }

    private static func indent(_ depth: Int) -> String {
        String(repeating: "  ", count: depth)
    }

    /// `value` as a YAML plain scalar, or double-quoted when plain would read differently.
    private static func yamlScalar(_ value: String) -> String {
        let special: Set<Character> = [
            "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", ",",
            "?", ":", "-"
        ]
        let plain =
            !value.isEmpty && !special.contains(value.first ?? " ") && !value.contains(": ") && !value.contains(" #")
            && value.trimmingCharacters(in: .whitespaces) == value
        if plain {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
