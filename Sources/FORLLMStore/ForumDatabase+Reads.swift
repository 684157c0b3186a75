import Foundation
import GRDB
import NewsArticle

/// A stored article: its header section and body as stored, byte-exact.
public struct StoredArticle: Hashable, Sendable {
    public var id: Int64
    public var messageID: String
    /// Header lines, each ending in CRLF, without the empty line.
    public var head: Data
    /// The body as stored (CRLF lines, unstuffed).
    public var body: Data
    /// Its number in each group it is in (looked up by number: in that group only).
    public var numbers: [GroupNumber]

    /// The whole article: head, empty line, body.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.head.count + 2 + self.body.count)
        bytes.append(contentsOf: self.head)
        bytes.append(contentsOf: [13, 10])
        bytes.append(contentsOf: self.body)
        return bytes
    }
}

/// Overview lines rendered for the wire: `number TAB fields CRLF`, ascending.
public struct OverviewPage: Hashable, Sendable {
    public var bytes: [UInt8]
    public var count: Int
    public var lastNumber: Int64?
}

/// An article number and its Message-ID.
public struct ArticleRef: Hashable, Sendable {
    public var number: Int64
    public var messageID: String
}

/// An article that arrived since a time, for `NEWNEWS`.
public struct ArrivedArticle: Hashable, Sendable {
    public var messageID: String
    public var groups: [String]
}

