import Foundation
import GRDB
import NewsArticle

/// A persona with where it is assigned.
public struct PersonaDetails: Hashable, Sendable {
    public var persona: Persona
    /// Groups it is assigned to, by name.
    public var groups: [String]
    /// Groups whose default it is.
    public var defaultFor: [String]
    /// Whether it is the global default.
    public var isGlobalDefault: Bool
}

extension StoreTransaction {
    // MARK: - Finding personas

    /// Active persona `id`.
    public func activePersona(id: Int64) throws -> Persona? {
        try Persona.fetchOne(
            self.db.cachedStatement(sql: "SELECT * FROM persona WHERE id = ? AND retired_at IS NULL"),
            arguments: [id]
        )
    }

    /// The active persona with `handle` (case-insensitive).
    public func activePersona(handle: String) throws -> Persona? {
        try Persona.fetchOne(
            self.db,
            sql: "SELECT * FROM persona WHERE handle = ? AND retired_at IS NULL",
            arguments: [handle.lowercased()]
        )
    }

    /// A persona by handle, else by display name (case-insensitive).
    public func activePersona(handleOrName text: String) throws -> Persona? {
        if let persona = try self.activePersona(handle: text) { return persona }
        return try self.activePersona(nameKey: Persona.nameKey(text))
    }

    /// The active persona whose name folds to `nameKey`.
    public func activePersona(nameKey: String) throws -> Persona? {
        try Persona.fetchOne(
            self.db,
            sql: "SELECT * FROM persona WHERE name_key = ? AND retired_at IS NULL",
            arguments: [nameKey]
        )
    }

    /// The handles of the active personas, sorted.
    public func activeHandles() throws -> [String] {
        try String.fetchAll(self.db, sql: "SELECT handle FROM persona WHERE retired_at IS NULL ORDER BY handle")
    }

    /// Whether any persona, active or retired, ever had `handle` (handles are never reused).
    public func handleExists(_ handle: String) throws -> Bool {
        try Bool.fetchOne(self.db, sql: "SELECT EXISTS (SELECT 1 FROM persona WHERE handle = ?)", arguments: [handle])
            ?? false
    }

    /// The id of the global default persona, as set (it may have been retired since).
    public func globalDefaultPersonaID() throws -> Int64? {
        try String.fetchOne(self.db, sql: "SELECT value FROM setting WHERE key = 'default_persona_id'")
            .flatMap { Int64($0) }
    }

    /// The persona named `text` (handle or name); throws ``StoreError`` `.notFound` listing the
    /// personas there are.
    public func requirePersona(_ text: String, includingRetired: Bool = false) throws -> Persona {
        if let persona = try self.activePersona(handleOrName: text) { return persona }
        if includingRetired,
            let persona = try Persona.fetchOne(
                self.db,
                sql: "SELECT * FROM persona WHERE handle = ? OR name_key = ? ORDER BY retired_at DESC LIMIT 1",
                arguments: [text.lowercased(), Persona.nameKey(text)]
            )
        {
            return persona
        }
        let known = try String.fetchAll(
            self.db,
            sql: "SELECT name FROM persona WHERE retired_at IS NULL ORDER BY name_key"
        )
        throw StoreError(.notFound, "no persona named \(text) (personas: \(known.joined(separator: ", ")))")
    }

    /// Group `name`; throws ``StoreError`` `.notFound` when there is none.
    public func requireGroup(_ name: String) throws -> Newsgroup {
        try ForumDatabase.requireGroup(name, self.db)
    }

    /// A persona with its assignments.
    public func details(of persona: Persona) throws -> PersonaDetails {
        let groups = try String.fetchAll(
            self.db,
            sql: """
                SELECT g.name FROM group_persona gp JOIN newsgroup g ON g.id = gp.group_id
                WHERE gp.persona_id = ? AND g.removed_at IS NULL ORDER BY g.name
                """,
            arguments: [persona.id]
        )
        let defaults = try String.fetchAll(
            self.db,
            sql: "SELECT name FROM newsgroup WHERE default_persona_id = ? AND removed_at IS NULL ORDER BY name",
            arguments: [persona.id]
        )
        return PersonaDetails(
            persona: persona,
            groups: groups,
            defaultFor: defaults,
            isGlobalDefault: try self.globalDefaultPersonaID() == persona.id
        )
    }

