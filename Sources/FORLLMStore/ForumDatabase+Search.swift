import Foundation
import GRDB

extension ForumDatabase {
    /// The group where a post's Subject is a search query, answered at once by FORLLM Search.
    public static let searchGroupName = "forllm.search"

    /// The articles indexed per transaction (``StoreTransaction/searchIndexBacklog(limit:)``):
    /// a kill loses at most one batch of work, and a server's other writers wait at most one.
    public static let searchIndexBatchSize = 500

    /// Migration `v10-search`: the FTS5 index `article_search` (rowid = `article.id`; columns
    /// subject, author, body, ranked by bm25 with the subject weighted most), a trigger that
    /// removes an article's row whenever the article is deleted (withdrawn by a cancel or
    /// Supersedes, a replaced persona card, a removed group: every path), the group
    /// `forllm.search`, and the range of older articles still to index
    /// (``buildSearchIndexBatch``).
    static func createSearchIndex(_ db: Database) throws {
        // unicode61 folds case and (remove_diacritics 2) accents: "Jurgen" finds "Jürgen".
        try db.execute(
            sql: """
                CREATE VIRTUAL TABLE article_search USING fts5(
                    subject, author, body, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO article_search (article_search, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');
                CREATE TRIGGER article_search_delete AFTER DELETE ON article BEGIN
                    DELETE FROM article_search WHERE rowid = old.id;
                END;
                """
        )
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO newsgroup (name, description, mode, posting_allowed, created_at, creator)
                VALUES (?, 'Full-text search: post your query as the Subject; FORLLM Search answers at once',
                    'off', 1, ?, 'forllm')
                """,
            arguments: [Self.searchGroupName, Date().timeIntervalSince1970]
        )
        // Articles up to the highest id stored now are indexed after the migration, in
        // batches; later ones are indexed as they are injected.
        if let last = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM article") {
            try db.execute(
                sql: "INSERT INTO setting (key, value) VALUES ('search_index_next', '0'), ('search_index_through', ?)",
                arguments: ["\(last)"]
            )
        }
    }

    /// Migration `v14-search-pending`: the index is no longer written by the transaction that
    /// stores an article, but from the queue `search_pending` (an article's id, until it is
    /// indexed), in batches: FTS5 writes a segment per transaction, and one per batch of posts
    /// costs far less than one per post. The older articles still to index (the range of
    /// `v10-search`) move into the queue; deleting an article takes it off the queue as it
    /// takes it out of the index.
    static func queueSearchIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE search_pending (article_id INTEGER PRIMARY KEY);
                INSERT INTO search_pending (article_id)
                    SELECT id FROM article
                    WHERE id >= (SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'search_index_next')
                      AND id <= (SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'search_index_through');
                DELETE FROM setting WHERE key IN ('search_index_next', 'search_index_through');
                DROP TRIGGER article_search_delete;
                CREATE TRIGGER article_search_delete AFTER DELETE ON article BEGIN
                    DELETE FROM article_search WHERE rowid = old.id;
                    DELETE FROM search_pending WHERE article_id = old.id;
                END;
                """
        )
    }

    /// Searches the full-text index. Throws ``StoreError`` `.invalidInput` naming the problem
    /// for a query FTS5 does not accept.
    public func search(_ query: SearchQuery) async throws -> [SearchHit] {
        try await self.writer.read { db in try StoreTransaction(db).search(query) }
    }

    /// How far the index is; `nil` when no article waits for it.
    public func searchIndexProgress() async throws -> SearchIndexProgress? {
        try await self.writer.read { db in try StoreTransaction(db).searchIndexProgress() }
    }

    /// How many articles wait for the index.
    public func searchIndexWaiting() async throws -> Int {
        try await self.writer.read { db in try StoreTransaction(db).searchIndexWaiting() }
    }
}

