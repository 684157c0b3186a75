import Foundation
import GRDB
import NewsArticle

extension ForumDatabase {
    /// Posts a persona's card to `forllm.personas`, superseding (and removing) its previous
    /// card, and remembers it on the persona's current version. Does nothing when the group
    /// was removed.
    func postCard(for persona: Persona, by author: String, change: String, now: Date, _ db: Database) throws {
        guard try GroupRow.fetch(name: Self.personasGroupName, db) != nil else { return }
        let details = try self.details(of: persona, db)
        let previous = try String.fetchOne(
            db,
            sql: """
                SELECT article_message_id FROM persona_version
                WHERE persona_id = ? AND article_message_id IS NOT NULL ORDER BY version DESC LIMIT 1
                """,
            arguments: [persona.id]
        )
        let hostname = self.configuration.hostname
        var headers: [(name: String, value: String)] = [
            ("X-FORLLM-Persona", "\(persona.handle) (version \(persona.version))")
        ]
        if let previous { headers.append(("Supersedes", previous)) }
        let stamp = ISO8601DateFormatter().string(from: now)
        var subject = "\(persona.name) (@\(persona.handle))"
        if persona.retiredAt != nil { subject += " [deleted]" }
        let text = PersonaCard(
            name: persona.name,
            handle: persona.handle,
            model: persona.model,
            groups: details.groups,
            defaultFor: details.defaultFor,
            instructions: persona.instructions
        ).text + """


            -- 
            Version \(persona.version) (\(change); by \(author), \(stamp))\(persona.retiredAt != nil ? ", deleted" : "")
            To change it, post to \(Self.personasGroupName) with the Subject "persona: \(persona.name)" and
            the lines you want changed; see `forllm persona --help`.
            """
        let card = try ArticleDraft(
            from: Mailbox(displayName: "FORLLM", address: "forllm@\(hostname)"),
            newsgroups: [Self.personasGroupName],
            subject: subject,
            messageID: MessageID.generate(domain: hostname),
            date: now,
            extraHeaders: headers,
            text: text,
            flowed: false
        ).build()
        let injected = try self.insert(try self.prepare(card, origin: .system, now: now), origin: .system, now: now, db)
        if let previous {
            try self.deleteArticle(messageID: previous, db)
        }
        try db.execute(
            sql: "UPDATE persona_version SET article_message_id = ? WHERE persona_id = ? AND version = ?",
            arguments: [injected.messageID.value, persona.id, persona.version]
        )
    }

    /// Removes an article from every group (its numbers are never reused).
    func deleteArticle(messageID: String, _ db: Database) throws {
        guard
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM article WHERE message_id = ?", arguments: [messageID])
        else { return }
        try self.deleteArticle(id: id, db)
    }

    /// Removes the article with row id `id` from every group (its numbers are never reused).
    func deleteArticle(id: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE newsgroup SET article_count = article_count - 1
                WHERE id IN (SELECT group_id FROM group_article WHERE article_id = ?)
                """,
            arguments: [id]
        )
        try db.execute(sql: "DELETE FROM group_article WHERE article_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM article WHERE id = ?", arguments: [id])
    }
}

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
        name: String? = nil, handle: String? = nil, model: String?? = nil, groups: [String]? = nil,
        defaultFor: [String]? = nil, instructions: String? = nil
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
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
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
                throw StoreError(
                    .invalidInput,
                    "line '\(line)' is not 'Key: value'; start with the keys (\(Self.keys.joined(separator: ", "))), "
                        + "then a blank line, then the instructions"
                )
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard let known = (Self.keys + ["Version"]).first(where: { $0.lowercased() == key.lowercased() }) else {
                throw StoreError(.invalidInput, "unknown key '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
            }
            guard seen.insert(known).inserted else {
                throw StoreError(.invalidInput, "key '\(known)' is given twice")
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