    /// Version `version` of a persona.
    public func personaVersion(personaID: Int64, version: Int) throws -> PersonaVersion? {
        try PersonaVersion.fetchOne(
            self.db,
            sql: "SELECT * FROM persona_version WHERE persona_id = ? AND version = ?",
            arguments: [personaID, version]
        )
    }

    /// The active personas whose current version has no card yet.
    public func personasWithoutCard() throws -> [Persona] {
        try Persona.fetchAll(
            self.db,
            sql: """
                SELECT p.* FROM persona p JOIN persona_version v ON v.persona_id = p.id AND v.version = p.version
                WHERE p.retired_at IS NULL AND v.article_message_id IS NULL
                ORDER BY p.id
                """
        )
    }

    // MARK: - Changing personas

    /// Inserts a new persona at version 1 (without its version row: see ``insertVersion(of:by:change:now:)``).
    public func insertPersona(
        handle: String,
        name: String,
        instructions: String,
        model: String?,
        now: Date
    ) throws
        -> Persona
    {
        try self.db.execute(
            sql: """
                INSERT INTO persona (handle, name, name_key, instructions, model, version, builtin, created_at)
                VALUES (?, ?, ?, ?, ?, 1, 0, ?)
                """,
            arguments: [handle, name, Persona.nameKey(name), instructions, model, now.timeIntervalSince1970]
        )
        return try self.requirePersona(handle)
    }

    /// Stores the name, instructions, model and version of `persona`.
    public func updatePersona(_ persona: Persona) throws {
        try self.db.execute(
            sql: "UPDATE persona SET name = ?, name_key = ?, instructions = ?, model = ?, version = ? WHERE id = ?",
            arguments: [
                persona.name, Persona.nameKey(persona.name), persona.instructions, persona.model, persona.version,
                persona.id
            ]
        )
    }

