import Foundation
import GRDB
import NewsArticle

/// Changes to a persona; `nil` leaves a field as it is.
public struct PersonaChanges: Hashable, Sendable {
    public var name: String?
    public var instructions: String?
    /// `.some(nil)` clears the preferred model.
    public var model: String??

    public init(name: String? = nil, instructions: String? = nil, model: String?? = nil) {
        self.name = name
        self.instructions = instructions
        self.model = model
    }
}

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

extension ForumDatabase {
    /// The group where persona cards are posted and where posts create or edit personas.
    public static let personasGroupName = "forllm.personas"

    // MARK: - Reading

    /// Persona `id`, retired or not.
    public func persona(id: Int64) async throws -> Persona? {
        try await self.writer.read { db in
            try Persona.fetchOne(db, sql: "SELECT * FROM persona WHERE id = ?", arguments: [id])
        }
    }

    /// The active persona with handle or name `text` (case-insensitive).
    public func persona(named text: String) async throws -> Persona? {
        try await self.writer.read { db in try self.activePersona(handleOrName: text, db) }
    }

    /// Every persona, by name; retired ones only when asked.
    public func personas(includingRetired: Bool = false) async throws -> [Persona] {
        try await self.writer.read { db in
            try Persona.fetchAll(
                db,
                sql: "SELECT * FROM persona" + (includingRetired ? "" : " WHERE retired_at IS NULL") + " ORDER BY name_key"
            )
        }
    }

    /// A persona with its assignments.
    public func personaDetails(_ text: String) async throws -> PersonaDetails {
        try await self.writer.read { db in
            let persona = try self.requirePersona(text, db)
            return try self.details(of: persona, db)
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
            let persona = try self.requirePersona(text, db, includingRetired: true)
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
            guard
                let value = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'default_persona_id'"),
                let id = Int64(value)
            else { return try self.activePersona(handle: Persona.builtinHandle, db) }
            return try self.activePersona(id: id, db) ?? self.activePersona(handle: Persona.builtinHandle, db)
        }
    }

    // MARK: - Changing

    /// Creates a persona (version 1) and posts its card.
    @discardableResult
    public func createPersona(
        name: String,
        handle: String? = nil,
        instructions: String,
        model: String? = nil,
        by author: String,
        now: Date = Date()
    ) async throws -> Persona {
        try await self.writer.write { db in
            try self.createPersona(
                name: name, handle: handle, instructions: instructions, model: model, by: author, now: now, db)
        }
    }

