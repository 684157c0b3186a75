import Foundation
import GRDB
import NewsArticle

/// Changes to a group; `nil` leaves a field as it is.
public struct GroupChanges: Hashable, Sendable {
    public var description: String?
    public var mode: GroupMode?
    public var postingAllowed: Bool?
    /// `.some(nil)` clears the default model.
    public var defaultModel: String??
    /// `.some(nil)` clears the default backend.
    public var defaultBackend: String??

    public init(
        description: String? = nil,
        mode: GroupMode? = nil,
        postingAllowed: Bool? = nil,
        defaultModel: String?? = nil,
        defaultBackend: String?? = nil
    ) {
        self.description = description
        self.mode = mode
        self.postingAllowed = postingAllowed
        self.defaultModel = defaultModel
        self.defaultBackend = defaultBackend
    }
}

extension ForumDatabase {
    /// Creates a group. A group removed earlier under the same name comes back with its
    /// numbering intact (empty, low water mark after the last number it ever had).
    @discardableResult
    public func createGroup(
        name: String,
        description: String = "",
        mode: GroupMode = .request,
        postingAllowed: Bool = true,
        now: Date
    ) async throws -> Newsgroup {
        guard NewsgroupName.isValid(name) else {
            throw StoreError(
                .invalidInput,
                "'\(name)' is not a valid group name: use lower-case letters, digits, '+', '-', '_' "
                    + "in dot-separated parts, like forllm.cooking"
            )
        }
        guard !description.contains(where: { $0.isNewline || $0 == "\t" }) else {
            throw StoreError(.invalidInput, "a group description is one line, without tabs")
        }
        return try await self.writer.write { db in
            let existing = try Row.fetchOne(
                db,
                sql: "SELECT id, removed_at FROM newsgroup WHERE name = ?",
                arguments: [name]
            )
            if let existing {
                if (existing["removed_at"] as Double?) == nil {
                    throw StoreError(.alreadyExists, "group \(name) already exists")
                }
                try db.execute(
                    sql: """
                        UPDATE newsgroup SET removed_at = NULL, description = ?, mode = ?, posting_allowed = ?,
                            created_at = ?, default_persona_id = NULL, default_model = NULL, default_backend = NULL
                        WHERE id = ?
                        """,
                    arguments: [description, mode.rawValue, postingAllowed, now.timeIntervalSince1970, existing["id"]]
                )
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO newsgroup (name, description, mode, posting_allowed, created_at)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [name, description, mode.rawValue, postingAllowed, now.timeIntervalSince1970]
                )
            }
            return try Self.requireGroup(name, db)
        }
    }

    /// Applies `changes` to group `name`.
    @discardableResult
    public func editGroup(_ name: String, _ changes: GroupChanges) async throws -> Newsgroup {
        if let description = changes.description, description.contains(where: { $0.isNewline || $0 == "\t" }) {
            throw StoreError(.invalidInput, "a group description is one line, without tabs")
        }
        return try await self.writer.write { db in
            let group = try Self.requireGroup(name, db)
            if let description = changes.description {
                try db.execute(
                    sql: "UPDATE newsgroup SET description = ? WHERE id = ?",
                    arguments: [description, group.id]
                )
            }
            if let mode = changes.mode {
                try db.execute(sql: "UPDATE newsgroup SET mode = ? WHERE id = ?", arguments: [mode.rawValue, group.id])
            }
            if let posting = changes.postingAllowed {
                try db.execute(
                    sql: "UPDATE newsgroup SET posting_allowed = ? WHERE id = ?",
                    arguments: [posting, group.id]
                )
            }
            if let model = changes.defaultModel {
                try db.execute(
                    sql: "UPDATE newsgroup SET default_model = ? WHERE id = ?",
                    arguments: [model.flatMap { $0.isEmpty ? nil : $0 }, group.id]
                )
            }
            if let backend = changes.defaultBackend {
                try db.execute(
                    sql: "UPDATE newsgroup SET default_backend = ? WHERE id = ?",
                    arguments: [backend.flatMap { $0.isEmpty ? nil : $0 }, group.id]
                )
            }
            return try Self.requireGroup(name, db)
        }
    }

    /// Removes group `name`: its articles leave it (an article in no other group is deleted),
    /// pending requests of its articles are cancelled; the name can be created again later
    /// and numbering then continues where it stopped.
    /// - Returns: the number of articles deleted.
    @discardableResult
    public func removeGroup(_ name: String, now: Date) async throws -> Int {
        try await self.writer.write { db in
            let group = try Self.requireGroup(name, db)
            try db.execute(
                sql: """
                    UPDATE request SET status = 'cancelled', error = 'group removed', finished_at = ?, updated_at = ?
                    WHERE status IN ('pending', 'running') AND group_name = ?
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, name]
            )
            try db.execute(sql: "DELETE FROM group_article WHERE group_id = ?", arguments: [group.id])
            try db.execute(
                sql: "DELETE FROM article WHERE id NOT IN (SELECT article_id FROM group_article)"
            )
            let deleted = db.changesCount
            try db.execute(sql: "DELETE FROM group_persona WHERE group_id = ?", arguments: [group.id])
            try db.execute(
                sql: "UPDATE newsgroup SET removed_at = ?, article_count = 0 WHERE id = ?",
                arguments: [now.timeIntervalSince1970, group.id]
            )
            return deleted
        }
    }

    static func requireGroup(_ name: String, _ db: Database) throws -> Newsgroup {
        guard
            let group = try Newsgroup.fetchOne(
                db,
                sql: Newsgroup.selectSQL + " WHERE g.name = ? AND g.removed_at IS NULL",
                arguments: [name]
            )
        else {
            throw StoreError(.notFound, "no group named \(name)")
        }
        return group
    }
}
