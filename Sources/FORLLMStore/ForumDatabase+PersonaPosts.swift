import Foundation
import GRDB
import NewsArticle

extension ForumDatabase {
    /// Creates or edits a persona from an article posted to `forllm.personas`, inside the
    /// injection transaction: everything is checked before anything is kept (an error rolls
    /// the whole transaction back). The post itself is not stored; the persona's new card is.
    ///
    /// Subject `persona: NAME`; body `Key: value` lines (Name, Handle, Model, Groups,
    /// Default-For), a blank line, the instructions.
    func applyPersonaPost(_ prepared: PreparedArticle, now: Date, _ db: Database) throws -> InjectedArticle {
        let facts = prepared.facts
        guard facts.newsgroups == [Self.personasGroupName] else {
            throw ArticleError(
                .invalidNewsgroups,
                "Newsgroups: post persona changes to \(Self.personasGroupName) alone, not cross-posted"
            )
        }
        let subject = EncodedWord.decode(facts.subject).trimmingCharacters(in: .whitespaces)
        let prefix = "persona:"
        guard subject.lowercased().hasPrefix(prefix) else {
            throw ArticleError(
                .invalidHeaderValue,
                "Subject: to create or change a persona, use 'persona: NAME' (this group holds persona cards only)"
            )
        }
        let target = subject.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard !target.isEmpty else {
            throw ArticleError(.invalidHeaderValue, "Subject: 'persona:' needs the persona's name after it")
        }
        let card: PersonaCard
        do {
            card = try PersonaCard(parsing: ArticleText.plainText(of: prepared.article))
        } catch let error as StoreError {
            throw ArticleError(.invalidHeaderValue, "persona post: \(error.message)")
        }
        let author = facts.from.address
        do {
            var persona: Persona
            var change: String
            if let existing = try self.activePersona(handleOrName: target, db) {
                if let handle = card.handle, handle.lowercased() != existing.handle {
                    throw StoreError(.invalidInput, "Handle: @\(existing.handle) cannot be changed (handles are permanent)")
                }
                persona = existing
                let changes = PersonaChanges(name: card.name, instructions: card.instructions, model: card.model)
                if changes != PersonaChanges() {
                    let before = persona.version
                    persona = try self.applyChanges(
                        changes, to: persona, by: author, change: nil, now: now, postingCard: false,
                        requiringChange: false, db)
                    change = persona.version == before ? "assignments" : "edited"
                } else {
                    change = "assignments"
                }
                if card.groups == nil, card.defaultFor == nil, persona.version == existing.version {
                    throw StoreError(.conflict, "nothing changed: \(existing.name) already has these values")
                }
            } else {
                guard let instructions = card.instructions else {
                    throw StoreError(
                        .invalidInput,
                        "there is no persona named \(target); to create it, write its instructions after the "
                            + "Key: value lines and a blank line"
                    )
                }
                persona = try self.createPersona(
                    name: card.name ?? target,
                    handle: card.handle,
                    instructions: instructions,
                    model: card.model ?? nil,
                    by: author,
                    now: now,
                    postingCard: false,
                    db
                )
                change = "created"
            }
            try self.applyAssignments(of: persona, groups: card.groups, defaultFor: card.defaultFor, db)
            try self.postCard(for: persona, by: author, change: change, now: now, db)
            guard
                let messageID = try String.fetchOne(
                    db,
                    sql: "SELECT article_message_id FROM persona_version WHERE persona_id = ? AND version = ?",
                    arguments: [persona.id, persona.version]
                ), let id = MessageID(validating: messageID)
            else {
                return InjectedArticle(messageID: facts.messageID ?? MessageID.generate(domain: self.configuration.hostname), numbers: [], requestIDs: [])
            }
            let numbers = try Row.fetchAll(
                db,
                sql: """
                    SELECT g.name, ga.number FROM article a JOIN group_article ga ON ga.article_id = a.id
                    JOIN newsgroup g ON g.id = ga.group_id WHERE a.message_id = ?
                    """,
                arguments: [messageID]
            ).map { GroupNumber(group: $0[0], number: $0[1]) }
            return InjectedArticle(messageID: id, numbers: numbers, requestIDs: [])
        } catch let error as StoreError {
            throw ArticleError(.invalidHeaderValue, "persona post: \(error.message)")
        }
    }

    /// Sets exactly the groups a persona is assigned to (when `groups` is given) and the groups
    /// it is the default of (when `defaultFor` is given).
    func applyAssignments(of persona: Persona, groups: [String]?, defaultFor: [String]?, _ db: Database) throws {
        if let groups {
            var ids: [Int64] = []
            for name in groups {
                ids.append(try Self.requireGroup(name, db).id)
            }
            try db.execute(sql: "DELETE FROM group_persona WHERE persona_id = ?", arguments: [persona.id])
            for id in ids {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                    arguments: [id, persona.id]
                )
            }
            try db.execute(
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
                let group = try Self.requireGroup(name, db)
                let assigned =
                    try Bool.fetchOne(
                        db,
                        sql: "SELECT EXISTS (SELECT 1 FROM group_persona WHERE group_id = ? AND persona_id = ?)",
                        arguments: [group.id, persona.id]
                    ) ?? false
                if !assigned {
                    if groups != nil {
                        throw StoreError(.invalidInput, "Default-For: \(name) is not in Groups")
                    }
                    try db.execute(
                        sql: "INSERT INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                        arguments: [group.id, persona.id]
                    )
                }
                ids.append(group.id)
            }
            try db.execute(
                sql: "UPDATE newsgroup SET default_persona_id = NULL WHERE default_persona_id = ?",
                arguments: [persona.id]
            )
            for id in ids {
                try db.execute(
                    sql: "UPDATE newsgroup SET default_persona_id = ? WHERE id = ?",
                    arguments: [persona.id, id]
                )
            }
        }
    }
}
