import Foundation
import GRDB

extension ForumDatabase {
    /// The group where persona cards are posted and where posts create or edit personas.
    public static let personasGroupName = "forllm.personas"

    // MARK: - Reading

    /// Persona `id`, retired or not.
    public func persona(id: Int64) async throws -> Persona? {
        try await self.writer.read { db in
            try Persona.fetchOne(db, key: id)
        }
    }

    /// The active persona with handle or name `text` (case-insensitive).
    public func persona(named text: String) async throws -> Persona? {
        try await self.writer.read { db in try StoreTransaction(db).activePersona(handleOrName: text) }
    }

    /// Every persona, by name; retired ones only when asked.
    public func personas(includingRetired: Bool = false) async throws -> [Persona] {
        try await self.writer.read { db in
            var personas = Persona.order(Persona.Columns.nameKey)
            if !includingRetired {
                personas = personas.filter(Persona.Columns.retiredAt == nil)
            }
            return try personas.fetchAll(db)
        }
    }

    /// A persona with its assignments.
    public func personaDetails(_ text: String) async throws -> PersonaDetails {
        try await self.writer.read { db in
            let transaction = StoreTransaction(db)
            return try transaction.details(of: transaction.requirePersona(text))
        }
    }

    /// The active personas assigned to group `name`, by name.
    public func personas(assignedTo name: String) async throws -> [Persona] {
        try await self.writer.read { db in
            try Persona.fetchAll(
                db,
                sql: """
                    SELECT p.* FROM persona p
                    JOIN group_persona gp ON gp.persona_id = p.id
                    JOIN newsgroup g ON g.id = gp.group_id
                    WHERE g.name = ? AND g.removed_at IS NULL AND p.retired_at IS NULL
                    ORDER BY p.name_key
                    """,
                arguments: [name]
            )
        }
    }

    /// Every version of a persona, oldest first.
    public func personaHistory(_ text: String) async throws -> [PersonaVersion] {
        try await self.writer.read { db in
            let persona = try StoreTransaction(db).requirePersona(text, includingRetired: true)
            return try PersonaVersion.fetchAll(
                db,
                sql: "SELECT * FROM persona_version WHERE persona_id = ? ORDER BY version",
                arguments: [persona.id]
            )
        }
    }

    /// The global default persona (what answers when neither request nor group names one).
    public func globalDefaultPersona() async throws -> Persona? {
        try await self.writer.read { db in
            let transaction = StoreTransaction(db)
            guard let id = try transaction.globalDefaultPersonaID() else {
                return try transaction.activePersona(handle: Persona.builtinHandle)
            }
            return try transaction.activePersona(id: id) ?? transaction.activePersona(handle: Persona.builtinHandle)
        }
    }
}
