import Foundation
import GRDB

/// One version of a persona: what it was after a change.
public struct PersonaVersion: Hashable, Sendable {
    public var personaID: Int64
    public var version: Int
    public var name: String
    public var handle: String
    public var instructions: String
    public var model: String?
    public var changedAt: Date
    /// Who made the change: a user name, an address, or `forllm`.
    public var changedBy: String
    /// What changed, for a person ("created", "instructions, model", "reverted to version 2").
    public var change: String
    /// The persona card posted to `forllm.personas` for this version.
    public var articleMessageID: String?
}

extension PersonaVersion: FetchableRecord {
    public init(row: Row) throws {
        self.personaID = row["persona_id"]
        self.version = row["version"]
        self.name = row["name"]
        self.handle = row["handle"]
        self.instructions = row["instructions"]
        self.model = row["model"]
        self.changedAt = Date(timeIntervalSince1970: row["changed_at"])
        self.changedBy = row["changed_by"]
        self.change = row["change"]
        self.articleMessageID = row["article_message_id"]
    }
}
