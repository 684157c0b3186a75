import Foundation

/// `llm.vision_models`: which models can see images, overriding what the server says.
///
/// ```
/// llm.vision_models: "llava*, qwen2.5vl:7b, !llama3.2*"
/// ```
/// A comma-separated list of model names; `*` matches any run of characters; a name with a
/// leading `!` cannot see. The first entry that matches decides; a name without a tag also
/// matches its `:latest`. When none matches, Ollama's `/api/show` `capabilities` decide (a
/// model sees when they contain `vision`); for an OpenAI-compatible server, which cannot be
/// asked, a model that no entry names cannot see.
public struct VisionModels: Hashable, Sendable, CustomStringConvertible {
    /// One entry: a name pattern and whether the models it matches see.
    public struct Entry: Hashable, Sendable {
        public var pattern: String
        public var sees: Bool
    }

    public var entries: [Entry]

    /// No overrides: the server decides.
    public init() {
        self.entries = []
    }

    /// Parses the key's value (see the type); entries ``problem(in:)`` objects to are skipped.
    public init(parsing text: String) {
        self.entries = Self.items(text).compactMap { item in
            item.problem == nil ? Entry(pattern: item.name, sees: item.sees) : nil
        }
    }

    /// What is wrong with a value for the key, for the configuration's error; `nil` when it is good.
    public static func problem(in text: String) -> String? {
        Self.items(text).lazy.compactMap(\.problem).first
    }

    private static func items(_ text: String) -> [(name: String, sees: Bool, problem: String?)] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return [] }
        return trimmed.split(separator: ",", omittingEmptySubsequences: false).map { item in
            var name = item.trimmingCharacters(in: .whitespaces)
            let sees = !name.hasPrefix("!")
            if !sees { name = name.dropFirst().trimmingCharacters(in: .whitespaces) }
            if name.isEmpty { return (name, sees, "an empty model name in '\(text)'") }
            if name.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" || $0 == "!" || $0.value < 0x20 }) {
                return (name, sees, "'\(name)' is not a model name (separate names with commas)")
            }
            return (name, sees, nil)
        }
    }

    /// Whether `model` sees as far as the list says; `nil` when no entry matches.
    public func sees(_ model: String) -> Bool? {
        for entry in self.entries where Self.matches(entry.pattern, model) {
            return entry.sees
        }
        return nil
    }

    /// The value as written in the configuration.
    public var description: String {
        self.entries.map { ($0.sees ? "" : "!") + $0.pattern }.joined(separator: ", ")
    }

    static func matches(_ pattern: String, _ model: String) -> Bool {
        if Self.glob(Array(pattern.unicodeScalars)[...], Array(model.unicodeScalars)[...]) { return true }
        if model.hasSuffix(":latest") {
            return Self.glob(Array(pattern.unicodeScalars)[...], Array(model.dropLast(7).unicodeScalars)[...])
        }
        if !model.contains(":") {
            return Self.glob(Array(pattern.unicodeScalars)[...], Array((model + ":latest").unicodeScalars)[...])
        }
        return false
    }

    /// `*` matches any run (iterative, so a long pattern cannot explode).
    private static func glob(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: Int?
        var resume = t
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == "*" {
                star = p
                p += 1
                resume = t
            } else if p < pattern.endIndex, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let starIndex = star {
                p = starIndex + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }
}
