import Foundation
import GRDB

extension ForumDatabase {
    /// Persona `id`, retired or not.
    public func persona(id: Int64) async throws -> Persona? {
        try await self.writer.read { db in
            try Persona.fetchOne(db, sql: "SELECT * FROM persona WHERE id = ?", arguments: [id])
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
                    ORDER BY p.name
                    """,
                arguments: [name]
            )
        }
    }
}
