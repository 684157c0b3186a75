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

extension PersonaVersion: Codable, FetchableRecord {
    /// The columns of `persona_version` (dates as Unix time, `REAL`, as every table stores them).
    enum CodingKeys: String, CodingKey {
        case personaID = "persona_id"
        case version
        case name
        case handle
        case instructions
        case model
        case changedAt = "changed_at"
        case changedBy = "changed_by"
        case change
        case articleMessageID = "article_message_id"
    }
}
