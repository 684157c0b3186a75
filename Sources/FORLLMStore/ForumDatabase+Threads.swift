import Foundation
import GRDB
import NewsArticle

/// What `forllm queue show` tells about a request's answer beyond the request row.
public struct AnswerAudit: Hashable, Sendable {
    /// Whether the answer article is on the server (not withdrawn, not superseded, not yet
    /// posted); `false` when the request has no answer Message-ID.
    public var answerOnServer: Bool
    /// The requests that regenerate this one's answer, oldest first.
    public var regeneratedBy: [Int64]
}

extension ForumDatabase {
    /// The columns of migration `v11-request-task-regenerates`.
    static func addTaskAndRegenerates(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE request ADD COLUMN task TEXT NOT NULL DEFAULT 'answer'")
        try db.execute(sql: "ALTER TABLE request ADD COLUMN regenerates INTEGER")
        try db.execute(sql: "CREATE INDEX request_regenerates ON request(regenerates) WHERE regenerates IS NOT NULL")
        // How far a summary in chunks has got ("part 2 of 5"), for `forllm queue show`.
        try db.execute(sql: "ALTER TABLE request ADD COLUMN task_progress TEXT")
    }

    /// The whole thread that article `articleID` belongs to, every branch, oldest first (by
    /// `Date`, then arrival): what a summary of the thread reads. Empty when the article is gone.
    public func wholeThread(ofArticle articleID: Int64) async throws -> [ThreadArticle] {
        try await self.writer.read { db in
            guard
                let root = try String.fetchOne(
                    db,
                    sql: "SELECT root_message_id FROM article WHERE id = ?",
                    arguments: [articleID]
                )
            else { return [] }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, author_persona_id, date_header, arrived_at FROM article
                    WHERE root_message_id = ? OR message_id = ?
                    """,
                arguments: [root, root]
            )
            let ordered = rows.map { row -> (id: Int64, persona: Int64?, date: Double) in
                let arrived: Double = row["arrived_at"]
                let date = NewsDate.parse(row["date_header"])?.timeIntervalSince1970 ?? arrived
                return (row["id"], row["author_persona_id"], date)
            }.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
            return try ordered.compactMap { entry in
                try Self.storedArticle(id: entry.id, db).map {
                    ThreadArticle(article: $0, authorPersonaID: entry.persona)
                }
            }
        }
    }

    /// Records how far a summary in chunks has got (`nil`: clears it).
    public func recordTaskProgress(requestID: Int64, _ note: String?, now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(
                sql: "UPDATE request SET task_progress = ?, updated_at = ? WHERE id = ?",
                arguments: [note, now.timeIntervalSince1970, requestID]
            )
        }
    }

    /// Whether request `id`'s answer is still on the server, and which requests regenerate it.
    public func answerAudit(ofRequest id: Int64) async throws -> AnswerAudit {
        try await self.writer.read { db in
            let request = try Self.requireRequest(id, db)
            var onServer = false
            if let answer = request.answerMessageID {
                onServer =
                    try Bool.fetchOne(
                        db,
                        sql: "SELECT EXISTS (SELECT 1 FROM article WHERE message_id = ?)",
                        arguments: [answer]
                    ) ?? false
            }
            let later = try Int64.fetchAll(
                db,
                sql: "SELECT id FROM request WHERE regenerates = ? ORDER BY id",
                arguments: [id]
            )
            return AnswerAudit(answerOnServer: onServer, regeneratedBy: later)
        }
    }
}

extension StoreTransaction {
    /// The request that wrote article `messageID`, when a persona wrote it as an answer;
    /// `nil` for any other article, or one not on the server.
    public func answerRequestID(ofArticle messageID: String) throws -> Int64? {
        try Int64.fetchOne(
            self.db,
            sql: """
                SELECT request_id FROM article
                WHERE message_id = ? AND author_persona_id IS NOT NULL AND request_id IS NOT NULL
                """,
            arguments: [messageID]
        )
    }

    /// Whether an article `messageID` is on the server, and whether a persona wrote it.
    public func articleAuthorship(messageID: String) throws -> (stored: Bool, byPersona: Bool) {
        guard
            let row = try Row.fetchOne(
                self.db,
                sql: "SELECT author_persona_id FROM article WHERE message_id = ?",
                arguments: [messageID]
            )
        else { return (false, false) }
        let persona: Int64? = row["author_persona_id"]
        return (true, persona != nil)
    }
}

// MARK: - Conversation between personas

extension ForumDatabase {
    /// The column of migration `v12-group-debate`: whether personas of the group go on
    /// answering each other on their own (within the forum's bounds).
    static func addGroupDebate(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE newsgroup ADD COLUMN debate INTEGER NOT NULL DEFAULT 0")
    }

    /// The answers personas other than `personaID` gave to article `articleID` (its direct
    /// follow-ups written by a persona), oldest first: the other voices a persona answering the
    /// same article should hear.
    public func personaAnswers(
        toArticle articleID: Int64,
        excludingPersona personaID: Int64
    ) async throws
        -> [ThreadArticle]
    {
        try await self.writer.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT c.id, c.author_persona_id FROM article a
                        JOIN article c ON c.parent_message_id = a.message_id
                        WHERE a.id = ? AND c.author_persona_id IS NOT NULL AND c.author_persona_id != ?
                        ORDER BY c.arrived_at, c.id
                        """
                ),
                arguments: [articleID, personaID]
            )
            return try rows.compactMap { row in
                try Self.storedArticle(id: row["id"], db).map {
                    ThreadArticle(article: $0, authorPersonaID: row["author_persona_id"])
                }
            }
        }
    }

    /// Turns on or off whether personas of group `name` debate on their own.
    @discardableResult
    public func setDebate(_ on: Bool, group name: String) async throws -> Newsgroup {
        try await self.writer.write { db in
            let group = try Self.requireGroup(name, db)
            try db.execute(sql: "UPDATE newsgroup SET debate = ? WHERE id = ?", arguments: [on, group.id])
            return try Self.requireGroup(name, db)
        }
    }

    /// Whether personas of group `name` debate on their own.
    public func debate(inGroup name: String) async throws -> Bool {
        try await self.writer.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT debate FROM newsgroup WHERE name = ? AND removed_at IS NULL",
                arguments: [name]
            ) ?? false
        }
    }
}

