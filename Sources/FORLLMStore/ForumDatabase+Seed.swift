import Foundation
import GRDB

extension ForumDatabase {
    /// The name of the group a fresh database starts with.
    public static let firstGroupName = "forllm.general"

    /// Instructions of the built-in `Assistant`.
    public static let assistantInstructions = """
        You are Assistant, a helpful member of a Usenet-style discussion forum. Answer the latest \
        post of the thread you are shown: be accurate, clear and concise, write plain text (no \
        HTML, no Markdown headings), put code in fenced blocks, and say so when you do not know.
        """

    /// What a fresh database holds: the built-in persona `Assistant`, made the global default,
    /// and the group `forllm.general` in `auto` mode with `Assistant` as its default.
    static func seed(_ db: Database) throws {
        let now = Date().timeIntervalSince1970
        try db.execute(
            sql: """
                INSERT INTO persona (handle, name, name_key, instructions, model, version, builtin, created_at)
                VALUES (?, 'Assistant', 'assistant', ?, NULL, 1, 1, ?)
                """,
            arguments: [Persona.builtinHandle, Self.assistantInstructions, now]
        )
        let personaID = db.lastInsertedRowID
        try db.execute(
            sql: """
                INSERT INTO persona_version (persona_id, version, name, handle, instructions, model, changed_at,
                    changed_by, change)
                VALUES (?, 1, 'Assistant', ?, ?, NULL, ?, 'forllm', 'built in')
                """,
            arguments: [personaID, Persona.builtinHandle, Self.assistantInstructions, now]
        )
        try db.execute(
            sql: "INSERT INTO setting (key, value) VALUES ('default_persona_id', ?)",
            arguments: [personaID]
        )
        try db.execute(
            sql: """
                INSERT INTO newsgroup (name, description, mode, posting_allowed, created_at, creator,
                    default_persona_id)
                VALUES (?, 'General discussion; Assistant answers every post', 'auto', 1, ?, 'forllm', ?)
                """,
            arguments: [Self.firstGroupName, now, personaID]
        )
        let groupID = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO group_persona (group_id, persona_id) VALUES (?, ?)",
            arguments: [groupID, personaID]
        )
        try db.execute(
            sql: """
                INSERT INTO newsgroup (name, description, mode, posting_allowed, created_at, creator)
                VALUES (?, 'The personas, one card each; post "persona: NAME" to create or change one', 'off', 1, ?,
                    'forllm')
                """,
            arguments: [Self.personasGroupName, now]
        )
    }
}
