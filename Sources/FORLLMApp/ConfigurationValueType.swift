import FORLLMWorker
import Foundation
import Logging

/// The kind of value a configuration key holds: how its text is checked and converted, and how
/// a value is written back in conf/forllm.yaml.
///
/// Every problem is a ``ConfigurationError`` naming the key, so that `forllm` can stop with one
/// line and exit status 78.
struct ConfigurationValueType<Value>: Sendable {
    /// The README's type column: `integer 1–100`, `word`, `URL`.
    let name: String
    /// Converts the text (trimmed of spaces) of the key `key`, as a person writes it
    /// (`backends[1].url`).
    let parse: @Sendable (_ text: String, _ key: String) throws(ConfigurationError) -> Value
    /// The value as conf/forllm.yaml writes it.
    let format: @Sendable (Value) -> String

    /// The same text read as another type: a whole number of seconds as a `Duration`.
    func map<Other>(
        _ transform: @escaping @Sendable (Value) -> Other,
        back: @escaping @Sendable (Other) -> Value
    ) -> ConfigurationValueType<Other> {
        let parse = self.parse
        let format = self.format
        return ConfigurationValueType<Other>(
            name: self.name,
            parse: { text, key throws(ConfigurationError) in transform(try parse(text, key)) },
            format: { format(back($0)) }
        )
    }
}

// MARK: - Numbers

extension ConfigurationValueType where Value == Int {
    /// A whole number in `range`.
    static func integer(_ range: ClosedRange<Int>) -> Self {
        Self(
            name: "integer \(range.lowerBound)–\(range.upperBound)",
            parse: { text, key throws(ConfigurationError) in
                guard let value = Int(text), range.contains(value) else {
                    throw ConfigurationError(
                        key: key,
                        problem: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
                    )
                }
                return value
            },
            format: { String($0) }
        )
    }
}

extension ConfigurationValueType where Value == Bool {
    /// `true` or `false` (also `yes`/`no`, `on`/`off`, as YAML 1.1 and environment variables
    /// write them).
    static var boolean: Self {
        Self(
            name: "true or false",
            parse: { text, key throws(ConfigurationError) in
                switch text.lowercased() {
                case "true", "yes", "on", "1": return true
                case "false", "no", "off", "0": return false
                default: throw ConfigurationError(key: key, problem: "'\(text)' is neither true nor false")
                }
            },
            format: { $0 ? "true" : "false" }
        )
    }
}

extension ConfigurationValueType where Value == Duration {
    /// A whole number of seconds in `range`.
    static func seconds(_ range: ClosedRange<Int>) -> Self {
        ConfigurationValueType<Int>.integer(range).map({ .seconds($0) }, back: { Int($0.components.seconds) })
    }
}

extension ConfigurationValueType where Value == TimeInterval {
    /// A whole number of days in `range`, as a `TimeInterval`.
    static func days(_ range: ClosedRange<Int>) -> Self {
        ConfigurationValueType<Int>.integer(range).map({ TimeInterval($0) * 86_400 }, back: { Int($0 / 86_400) })
    }
}

extension ConfigurationValueType where Value == Duration {
    /// A number of seconds in `range`, fractions allowed (`0.05`).
    static func fractionalSeconds(_ range: ClosedRange<Double>) -> Self {
        ConfigurationValueType<Double>.number(range).map(
            { .milliseconds(Int64(($0 * 1000).rounded())) },
            back: { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        )
    }
}

extension ConfigurationValueType where Value == Double {
    /// A number in `range`.
    static func number(_ range: ClosedRange<Double>) -> Self {
        Self(
            name: "number \(Self.text(range.lowerBound))–\(Self.text(range.upperBound))",
            parse: { text, key throws(ConfigurationError) in
                guard let value = Double(text), range.contains(value) else {
                    throw ConfigurationError(
                        key: key,
                        problem: "'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)"
                    )
                }
                return value
            },
            format: { Self.text($0) }
        )
    }

    /// `5`, not `5.0`, for whole numbers.
    private static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int(value))
        }
        return String(value)
    }
}

// MARK: - Text

extension ConfigurationValueType where Value == String {
    /// Any text, also empty.
    static var text: Self {
        Self(name: "text", parse: { text, _ in text }, format: { $0 })
    }

    /// A file name: not empty.
    static var file: Self {
        Self(
            name: "file name",
            parse: { text, key throws(ConfigurationError) in
                guard !text.isEmpty else { throw ConfigurationError(key: key, problem: "must name a file") }
                return text
            },
            format: { $0 }
        )
    }

    /// A single word: not empty, no white space.
    static var word: Self {
        Self(
            name: "word",
            parse: { text, key throws(ConfigurationError) in
                guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
                    throw ConfigurationError(key: key, problem: "'\(text)' must be one word without spaces")
                }
                return text
            },
            format: { $0 }
        )
    }

    /// A domain name with at least one dot, lower-cased.
    static var hostname: Self {
        Self(
            name: "domain name",
            parse: { text, key throws(ConfigurationError) in
                let labels = text.split(separator: ".", omittingEmptySubsequences: false)
                let valid =
                    !text.isEmpty && text.count <= 253 && labels.count >= 2
                    && labels.allSatisfy { label in
                        !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                            && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
                    }
                guard valid else {
                    throw ConfigurationError(
                        key: key,
                        problem: "'\(text)' is not a domain name with a dot, like forllm.local "
                            + "(newsreaders such as tin need the dot)"
                    )
                }
                return text.lowercased()
            },
            format: { $0 }
        )
    }
}

// MARK: - Choices

extension ConfigurationValueType where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of the enumeration's raw values, in any case; a bad one is refused naming them all
    /// (`'x' is not a NOUN (a, b, c)`). `name` is the type's name in the key table; the choices
    /// in backticks by default.
    static func choice(of noun: String, name: String? = nil) -> Self {
        let all = Value.allCases.map(\.rawValue)
        return Self(
            name: name ?? all.map { "`\($0)`" }.joined(separator: " or "),
            parse: { text, key throws(ConfigurationError) in
                guard let value = Value(rawValue: text.lowercased()) else {
                    throw ConfigurationError(
                        key: key,
                        problem: "'\(text)' is not a \(noun) (\(all.joined(separator: ", ")))"
                    )
                }
                return value
            },
            format: { $0.rawValue }
        )
    }
}

extension ConfigurationValueType where Value == Logger.Level {
    /// `trace` … `critical`, in any case.
    static var logLevel: Self { .choice(of: "level", name: "log level") }
}

extension ConfigurationValueType where Value == LLMBackendConfiguration.BackendType {
    /// `ollama` or `openai`, in any case.
    static var backendType: Self { .choice(of: "backend type") }
}

extension ConfigurationValueType where Value == QueueOrder.Policy {
    /// `hardware` or `fifo`, in any case.
    static var queueOrder: Self { .choice(of: "queue order") }
}

// MARK: - Addresses

extension ConfigurationValueType where Value == URL {
    /// An `http://` or `https://` URL with a host; one trailing `/` is dropped.
    static var url: Self {
        Self(
            name: "URL",
            parse: { text, key throws(ConfigurationError) in
                let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
                guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
                    scheme == "http" || scheme == "https", url.host != nil
                else {
                    throw ConfigurationError(key: key, problem: "'\(text)' is not an http:// or https:// URL")
                }
                return url
            },
            format: { $0.absoluteString }
        )
    }
}