extension StoreTransaction {
    /// How many persona-to-persona turns were queued since `date`, in every thread.
    public func personaTurnsQueued(since date: Date) throws -> Int {
        try Int.fetchOne(
            self.db,
            sql: "SELECT COUNT(*) FROM request WHERE kind = 'answer' AND turn > 0 AND created_at >= ?",
            arguments: [date.timeIntervalSince1970]
        ) ?? 0
    }

    /// How many articles written by personas follow each other in a row, from article
    /// `messageID` up its parents, before an article of a person (or the top of the thread).
    public func personaDepth(ofArticle messageID: String) throws -> Int {
        var depth = 0
        var current: String? = messageID
        // Bounded by the thread's length; the cap only guards a damaged parent cycle.
        while let id = current, depth < 10_000 {
            guard
                let row = try Row.fetchOne(
                    self.db,
                    sql: "SELECT author_persona_id, parent_message_id FROM article WHERE message_id = ?",
                    arguments: [id]
                ), (row["author_persona_id"] as Int64?) != nil
            else { break }
            depth += 1
            current = row["parent_message_id"]
        }
        return depth
    }

    /// Whether group `groupID` lets its personas debate on their own.
    public func isDebateGroup(_ groupID: Int64) throws -> Bool {
        try Bool.fetchOne(
            self.db.cachedStatement(sql: "SELECT debate FROM newsgroup WHERE id = ?"),
            arguments: [groupID]
        )
            ?? false
    }

    /// The active personas assigned to group `groupID` except `personaID`, the one that
    /// answered least recently in the thread with root `rootMessageID` first (never before
    /// any), then by id: who speaks next in a debate.
    public func debatePersonas(
        groupID: Int64,
        rootMessageID: String,
        excluding personaID: Int64
    ) throws
        -> [Persona]
    {
        try Persona.fetchAll(
            self.db,
            sql: """
                SELECT p.* FROM group_persona gp JOIN persona p ON p.id = gp.persona_id
                WHERE gp.group_id = ? AND p.id != ? AND p.retired_at IS NULL
                ORDER BY (SELECT MAX(a.id) FROM article a
                          WHERE a.root_message_id = ? AND a.author_persona_id = p.id) IS NOT NULL,
                    (SELECT MAX(a.id) FROM article a WHERE a.root_message_id = ? AND a.author_persona_id = p.id),
                    p.id
                """,
            arguments: [groupID, personaID, rootMessageID, rootMessageID]
        )
    }
}