    /// Applies `changes` as a new version and posts the new card.
    @discardableResult
    public func editPersona(_ text: String, _ changes: PersonaChanges, by author: String, now: Date = Date())
        async throws -> Persona
    {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            return try self.applyChanges(changes, to: persona, by: author, change: nil, now: now, db)
        }
    }

    /// Makes a new version equal to version `version`.
    @discardableResult
    public func revertPersona(_ text: String, to version: Int, by author: String, now: Date = Date()) async throws
        -> Persona
    {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            guard
                let old = try PersonaVersion.fetchOne(
                    db,
                    sql: "SELECT * FROM persona_version WHERE persona_id = ? AND version = ?",
                    arguments: [persona.id, version]
                )
            else {
                throw StoreError(.notFound, "\(persona.name) has no version \(version) (it is at version \(persona.version))")
            }
            return try self.applyChanges(
                PersonaChanges(name: old.name, instructions: old.instructions, model: .some(old.model)),
                to: persona,
                by: author,
                change: "reverted to version \(version)",
                now: now,
                db
            )
        }
    }

    /// Retires a persona: it takes no new requests and its pending ones are cancelled; its
    /// answers and history stay. The built-in Assistant cannot be deleted (edit it instead).
    public func deletePersona(_ text: String, by author: String, now: Date = Date()) async throws {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            if persona.builtin {
                throw StoreError(
                    .conflict,
                    "Assistant is built in and answers when no other persona is set; edit it instead of deleting it"
                )
            }
            try db.execute(
                sql: "UPDATE persona SET retired_at = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, persona.id]
            )
            try db.execute(
                sql: """
                    UPDATE request SET status = 'cancelled', error = 'persona deleted', finished_at = ?, updated_at = ?
                    WHERE persona_id = ? AND status = 'pending'
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, persona.id]
            )
            try db.execute(sql: "DELETE FROM group_persona WHERE persona_id = ?", arguments: [persona.id])
            try db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE default_persona_id = ?",
                arguments: [persona.id]
            )
            try db.execute(
                sql: "DELETE FROM setting WHERE key = 'default_persona_id' AND value = ?",
                arguments: [String(persona.id)]
            )
            var retired = persona
            retired.retiredAt = now
            try self.postCard(for: retired, by: author, change: "deleted", now: now, db)
        }
    }

    /// Assigns a persona to a group, optionally as the group's default.
    public func assignPersona(_ text: String, to group: String, asDefault: Bool, now: Date = Date()) async throws {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            let newsgroup = try Self.requireGroup(group, db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                arguments: [newsgroup.id, persona.id]
            )
            if asDefault {
                try db.execute(
                    sql: "UPDATE newsgroup SET default_persona_id = ? WHERE id = ?",
                    arguments: [persona.id, newsgroup.id]
                )
            }
            try self.postCard(for: persona, by: "forllm", change: "assigned to \(group)", now: now, db)
        }
    }

    /// Removes a persona from a group (and as its default).
    public func unassignPersona(_ text: String, from group: String, now: Date = Date()) async throws {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            let newsgroup = try Self.requireGroup(group, db)
            try db.execute(
                sql: "DELETE FROM group_persona WHERE group_id = ? AND persona_id = ?",
                arguments: [newsgroup.id, persona.id]
            )
            let assigned = db.changesCount > 0
            try db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE id = ? AND default_persona_id = ?",
                arguments: [newsgroup.id, persona.id]
            )
            guard assigned || db.changesCount > 0 else {
                throw StoreError(.notFound, "\(persona.name) is not assigned to \(group)")
            }
            try self.postCard(for: persona, by: "forllm", change: "unassigned from \(group)", now: now, db)
        }
    }

    /// Makes a persona the global default.
    public func setGlobalDefaultPersona(_ text: String) async throws {
        try await self.writer.write { db in
            let persona = try self.requirePersona(text, db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('default_persona_id', ?)",
                arguments: [String(persona.id)]
            )
        }
    }

    // MARK: - Inside transactions

    func createPersona(
        name: String,
        handle: String?,
        instructions: String,
        model: String?,
        by author: String,
        now: Date,
        postingCard: Bool = true,
        _ db: Database
    ) throws -> Persona {
        let name = try Self.checkName(name)
        let instructions = try Self.checkInstructions(instructions)
        let model = try Self.checkModel(model)
        if try self.activePersona(handleOrName: name, db) != nil
            || (try Persona.fetchOne(
                db, sql: "SELECT * FROM persona WHERE name_key = ? AND retired_at IS NULL",
                arguments: [Persona.nameKey(name)]) != nil)
        {
            throw StoreError(.alreadyExists, "a persona named \(name) already exists")
        }
        let chosen: String
        if let handle {
            guard Persona.isValidHandle(handle) else {
                throw StoreError(
                    .invalidInput,
                    "handle '\(handle)' is not valid: use lower-case letters, digits and '-', like chef-anna"
                )
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM persona WHERE handle = ?)", arguments: [handle])
                == true
            {
                throw StoreError(.alreadyExists, "the handle @\(handle) is taken (handles are never reused)")
            }
            chosen = handle
        } else {
            let base = Persona.handle(derivedFrom: name)
            var candidate = base
            var suffix = 2
            while try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM persona WHERE handle = ?)", arguments: [candidate]) == true
            {
                candidate = "\(base)-\(suffix)"
                suffix += 1
            }
            chosen = candidate
        }
        try db.execute(
            sql: """
                INSERT INTO persona (handle, name, name_key, instructions, model, version, builtin, created_at)
                VALUES (?, ?, ?, ?, ?, 1, 0, ?)
                """,
            arguments: [chosen, name, Persona.nameKey(name), instructions, model, now.timeIntervalSince1970]
        )
        let persona = try self.requirePersona(chosen, db)
        try self.recordVersion(persona, by: author, change: "created", now: now, postingCard: postingCard, db)
        return persona
    }

    func applyChanges(
        _ changes: PersonaChanges,
        to persona: Persona,
        by author: String,
        change: String?,
        now: Date,
        postingCard: Bool = true,
        requiringChange: Bool = true,
        _ db: Database
    ) throws -> Persona {
        var updated = persona
        var changed: [String] = []
        if let name = changes.name {
            let name = try Self.checkName(name)
            if name != persona.name {
                if Persona.nameKey(name) != Persona.nameKey(persona.name),
                    try Persona.fetchOne(
                        db, sql: "SELECT * FROM persona WHERE name_key = ? AND retired_at IS NULL",
                        arguments: [Persona.nameKey(name)]) != nil
                {
                    throw StoreError(.alreadyExists, "a persona named \(name) already exists")
                }
                updated.name = name
                changed.append("name")
            }
        }
        if let instructions = changes.instructions {
            let instructions = try Self.checkInstructions(instructions)
            if instructions != persona.instructions {
                updated.instructions = instructions
                changed.append("instructions")
            }
        }
        if let model = changes.model {
            let model = try Self.checkModel(model)
            if model != persona.model {
                updated.model = model
                changed.append("model")
            }
        }
        guard !changed.isEmpty else {
            if change != nil || !requiringChange { return persona }
            throw StoreError(.conflict, "nothing changed: \(persona.name) already has these values")
        }
        updated.version += 1
        try db.execute(
            sql: "UPDATE persona SET name = ?, name_key = ?, instructions = ?, model = ?, version = ? WHERE id = ?",
            arguments: [
                updated.name, Persona.nameKey(updated.name), updated.instructions, updated.model, updated.version,
                updated.id,
            ]
        )
        try self.recordVersion(
            updated, by: author, change: change ?? changed.joined(separator: ", "), now: now, postingCard: postingCard, db)
        return updated
    }

    func recordVersion(
        _ persona: Persona, by author: String, change: String, now: Date, postingCard: Bool = true, _ db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO persona_version (persona_id, version, name, handle, instructions, model, changed_at,
                    changed_by, change)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                persona.id, persona.version, persona.name, persona.handle, persona.instructions, persona.model,
                now.timeIntervalSince1970, author, change,
            ]
        )
        if postingCard {
            try self.postCard(for: persona, by: author, change: change, now: now, db)
        }
    }

    func details(of persona: Persona, _ db: Database) throws -> PersonaDetails {
        let groups = try String.fetchAll(
            db,
            sql: """
                SELECT g.name FROM group_persona gp JOIN newsgroup g ON g.id = gp.group_id
                WHERE gp.persona_id = ? AND g.removed_at IS NULL ORDER BY g.name
                """,
            arguments: [persona.id]
        )
        let defaults = try String.fetchAll(
            db,
            sql: "SELECT name FROM newsgroup WHERE default_persona_id = ? AND removed_at IS NULL ORDER BY name",
            arguments: [persona.id]
        )
        let global = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'default_persona_id'")
        return PersonaDetails(
            persona: persona,
            groups: groups,
            defaultFor: defaults,
            isGlobalDefault: global == String(persona.id)
        )
    }

    func requirePersona(_ text: String, _ db: Database, includingRetired: Bool = false) throws -> Persona {
        if let persona = try self.activePersona(handleOrName: text, db) { return persona }
        if includingRetired,
            let persona = try Persona.fetchOne(
                db,
                sql: "SELECT * FROM persona WHERE handle = ? OR name_key = ? ORDER BY retired_at DESC LIMIT 1",
                arguments: [text.lowercased(), Persona.nameKey(text)]
            )
        {
            return persona
        }
        let known = try String.fetchAll(db, sql: "SELECT name FROM persona WHERE retired_at IS NULL ORDER BY name_key")
        throw StoreError(.notFound, "no persona named \(text) (personas: \(known.joined(separator: ", ")))")
    }

    static func checkName(_ name: String) throws -> String {
        let trimmed = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !trimmed.isEmpty else { throw StoreError(.invalidInput, "a persona needs a name") }
        guard trimmed.count <= Persona.maximumNameLength else {
            throw StoreError(.invalidInput, "a persona name is at most \(Persona.maximumNameLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !trimmed.contains("<"), !trimmed.contains(">"), !trimmed.contains("@")
        else {
            throw StoreError(.invalidInput, "a persona name cannot contain '<', '>', '@' or control characters")
        }
        return trimmed
    }

    static func checkInstructions(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw StoreError(.invalidInput, "a persona needs instructions (its system prompt)")
        }
        guard trimmed.utf8.count <= 32_768 else {
            throw StoreError(.invalidInput, "instructions are at most 32 KB")
        }
        return trimmed
    }

    static func checkModel(_ model: String?) throws -> String? {
        guard let model else { return nil }
        let trimmed = model.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard !trimmed.contains(where: { $0.isWhitespace || $0 == ";" || $0 == "," }) else {
            throw StoreError(.invalidInput, "model '\(model)' must be one word, like llama3.2 or qwen2.5:7b")
        }
        return trimmed
    }
}
