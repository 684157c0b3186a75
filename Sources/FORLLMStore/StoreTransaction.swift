import Foundation
import GRDB
import NewsArticle

/// One write transaction of the forum's database, as the forum layer sees it: the persistence
/// steps it may combine, none of the SQL.
///
/// The forum layer (`FORLLMForum`) decides what an article means (who is asked, what a control
/// message withdraws, which persona a card changes) and composes these steps inside one
/// ``ForumDatabase/write(_:)``: everything derived from an article commits with it or not at
/// all. A value of this type is only valid inside the closure it was given to.
public struct StoreTransaction {
    let db: Database
    /// The read cache's observer, on the writer's transactions (``insertArticle`` notes what it
    /// wrote); `nil` elsewhere.
    let readCache: ReadCacheObserver?

    init(_ db: Database, readCache: ReadCacheObserver? = nil) {
        self.db = db
        self.readCache = readCache
    }
}

extension ForumDatabase {
    /// Runs `body` in one write transaction: it commits when `body` returns and rolls back when
    /// it throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let observer = self.readCacheObserver
        return try await self.writer.write { db in try body(StoreTransaction(db, readCache: observer)) }
    }

    /// Takes a turn on the writer connection without waiting for it: `body` runs on the
    /// writer's queue once the writes queued before it are done, and may commit several
    /// transactions back to back (``StoreWriterTurn/transaction(_:)``) with no other write
    /// between them. No task's cancellation reaches it. Every other write waits while it runs:
    /// keep it short, and take another turn rather than keep this one.
    public func takeWriterTurn(_ body: @escaping @Sendable (StoreWriterTurn) -> Void) {
        let observer = self.readCacheObserver
        self.writer.asyncWriteWithoutTransaction { db in body(StoreWriterTurn(db, readCache: observer)) }
    }
}

/// The writer connection for the length of one turn (``ForumDatabase/takeWriterTurn(_:)``).
/// Valid only inside the turn's closure.
public struct StoreWriterTurn {
    let db: Database
    let readCache: ReadCacheObserver?

    init(_ db: Database, readCache: ReadCacheObserver?) {
        self.db = db
        self.readCache = readCache
    }

    /// Runs `body` in one write transaction: it commits when `body` returns (with
    /// synchronous=FULL, durable once this returns; the read cache has seen the commit) and
    /// rolls back when it throws, rethrowing the error.
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        var result: T?
        try self.db.inTransaction {
            result = try body(StoreTransaction(self.db, readCache: self.readCache))
            return .commit
        }
        guard let result else {
            throw StoreError(.conflict, "the transaction committed without a result")
        }
        return result
    }
}

// MARK: - Savepoints

extension StoreTransaction {
    /// Runs `body` inside a SAVEPOINT of this transaction: when it throws, what it wrote is
    /// rolled back, the error is rethrown, and the transaction goes on with what came before
    /// (unless SQLite aborted the whole transaction: see ``isOpen``).
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try self.db.inSavepoint {
            result = try body()
            return .commit
        }
        guard let result else {
            throw StoreError(.conflict, "the savepoint was released without a result")
        }
        return result
    }

    /// Whether the transaction is still open. SQLite rolls a whole transaction back by itself
    /// after some errors (a full disk, an I/O error): then nothing written in it will commit.
    public var isOpen: Bool {
        self.db.isInsideTransaction
    }
}

// MARK: - Articles

extension StoreTransaction {
    /// The group `name`, unless it does not exist or was removed.
    public func group(named name: String) throws -> GroupRow? {
        try GroupRow.fetch(name: name, self.db)
    }

