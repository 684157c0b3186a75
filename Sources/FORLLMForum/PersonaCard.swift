import Foundation

/// The `Key: value` form of a persona, shown on its card and accepted in posts to
/// `forllm.personas`:
///
/// ```
/// Name: Chef Anna
/// Handle: chef
/// Model: llama3.2
/// Groups: forllm.cooking, forllm.general
/// Default-For: forllm.cooking
///
/// You are Chef Anna, a cook who ...
/// ```
public struct PersonaCard: Hashable, Sendable {
    public var name: String?
    public var handle: String?
    /// `.some(nil)`: the card says no preferred model.
    public var model: String??
    public var groups: [String]?
    public var defaultFor: [String]?
    public var instructions: String?

    public init(
        name: String? = nil,
        handle: String? = nil,
        model: String?? = nil,
        groups: [String]? = nil,
        defaultFor: [String]? = nil,
        instructions: String? = nil
    ) {
        self.name = name
        self.handle = handle
        self.model = model
        self.groups = groups
        self.defaultFor = defaultFor
        self.instructions = instructions
    }

    /// The keys a card may carry.
    public static let keys = ["Name", "Handle", "Model", "Groups", "Default-For"]

    /// The card as text.
    public var text: String {
        var lines: [String] = []
        if let name { lines.append("Name: \(name)") }
        if let handle { lines.append("Handle: \(handle)") }
        if let model { lines.append("Model: \(model ?? "(default)")") }
        if let groups { lines.append("Groups: \(groups.joined(separator: ", "))") }
        if let defaultFor { lines.append("Default-For: \(defaultFor.joined(separator: ", "))") }
        return lines.joined(separator: "\n") + "\n\n" + (self.instructions ?? "")
    }

    /// Parses the body of a post to `forllm.personas`: `Key: value` lines up to the first
    /// blank line, then the instructions (up to a signature). Throws with what is wrong.
    public init(parsing text: String) throws {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        .map(String.init)
        if let signature = lines.lastIndex(of: "-- ") { lines.removeSubrange(signature...) }
        var index = 0
        while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
        var card = PersonaCard()
        var seen: Set<String> = []
        while index < lines.count {
            let line = lines[index]
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else {
                throw ForumError(
                    .invalidInput,
                    "line '\(line)' is not 'Key: value'; start with the keys (\(Self.keys.joined(separator: ", "))), "
                        + "then a blank line, then the instructions"
                )
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard let known = (Self.keys + ["Version"]).first(where: { $0.lowercased() == key.lowercased() }) else {
                throw ForumError(.invalidInput, "unknown key '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
            }
            guard seen.insert(known).inserted else {
                throw ForumError(.invalidInput, "key '\(known)' is given twice")
            }
            switch known {
            case "Name": card.name = value
            case "Handle": card.handle = value.hasPrefix("@") ? String(value.dropFirst()) : value
            case "Model":
                let cleared = ["", "none", "default", "(default)", "-"].contains(value.lowercased())
                card.model = .some(cleared ? nil : value)
            case "Groups": card.groups = Self.list(value)
            case "Default-For": card.defaultFor = Self.list(value)
            default: break  // Version: shown on cards, ignored in posts
            }
            index += 1
        }
        let instructions = lines[min(index, lines.count)...].joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        card.instructions = instructions.isEmpty ? nil : instructions
        self = card
    }

    static func list(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }
}
