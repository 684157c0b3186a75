import FORLLMForum
import Foundation
import Yams

// `hooks:`, a list of mappings like `backends:`, whose `run` is itself a list (the argv). The
// file flattens it to `hooks.<i>.on`, `hooks.<i>.run.<j>`, `hooks.<i>.timeout`, so that the
// environment can override a value (`FORLLM_HOOKS_0_TIMEOUT`) as it does any other key;
// swift-configuration's model is scalars under dotted keys, and a list of objects fits it only
// this way, as `backends:` does.

extension ConfigurationKeys {
    /// The list of commands run on the forum's events.
    static let hooks = "hooks"

    /// The keys of one `hooks:` entry: name, type, meaning.
    static let hookEntry: [(name: String, type: String, meaning: String)] = [
        ("on", "`answer`, `failed` or `posted`", "the event the command runs on"),
        ("run", "list of words", "the program and its arguments (no shell), the event as JSON on stdin"),
        ("timeout", "seconds (1-3600)", "killed after it; default 30")
    ]

    /// The README's rows of `hooks[].*`.
    static var hookRows: [String] {
        Self.hookEntry.map { key in
            "| `\(Self.hooks)[].\(key.name)` | \(key.type) | \(key.name == "on" || key.name == "run" ? "none" : "`30`") "
                + "| \(key.meaning) |"
        }
    }

    /// conf/forllm.yaml's `hooks:` section: none by default, an example commented out.
    static func hooksSection() -> [String] {
        [
            "",
            "# Commands run on the forum's events, each with the event as JSON on stdin: on `answer` (a",
            "# persona's answer was stored), `failed` (a request failed for good) or `posted` (a user",
            "# posted). Each runs off the worker's path (at most 2 at once, 64 waiting; more are",
            "# dropped with a log line), is killed after `timeout` seconds (default 30), and its output",
            "# and failures are logged; a hook never holds up or fails a request.",
            "\(Self.hooks): []",
            "  # - on: answer",
            "  #   run: [notify-send, FORLLM, \"an answer arrived\"]",
            "  #   timeout: 30"
        ]
    }
}

extension ConfigFile {
    /// `hooks:`, a list of mappings of `on`, `run` (a list of words, or one word) and
    /// `timeout`, flattened to `hooks.<index>.<key>` and `hooks.<index>.run.<word>`.
    mutating func addHooks(_ node: Node) throws {
        if Self.isEmpty(node) { return }
        guard let list = node.sequence else {
            throw ConfigurationError(key: ConfigurationKeys.hooks, problem: "must be a list of hooks (- on: ...)")
        }
        let allowed = ConfigurationKeys.hookEntry.map(\.name)
        var runCounts: [Int] = []
        for (index, entry) in list.enumerated() {
            let prefix = "\(ConfigurationKeys.hooks).\(index)"
            guard let mapping = entry.mapping else {
                throw ConfigurationError(key: Self.display(prefix), problem: "must be a mapping of on:, run:, timeout:")
            }
            var words = 0
            for (keyNode, value) in mapping {
                let key = try Self.keyString(keyNode, path: prefix)
                let full = "\(prefix).\(key)"
                guard allowed.contains(key) else {
                    throw ConfigurationError(
                        key: Self.display(full),
                        problem: "unknown key (known: \(allowed.sorted().joined(separator: ", ")))"
                    )
                }
                if key == "run", let sequence = value.sequence {
                    for (word, node) in sequence.enumerated() {
                        self.values["\(full).\(word)"] = try Self.scalarString(node, key: "\(full)[\(word)]")
                    }
                    words = sequence.count
                } else if key == "run" {
                    self.values["\(full).0"] = try Self.scalarString(value, key: full)
                    words = 1
                } else {
                    self.values[full] = try Self.scalarString(value, key: full)
                }
            }
            runCounts.append(words)
        }
        self.hookRunCounts = runCounts
    }
}

extension FORLLMConfiguration {
    /// The `hooks:` entries, each checked: an event FORLLM knows, a command, a time limit.
    static func readHooks(
        runCounts: [Int],
        values: ConfigurationValues
    ) throws(ConfigurationError) -> [HookConfiguration] {
        var hooks: [HookConfiguration] = []
        for (index, count) in runCounts.enumerated() {
            let prefix = "\(ConfigurationKeys.hooks)[\(index)]"
            let key = "\(ConfigurationKeys.hooks).\(index)"
            let known = ForumEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            guard let on = values.string("\(key).on") else {
                throw ConfigurationError(key: "\(prefix).on", problem: "every hook needs an event (one of: \(known))")
            }
            guard let event = ForumEvent.Kind(rawValue: on) else {
                throw ConfigurationError(key: "\(prefix).on", problem: "'\(on)' is not an event (one of: \(known))")
            }
            let run = (0..<count).compactMap { values.string("\(key).run.\($0)") }
            guard let program = run.first, !program.isEmpty else {
                throw ConfigurationError(
                    key: "\(prefix).run",
                    problem: "every hook needs a command, as a list of words: [program, argument, ...]"
                )
            }
            var timeout = HookConfiguration.defaultTimeout
            if let text = values.string("\(key).timeout") {
                guard let seconds = Int(text), (1...3600).contains(seconds) else {
                    throw ConfigurationError(
                        key: "\(prefix).timeout",
                        problem: "'\(text)' is not a number of seconds from 1 to 3600"
                    )
                }
                timeout = .seconds(seconds)
            }
            hooks.append(HookConfiguration(on: event, run: run, timeout: timeout))
        }
        return hooks
    }
}