extension ForumDatabase {
    /// A read of a single SQL statement, as the hot NNTP paths do: a statement sees one
    /// consistent state of the database by itself, so it needs none of the BEGIN/COMMIT that
    /// `read` wraps around its closure (which would double the cost of a short read).
    func singleStatementRead<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await self.writer.unsafeRead(value)
    }

    // MARK: From memory only

    /// The group named `name` when the ``readCache`` holds it; `nil` otherwise (no cache, the
    /// table not loaded, or no such group, which only the database can say for sure). Never
    /// touches the database, so an event loop may call it.
    public func groupInMemory(named name: String) -> Newsgroup? {
        self.readCache?.group(named: name) ?? nil
    }

    /// Article `number` of `group` when the ``readCache`` holds it, with that number only.
    public func articleInMemory(inGroup group: String, number: Int64) -> StoredArticle? {
        self.readCache?.article(inGroup: group, number: number)
    }

    /// The article with `messageID` when the ``readCache`` holds it, with all its numbers.
    public func articleInMemory(messageID: String) -> StoredArticle? {
        self.readCache?.article(messageID: messageID)
    }

    /// Every group that is not removed, by name.
    public func groups() async throws -> [Newsgroup] {
        if let cache = self.readCache {
            if let groups = cache.groups { return groups }
            return try await self.loadGroupTable(into: cache)
        }
        return try await self.readGroupTable()
    }

    /// The group named `name`, unless removed.
    public func group(named name: String) async throws -> Newsgroup? {
        if let cache = self.readCache {
            guard let found = cache.group(named: name) else {
                return try await self.loadGroupTable(into: cache).first { $0.name == name }
            }
            // Not in the table: perhaps created by another process a moment ago (see
            // ``checkOtherWriters()``); the database says for sure.
            if let group = found { return group }
        }
        return try await self.singleStatementRead { db in
            try Newsgroup.fetchOne(
                db.cachedStatement(sql: Newsgroup.selectSQL + " WHERE g.name = ? AND g.removed_at IS NULL"),
                arguments: [name]
            )
        }
    }

    /// Reads the group table and hands it to `cache` (unless a commit changed a group meanwhile).
    private func loadGroupTable(into cache: ReadCache) async throws -> [Newsgroup] {
        let epoch = cache.groupsEpoch
        let groups = try await self.readGroupTable()
        cache.fill(groups: groups, groupsEpoch: epoch)
        return groups
    }

    private func readGroupTable() async throws -> [Newsgroup] {
        try await self.writer.read { db in
            try Newsgroup.fetchAll(db, sql: Newsgroup.selectSQL + " WHERE g.removed_at IS NULL ORDER BY g.name")
        }
    }

    /// Numbers present in `group` within `range`, ascending.
    public func articleNumbers(inGroup group: String, range: ClosedRange<Int64>) async throws -> [Int64] {
        try await self.singleStatementRead { db in
            try Int64.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT number FROM group_article
                        WHERE group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                          AND number BETWEEN ? AND ?
                        ORDER BY number
                        """
                ),
                arguments: [group, range.lowerBound, range.upperBound]
            )
        }
    }

    /// The next article after `number`, or the previous one before it.
    public func neighbour(inGroup group: String, of number: Int64, next: Bool) async throws -> ArticleRef? {
        let sql =
            next
            ? """
            SELECT ga.number, a.message_id FROM group_article ga JOIN article a ON a.id = ga.article_id
            WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL) AND ga.number > ?
            ORDER BY ga.number ASC LIMIT 1
            """
            : """
            SELECT ga.number, a.message_id FROM group_article ga JOIN article a ON a.id = ga.article_id
            WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL) AND ga.number < ?
            ORDER BY ga.number DESC LIMIT 1
            """
        return try await self.singleStatementRead { db in
            try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [group, number]).map {
                ArticleRef(number: $0[0], messageID: $0[1])
            }
        }
    }

    /// Article `number` of `group`: its Message-ID only.
    public func articleRef(inGroup group: String, number: Int64) async throws -> ArticleRef? {
        if let article = self.readCache?.article(inGroup: group, number: number) {
            return ArticleRef(number: number, messageID: article.messageID)
        }
        return try await self.singleStatementRead { db in
            try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.message_id FROM group_article ga JOIN article a ON a.id = ga.article_id
                        WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                          AND ga.number = ?
                        """
                ),
                arguments: [group, number]
            ).map { ArticleRef(number: number, messageID: $0) }
        }
    }

    /// Article `number` of `group` (its `numbers`: that group's only). One statement: this is
    /// what `ARTICLE n` runs (unless the ``readCache`` has it).
    public func article(inGroup group: String, number: Int64) async throws -> StoredArticle? {
        if let cache = self.readCache {
            if let article = cache.article(inGroup: group, number: number) { return article }
            // A miss reads the article with all its numbers, as the cache keeps it (in one
            // transaction: what is cached stays a while, so it must be one consistent state).
            let epoch = cache.epoch
            let found = try await self.writer.read { db -> StoredArticle? in
                guard
                    let id = try Int64.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT article_id FROM group_article
                                WHERE group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                                  AND number = ?
                                """
                        ),
                        arguments: [group, number]
                    )
                else { return nil }
                return try Self.storedArticle(id: id, db)
            }
            guard var article = found else { return nil }
            cache.fill(article: article, epoch: epoch)
            article.numbers = [GroupNumber(group: group, number: number)]
            return article
        }
        return try await self.singleStatementRead { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.id, a.message_id, a.head, a.body FROM group_article ga JOIN article a ON a.id = ga.article_id
                        WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                          AND ga.number = ?
                        """
                ),
                arguments: [group, number]
            ).map { row in
                StoredArticle(
                    id: row[0],
                    messageID: row[1],
                    head: row[2],
                    body: row[3],
                    numbers: [GroupNumber(group: group, number: number)]
                )
            }
        }
    }

    /// The article with `messageID`.
    public func article(messageID: String) async throws -> StoredArticle? {
        let cache = self.readCache
        if let article = cache?.article(messageID: messageID) { return article }
        let epoch = cache?.epoch ?? 0
        let found = try await self.writer.read { db -> StoredArticle? in
            guard
                let id = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM article WHERE message_id = ?"),
                    arguments: [messageID]
                )
            else { return nil }
            return try Self.storedArticle(id: id, db)
        }
        if let found { cache?.fill(article: found, epoch: epoch) }
        return found
    }

    static func storedArticle(id: Int64, _ db: Database) throws -> StoredArticle? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT message_id, head, body FROM article WHERE id = ?"),
                arguments: [id]
            )
        else { return nil }
        return StoredArticle(
            id: id,
            messageID: row[0],
            head: row[1],
            body: row[2],
            numbers: try Self.numbers(ofArticle: id, db)
        )
    }

    static func numbers(ofArticle id: Int64, _ db: Database) throws -> [GroupNumber] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT g.name, ga.number FROM group_article ga JOIN newsgroup g ON g.id = ga.group_id
                    WHERE ga.article_id = ? AND g.removed_at IS NULL
                    """
            ),
            arguments: [id]
        ).map { GroupNumber(group: $0[0], number: $0[1]) }
    }

    /// Overview lines of `group` for `range`, at most `limit`, rendered for the wire.
    public func overview(inGroup group: String, range: ClosedRange<Int64>, limit: Int) async throws -> OverviewPage {
        try await self.singleStatementRead { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT number, overview FROM group_article
                    WHERE group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                      AND number BETWEEN ? AND ?
                    ORDER BY number LIMIT ?
                    """
            )
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(limit, 4096) * 256)
            var count = 0
            var last: Int64?
            let rows = try Row.fetchCursor(
                statement,
                arguments: [group, range.lowerBound, range.upperBound, limit]
            )
            while let row = try rows.next() {
                let number: Int64 = row[0]
                bytes.appendDecimal(number)
                bytes.append(9)
                try row.withUnsafeData(atIndex: 1) { data in
                    if let data { bytes.append(contentsOf: data) }
                }
                bytes.append(13)
                bytes.append(10)
                count += 1
                last = number
            }
            return OverviewPage(bytes: bytes, count: count, lastNumber: last)
        }
    }

    /// The overview fields (without the number) of the article with `messageID`, and its numbers.
    public func overview(messageID: String) async throws -> (fields: Data, numbers: [GroupNumber])? {
        try await self.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT a.id, ga.overview FROM article a JOIN group_article ga ON ga.article_id = a.id
                            WHERE a.message_id = ? LIMIT 1
                            """
                    ),
                    arguments: [messageID]
                )
            else { return nil }
            return (row[1], try Self.numbers(ofArticle: row[0], db))
        }
    }

    /// Values of header `field` (case-insensitive) or of the metadata items `:bytes`/`:lines`
    /// for the articles of `group` in `range`, ascending, at most `limit`. Unfolded; `""` when
    /// an article lacks the header.
    public func headerValues(
        field: String,
        inGroup group: String,
        range: ClosedRange<Int64>,
        limit: Int
    ) async throws -> [(number: Int64, value: String)] {
        let column = Self.overviewColumn(forHeader: field)
        let selected = column ?? "a.head"
        return try await self.writer.read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT ga.number, \(selected) FROM group_article ga JOIN article a ON a.id = ga.article_id
                        WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                          AND ga.number BETWEEN ? AND ?
                        ORDER BY ga.number LIMIT ?
                        """
                ),
                arguments: [group, range.lowerBound, range.upperBound, limit]
            )
            var values: [(number: Int64, value: String)] = []
            while let row = try rows.next() {
                let number: Int64 = row[0]
                if column != nil {
                    values.append((number, (row[1] as DatabaseValue).description(asHeaderValue: ())))
                } else {
                    let head: Data = row[1]
                    values.append((number, Self.headerValue(named: field, inHead: head)))
                }
            }
            return values
        }
    }

    /// The value of header `field` of the article with `messageID`; `nil` when there is no such
    /// article, `""` when it lacks the header.
    public func headerValue(field: String, messageID: String) async throws -> (value: String, numbers: [GroupNumber])? {
        let column = Self.overviewColumn(forHeader: field) ?? "a.head"
        return try await self.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT a.id, \(column) FROM article a WHERE a.message_id = ?",
                    arguments: [messageID]
                )
            else { return nil }
            let value: String
            if column == "a.head" {
                value = Self.headerValue(named: field, inHead: row[1])
            } else {
                value = (row[1] as DatabaseValue).description(asHeaderValue: ())
            }
            return (value, try Self.numbers(ofArticle: row[0], db))
        }
    }

    /// Articles that arrived at or after `date`, oldest first.
    public func articles(arrivedSince date: Date) async throws -> [ArrivedArticle] {
        try await self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT message_id, newsgroups FROM article WHERE arrived_at >= ? ORDER BY arrived_at, id",
                arguments: [date.timeIntervalSince1970]
            ).map { row in
                let groups: String = row[1]
                return ArrivedArticle(messageID: row[0], groups: groups.split(separator: ",").map(String.init))
            }
        }
    }

    /// The stored column that holds `field` unfolded, for the overview headers and metadata.
    static func overviewColumn(forHeader field: String) -> String? {
        switch field.lowercased() {
        case "subject": "a.subject"
        case "from": "a.from_header"
        case "date": "a.date_header"
        case "message-id": "a.message_id"
        case "references": "a.references_header"
        case "xref": "a.xref"
        case ":bytes", "bytes": "a.bytes"
        case ":lines", "lines": "a.lines"
        default: nil
        }
    }

    /// The unfolded value of the first header `name` in a stored head; `""` when absent.
    static func headerValue(named name: String, inHead head: Data) -> String {
        guard let article = try? Article(parsing: Array(head)) else { return "" }
        return article[name] ?? ""
    }
}

extension DatabaseValue {
    /// Text of a stored header column: strings as they are, numbers in decimal.
    fileprivate func description(asHeaderValue: Void) -> String {
        switch self.storage {
        case .null: ""
        case .int64(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .blob(let data): String(decoding: data, as: UTF8.self)
        }
    }
}

extension [UInt8] {
    /// Appends the decimal digits of a non-negative number without making a String.
    mutating func appendDecimal(_ value: Int64) {
        var rest = value.magnitude
        var divisor: UInt64 = 1
        while rest / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            self.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
