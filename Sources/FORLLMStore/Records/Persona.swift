import Foundation
import GRDB

/// An LLM participant of the forum.
public struct Persona: Hashable, Sendable {
    public var id: Int64
    /// `[a-z0-9-]+`, unique; used in `@handle` mentions and in the persona's address.
    public var handle: String
    /// Display name, unique (case-insensitively) among the active personas.
    public var name: String
    /// The system prompt.
    public var instructions: String
    /// Preferred model, if any.
    public var model: String?
    /// Current version; every edit adds one.
    public var version: Int
    /// The built-in `Assistant`.
    public var builtin: Bool
    public var createdAt: Date
    /// Set when the persona was deleted: it takes no new requests, its history stays.
    public var retiredAt: Date?

    /// The built-in persona's handle.
    public static let builtinHandle = "assistant"

    /// The address personas write from: `handle@personas.HOSTNAME`.
    public func address(hostname: String) -> String {
        "\(self.handle)@personas.\(hostname)"
    }
}

extension Persona: FetchableRecord {
    public init(row: Row) throws {
        self.id = row["id"]
        self.handle = row["handle"]
        self.name = row["name"]
        self.instructions = row["instructions"]
        self.model = row["model"]
        self.version = row["version"]
        self.builtin = row["builtin"]
        self.createdAt = Date(timeIntervalSince1970: row["created_at"])
        let retired: Double? = row["retired_at"]
        self.retiredAt = retired.map { Date(timeIntervalSince1970: $0) }
    }
}