extension StoreTransaction {
    /// Adds (or replaces) article `articleID`'s row of the full-text index.
    public func indexForSearch(articleID: Int64, _ document: SearchDocument) throws {
        try self.db.cachedStatement(
            sql: "INSERT OR REPLACE INTO article_search (rowid, subject, author, body) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [articleID, document.subject, document.author, document.body])
    }

    /// Queues the stored article `articleID` for the full-text index, inside the transaction
    /// that stores it; ``ForumDatabase/searchSignal`` is notified after the commit
    /// (``QueueObserver``). The index itself is written later, in batches
    /// (``searchIndexBacklog(limit:)``).
    public func queueForSearch(articleID: Int64) throws {
        try self.db.cachedStatement(sql: "INSERT OR IGNORE INTO search_pending (article_id) VALUES (?)")
            .execute(arguments: [articleID])
    }

    /// The next articles queued for the index (at most `limit`, by id), or `nil` when none is.
    /// The caller indexes them and calls ``markSearchIndexed(through:)`` in the same transaction.
    public func searchIndexBacklog(limit: Int) throws -> [StoredArticle]? {
        let rows = try Row.fetchAll(
            self.db.cachedStatement(
                sql: """
                    SELECT a.id, a.message_id, a.head, a.body FROM search_pending p
                    JOIN article a ON a.id = p.article_id ORDER BY p.article_id LIMIT ?
                    """
            ),
            arguments: [limit]
        )
        guard !rows.isEmpty else { return nil }
        return rows.map { StoredArticle(id: $0[0], messageID: $0[1], head: $0[2], body: $0[3], numbers: []) }
    }

    /// Takes the queued articles up to id `id` off the queue: the batch that
    /// ``searchIndexBacklog(limit:)`` returned, once indexed.
    public func markSearchIndexed(through id: Int64) throws {
        try self.db.cachedStatement(sql: "DELETE FROM search_pending WHERE article_id <= ?").execute(arguments: [id])
    }

    /// How many articles wait for the index.
    public func searchIndexWaiting() throws -> Int {
        try Int.fetchOne(self.db.cachedStatement(sql: "SELECT COUNT(*) FROM search_pending")) ?? 0
    }

    /// How far the index is: `nil` when no article waits for it. Counts every article.
    public func searchIndexProgress() throws -> SearchIndexProgress? {
        let pending = try self.searchIndexWaiting()
        guard pending > 0 else { return nil }
        let total = try Int.fetchOne(self.db, sql: "SELECT COUNT(*) FROM article") ?? 0
        return SearchIndexProgress(done: max(total - pending, 0), total: total)
    }

    /// The best matches of `query`: bm25 order, a snippet of each. Throws ``StoreError``
    /// `.invalidInput` for a query FTS5 does not accept.
    public func search(_ query: SearchQuery) throws -> [SearchHit] {
        var sql = """
            SELECT s.rowid, snippet(article_search, -1, '*', '*', '...', 12), s.rank
            FROM article_search s WHERE article_search MATCH ?
            """
        var arguments: StatementArguments = [query.text]
        if let groups = query.groups {
            if groups.isEmpty { return [] }
            // A filter on each match, keeping FTS5's own rank order (no sort of all matches).
            sql += """
                 AND EXISTS (SELECT 1 FROM group_article ga JOIN newsgroup g ON g.id = ga.group_id
                    WHERE ga.article_id = s.rowid AND g.name IN (\(databaseQuestionMarks(count: groups.count))))
                """
            arguments += StatementArguments(groups)
        }
        sql += " ORDER BY s.rank LIMIT ?"
        arguments += [max(query.limit, 0)]
        let matches: [Row]
        do {
            matches = try Row.fetchAll(self.db, sql: sql, arguments: arguments)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            throw StoreError(.invalidInput, Self.describeQueryError(error.message ?? "\(error)"))
        }
        return try matches.compactMap { match in
            guard
                let row = try Row.fetchOne(
                    self.db.cachedStatement(
                        sql: """
                            SELECT message_id, newsgroups, subject, from_header, date_header, arrived_at
                            FROM article WHERE id = ?
                            """
                    ),
                    arguments: [match[0] as Int64]
                )
            else { return nil }
            return SearchHit(
                messageID: row[0],
                newsgroups: row[1],
                subject: row[2],
                from: row[3],
                date: row[4],
                arrivedAt: Date(timeIntervalSince1970: row[5]),
                snippet: match[1] ?? "",
                score: match[2] ?? 0
            )
        }
    }

    /// SQLite's message for a bad query, as one line for a person.
    private static func describeQueryError(_ message: String) -> String {
        if message.hasPrefix("no such column: ") {
            let column = message.dropFirst("no such column: ".count)
            return "unknown column '\(column)' (a query may name subject:, author: or body:)"
        }
        if message == "fts5: syntax error near \"\"" {
            return "syntax error at the end of the query (an operator with nothing after it?)"
        }
        if message.hasPrefix("fts5: ") {
            return String(message.dropFirst("fts5: ".count))
                + " (put words with punctuation in double quotes: \"what's new?\")"
        }
        return message
    }
}