    /// Whether an article with this Message-ID is stored.
    public func articleExists(messageID: String) throws -> Bool {
        try Bool.fetchOne(
            self.db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM article WHERE message_id = ?)"),
            arguments: [messageID]
        ) ?? false
    }

    /// Stores `article` in `groups` with the next number of each, and its overview line: the
    /// one place article numbers are given out (each group's `last_number` only grows, so a
    /// number is never given twice). Appends the `Xref` header (`hostname group:number ...`).
    /// - Returns: the article's row id and its numbers, in `groups` order.
    public func insertArticle(
        _ article: Article,
        messageID: MessageID,
        parent: MessageID?,
        root: MessageID,
        groups: [GroupRow],
        hostname: String,
        author: PersonaAuthorship?,
        now: Date
    ) throws -> (id: Int64, numbers: [GroupNumber]) {
        var article = article
        var numbers: [GroupNumber] = []
        for group in groups {
            numbers.append(GroupNumber(group: group.name, number: group.lastNumber + 1))
        }
        let xref = ([hostname] + numbers.map { "\($0.group):\($0.number)" }).joined(separator: " ")
        article.append(try HeaderField(name: "Xref", value: xref))

        let overview = OverviewFields(article: article)
        let overviewLine = overview.line(xref: xref)
        var head: [UInt8] = []
        head.reserveCapacity(article.fields.reduce(0) { $0 + $1.raw.count + 2 })
        for field in article.fields {
            head.append(contentsOf: field.raw)
            head.append(contentsOf: [13, 10])
        }
        let headData = Data(head)
        let bodyData = Data(article.body)
        // Cached statements: this runs for every article, and preparing SQL (with GRDB's
        // authorizer) costs more than executing it.
        try self.db.cachedStatement(
            sql: """
                INSERT INTO article (message_id, parent_message_id, root_message_id, arrived_at, newsgroups,
                    author_persona_id, author_persona_version, request_id, subject, from_header, date_header,
                    references_header, xref, bytes, lines, head, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                messageID.value, parent?.value, root.value, now.timeIntervalSince1970,
                groups.map(\.name).joined(separator: ","), author?.personaID, author?.version, author?.requestID,
                overview.subject, overview.from, overview.date, overview.references, xref, overview.bytes,
                overview.lines, headData, bodyData
            ]
        )
        let articleID = self.db.lastInsertedRowID
        let overviewData = Data(overviewLine)
        for (group, number) in zip(groups, numbers) {
            try self.db.cachedStatement(
                sql: "INSERT INTO group_article (group_id, number, article_id, overview) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [group.id, number.number, articleID, overviewData])
            try self.db.cachedStatement(
                sql: "UPDATE newsgroup SET last_number = ?, article_count = article_count + 1 WHERE id = ?"
            ).execute(arguments: [number.number, group.id])
        }
        // As a read back would find it: its numbers in the order of the groups' ids.
        self.readCache?.noteInserted(
            StoredArticle(
                id: articleID,
                messageID: messageID.value,
                head: headData,
                body: bodyData,
                numbers: zip(groups, numbers).sorted { $0.0.id < $1.0.id }.map(\.1)
            )
        )
        return (articleID, numbers)
    }

    /// The stored facts about article `messageID` that withdrawal rules need.
    public func articleSummary(messageID: String) throws -> ArticleSummary? {
        try Row.fetchOne(
            self.db.cachedStatement(
                sql: """
                    SELECT a.id, a.from_header, a.author_persona_id, p.from_header AS parent_from
                    FROM article a LEFT JOIN article p ON p.message_id = a.parent_message_id
                    WHERE a.message_id = ?
                    """
            ),
            arguments: [messageID]
        ).map {
            ArticleSummary(
                id: $0["id"],
                fromHeader: $0["from_header"],
                authorPersonaID: $0["author_persona_id"],
                parentFromHeader: $0["parent_from"]
            )
        }
    }

    /// Removes an article from every group (its numbers are never reused).
    public func deleteArticle(messageID: String) throws {
        guard
            let id = try Int64.fetchOne(
                self.db.cachedStatement(sql: "SELECT id FROM article WHERE message_id = ?"),
                arguments: [messageID]
            )
        else { return }
        try self.deleteArticle(id: id)
    }

    /// Removes the article with row id `id` from every group (its numbers are never reused).
    public func deleteArticle(id: Int64) throws {
        // Cached: the status group withdraws an article at every change of a request's state.
        try self.db.cachedStatement(
            sql: """
                UPDATE newsgroup SET article_count = article_count - 1
                WHERE id IN (SELECT group_id FROM group_article WHERE article_id = ?)
                """
        ).execute(arguments: [id])
        try self.db.cachedStatement(sql: "DELETE FROM group_article WHERE article_id = ?").execute(arguments: [id])
        try self.db.cachedStatement(sql: "DELETE FROM article WHERE id = ?").execute(arguments: [id])
    }
}

extension StoreTransaction {
    /// The article with row id `id`, as stored.
    public func article(id: Int64) throws -> StoredArticle? {
        try ForumDatabase.storedArticle(id: id, self.db)
    }

    /// Persona `id`, retired or not.
    public func persona(id: Int64) throws -> Persona? {
        try Persona.fetchOne(self.db, key: id)
    }
}
