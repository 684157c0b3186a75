import Foundation
import GRDB

/// How a group treats LLM answers.
public enum GroupMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// Every user article gets an answer from the group's default persona.
    case auto
    /// Only articles that ask (`X-FORLLM-Request`, `@handle`) get answers.
    case request
    /// Plain news: no answers at all.
    case off
}

/// A newsgroup as stored.
public struct Newsgroup: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var description: String
    public var mode: GroupMode
    public var postingAllowed: Bool
    public var createdAt: Date
    public var creator: String
    /// The highest number ever assigned here; never decreases.
    public var lastNumber: Int64
    /// Articles present.
    public var articleCount: Int64
    /// The lowest number present, or `lastNumber + 1` when the group is empty (always ≥ 1).
    public var lowNumber: Int64
    public var defaultPersonaID: Int64?
    public var defaultModel: String?
    public var defaultBackend: String?
    /// Whether its personas go on answering each other on their own (`group edit --debate`).
    public var debate: Bool = false
}

extension Newsgroup: FetchableRecord {
    /// Decodes the columns of ``Newsgroup/selectSQL``.
    public init(row: Row) throws {
        self.id = row["id"]
        self.name = row["name"]
        self.description = row["description"]
        self.mode = try GroupMode(stored: row["mode"], column: "newsgroup.mode")
        self.postingAllowed = row["posting_allowed"]
        self.createdAt = Date(timeIntervalSince1970: row["created_at"])
        self.creator = row["creator"]
        self.lastNumber = row["last_number"]
        self.articleCount = row["article_count"]
        let low: Int64? = row["low_number"]
        self.lowNumber = low ?? (self.lastNumber + 1)
        self.defaultPersonaID = row["default_persona_id"]
        self.defaultModel = row["default_model"]
        self.defaultBackend = row["default_backend"]
        self.debate = row["debate"] ?? false
    }

    /// Columns for ``init(row:)``, with the low water mark found by one index lookup.
    static let selectSQL = """
        SELECT g.*, (SELECT MIN(number) FROM group_article WHERE group_id = g.id) AS low_number
        FROM newsgroup g
        """
}