    /// Records the current state of `persona` as its version `persona.version`.
    public func insertVersion(of persona: Persona, by author: String, change: String, now: Date) throws {
        try self.db.execute(
            sql: """
                INSERT INTO persona_version (persona_id, version, name, handle, instructions, model, changed_at,
                    changed_by, change)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                persona.id, persona.version, persona.name, persona.handle, persona.instructions, persona.model,
                now.timeIntervalSince1970, author, change
            ]
        )
    }

    /// Retires a persona: its pending requests are cancelled, it leaves every group and
    /// default.
    public func retirePersona(id: Int64, now: Date) throws {
        try self.db.execute(
            sql: "UPDATE persona SET retired_at = ? WHERE id = ?",
            arguments: [now.timeIntervalSince1970, id]
        )
        try self.db.execute(
            sql: """
                UPDATE request SET status = 'cancelled', error = 'persona deleted', finished_at = ?, updated_at = ?
                WHERE persona_id = ? AND status = 'pending'
                """,
            arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id]
        )
        try self.db.execute(sql: "DELETE FROM group_persona WHERE persona_id = ?", arguments: [id])
        try self.db.execute(
            sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE default_persona_id = ?",
            arguments: [id]
        )
        try self.db.execute(
            sql: "DELETE FROM setting WHERE key = 'default_persona_id' AND value = ?",
            arguments: [String(id)]
        )
    }

    /// Assigns a persona to a group, optionally as the group's default.
    public func assign(personaID: Int64, toGroup groupID: Int64, asDefault: Bool) throws {
        try self.db.execute(
            sql: "INSERT OR IGNORE INTO group_persona (group_id, persona_id) VALUES (?, ?)",
            arguments: [groupID, personaID]
        )
        if asDefault {
            try self.db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = ? WHERE id = ?",
                arguments: [personaID, groupID]
            )
        }
    }

    /// Removes a persona from a group and as its default.
    /// - Returns: `false` when it was neither.
    public func unassign(personaID: Int64, fromGroup groupID: Int64) throws -> Bool {
        try self.db.execute(
            sql: "DELETE FROM group_persona WHERE group_id = ? AND persona_id = ?",
            arguments: [groupID, personaID]
        )
        let assigned = self.db.changesCount > 0
        try self.db.execute(
            sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE id = ? AND default_persona_id = ?",
            arguments: [groupID, personaID]
        )
        return assigned || self.db.changesCount > 0
    }

    /// Makes a persona the global default.
    public func setGlobalDefaultPersona(id: Int64) throws {
        try self.db.execute(
            sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('default_persona_id', ?)",
            arguments: [String(id)]
        )
    }

    /// Sets exactly the groups a persona is assigned to (when `groups` is given) and the groups
    /// it is the default of (when `defaultFor` is given). A group of `defaultFor` not in
    /// `groups` is refused; without `groups` it is assigned too.
    public func setAssignments(of persona: Persona, groups: [String]?, defaultFor: [String]?) throws {
        if let groups {
            var ids: [Int64] = []
            for name in groups {
                ids.append(try self.requireGroup(name).id)
            }
            try self.db.execute(sql: "DELETE FROM group_persona WHERE persona_id = ?", arguments: [persona.id])
            for id in ids {
                try self.db.execute(
                    sql: "INSERT OR IGNORE INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                    arguments: [id, persona.id]
                )
            }
            try self.db.execute(
                sql: """
                    UPDATE newsgroup SET default_persona_id = NULL
                    WHERE default_persona_id = ? AND id NOT IN (SELECT group_id FROM group_persona WHERE persona_id = ?)
                    """,
                arguments: [persona.id, persona.id]
            )
        }
        if let defaultFor {
            var ids: [Int64] = []
            for name in defaultFor {
                let group = try self.requireGroup(name)
                let assigned =
                    try Bool.fetchOne(
                        self.db,
                        sql: "SELECT EXISTS (SELECT 1 FROM group_persona WHERE group_id = ? AND persona_id = ?)",
                        arguments: [group.id, persona.id]
                    ) ?? false
                if !assigned {
                    if groups != nil {
                        throw StoreError(.invalidInput, "Default-For: \(name) is not in Groups")
                    }
                    try self.db.execute(
                        sql: "INSERT INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                        arguments: [group.id, persona.id]
                    )
                }
                ids.append(group.id)
            }
            try self.db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE default_persona_id = ?",
                arguments: [persona.id]
            )
            for id in ids {
                try self.db.execute(
                    sql: "UPDATE newsgroup SET default_persona_id = ? WHERE id = ?",
                    arguments: [persona.id, id]
                )
            }
        }
    }

    // MARK: - Cards

    /// The Message-ID of the newest card posted for a persona.
    public func latestCardMessageID(personaID: Int64) throws -> String? {
        try String.fetchOne(
            self.db,
            sql: """
                SELECT article_message_id FROM persona_version
                WHERE persona_id = ? AND article_message_id IS NOT NULL ORDER BY version DESC LIMIT 1
                """,
            arguments: [personaID]
        )
    }

    /// Remembers the card posted for a persona's version.
    public func setCardMessageID(_ messageID: MessageID, personaID: Int64, version: Int) throws {
        try self.db.execute(
            sql: "UPDATE persona_version SET article_message_id = ? WHERE persona_id = ? AND version = ?",
            arguments: [messageID.value, personaID, version]
        )
    }

    /// Whether article `messageID` is (or was) a persona card.
    public func isPersonaCard(messageID: String) throws -> Bool {
        try Bool.fetchOne(
            self.db,
            sql: "SELECT EXISTS (SELECT 1 FROM persona_version WHERE article_message_id = ?)",
            arguments: [messageID]
        ) ?? false
    }
}
