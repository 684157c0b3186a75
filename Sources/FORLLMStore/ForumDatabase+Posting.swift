import Foundation
import GRDB
import NewsArticle

/// Who wrote an article being injected.
public enum ArticleOrigin: Hashable, Sendable {
    /// A person, through NNTP `POST` or `forllm post`.
    case user
    /// A persona answering request `requestID`.
    case persona(id: Int64, version: Int, requestID: Int64)
    /// FORLLM itself: error notices, persona cards, generation reports.
    case system
}

/// An article's number in one group.
public struct GroupNumber: Hashable, Sendable {
    public var group: String
    public var number: Int64

    public init(group: String, number: Int64) {
        self.group = group
        self.number = number
    }
}

/// The result of injecting an article.
public struct InjectedArticle: Hashable, Sendable {
    public var messageID: MessageID
    /// The article's number in each of its groups, in `Newsgroups` order.
    public var numbers: [GroupNumber]
    /// The requests queued because of it.
    public var requestIDs: [Int64]
}

extension ForumDatabase {
    /// Parses, validates and injects an article as a client sent it (unstuffed, CRLF lines).
    /// Throws ``ArticleError`` or ``StoreError`` for a refused article (their `message` is what
    /// the poster should read) and other errors for storage failures.
    public func inject(raw: [UInt8], origin: ArticleOrigin = .user, now: Date = Date()) async throws -> InjectedArticle {
        let article = try Article(parsing: raw)
        return try await self.inject(article, origin: origin, now: now)
    }

    /// Validates and injects `article`: everything derived from it (numbers in each group,
    /// overview, thread links, the requests it asks for) is written in one transaction.
    public func inject(_ article: Article, origin: ArticleOrigin = .user, now: Date = Date()) async throws
        -> InjectedArticle
    {
        let prepared = try self.prepare(article, origin: origin, now: now)
        let injected = try await self.writer.write { db in
            try self.insert(prepared, origin: origin, now: now, db)
        }
        if !injected.requestIDs.isEmpty { self.queueSignal.notify() }
        return injected
    }

    /// The work that needs no database: validation and parsing of what the article asks for.
    func prepare(_ article: Article, origin: ArticleOrigin, now: Date) throws -> PreparedArticle {
        let facts = try article.validateForPosting(now: now, policy: self.configuration.postingPolicy)
        var request: ForumRequest?
        if origin == .user, let value = article[ForumRequest.headerName] {
            request = try ForumRequest(parsing: value)
        }
        var mentions: [[String]] = []
        switch origin {
        case .user, .persona:
            let text = ArticleText.authoredText(ArticleText.plainText(of: article))
            if text.utf8.contains(UInt8(ascii: "@")) {
                mentions = Mentions.chains(in: text)
            }
        case .system:
            break
        }
        return PreparedArticle(article: article, facts: facts, request: request, mentions: mentions)
    }

    /// Inserts a prepared article inside the caller's write transaction.
    func insert(_ prepared: PreparedArticle, origin: ArticleOrigin, now: Date, _ db: Database) throws
        -> InjectedArticle
    {
        let facts = prepared.facts
        let hostname = self.configuration.hostname
        if origin == .user, let control = prepared.article["Control"] {
            return try self.applyControl(control, prepared, now: now, db)
        }
        if origin == .user, facts.newsgroups.contains(Self.personasGroupName) {
            return try self.applyPersonaPost(prepared, now: now, db)
        }

        var groups: [GroupRow] = []
        for name in facts.newsgroups {
            guard let group = try GroupRow.fetch(name: name, db) else {
                throw ArticleError(.invalidNewsgroups, "Newsgroups: no such group '\(name)'")
            }
            if !group.postingAllowed, origin == .user {
                throw ArticleError(.invalidNewsgroups, "Newsgroups: posting to '\(name)' is not allowed")
            }
            groups.append(group)
        }

        var article = prepared.article
        let messageID = facts.messageID ?? MessageID.generate(domain: hostname)
        if facts.messageID != nil {
            let exists =
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM article WHERE message_id = ?)"),
                    arguments: [messageID.value]
                ) ?? false
            if exists {
                throw StoreError(.alreadyExists, "Message-ID \(messageID.value) is already on the server (duplicate)")
            }
        }

        // A new version of an article of the poster's own replaces it (RFC 5537 §5.4); one
        // that is not here (any more) is simply not replaced.
        if origin == .user, let value = prepared.article["Supersedes"] {
            guard let target = MessageID(validating: value) else {
                throw ArticleError(.invalidHeaderValue, "Supersedes: '\(value.prefix(80))' is not a message-id")
            }
            _ = try self.withdraw(target, by: facts.from, because: "Supersedes", now: now, db)
        }

        // Headers that only the injecting server may set.
        for name in ["Path", "Xref", "Injection-Date", "Injection-Info"] {
            article.removeFields(named: name)
        }
        article.insert(try HeaderField(name: "Path", value: "\(hostname)!not-for-mail"), at: 0)
        if facts.messageID == nil {
            article.append(try HeaderField(name: "Message-ID", value: messageID.value))
        }
        if facts.date == nil {
            article.append(try HeaderField(name: "Date", value: NewsDate.format(now)))
        }
        article.append(try HeaderField(name: "Injection-Date", value: NewsDate.format(now)))

        var numbers: [GroupNumber] = []
        for index in groups.indices {
            groups[index].lastNumber += 1
            numbers.append(GroupNumber(group: groups[index].name, number: groups[index].lastNumber))
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

        var personaID: Int64?
        var personaVersion: Int?
        var requestID: Int64?
        if case .persona(let id, let version, let request) = origin {
            personaID = id
            personaVersion = version
            requestID = request
        }
        // Cached statements: this runs for every article, and preparing SQL (with GRDB's
        // authorizer) costs more than executing it.
        try db.cachedStatement(
            sql: """
                INSERT INTO article (message_id, parent_message_id, root_message_id, arrived_at, newsgroups,
                    author_persona_id, author_persona_version, request_id, subject, from_header, date_header,
                    references_header, xref, bytes, lines, head, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                messageID.value, facts.references.last?.value, (facts.references.first ?? messageID).value,
                now.timeIntervalSince1970, facts.newsgroups.joined(separator: ","), personaID, personaVersion,
                requestID, overview.subject, overview.from, overview.date, overview.references, xref,
                overview.bytes, overview.lines, Data(head), Data(article.body),
            ]
        )
        let articleID = db.lastInsertedRowID
        let overviewData = Data(overviewLine)
        for (group, number) in zip(groups, numbers) {
            try db.cachedStatement(
                sql: "INSERT INTO group_article (group_id, number, article_id, overview) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [group.id, number.number, articleID, overviewData])
            try db.cachedStatement(
                sql: "UPDATE newsgroup SET last_number = ?, article_count = article_count + 1 WHERE id = ?"
            ).execute(arguments: [number.number, group.id])
        }

        let requestIDs = try self.queueRequests(
            for: prepared,
            articleID: articleID,
            messageID: messageID,
            rootMessageID: (facts.references.first ?? messageID).value,
            home: groups[0],
            origin: origin,
            now: now,
            db
        )
        return InjectedArticle(messageID: messageID, numbers: numbers, requestIDs: requestIDs)
    }
}

/// An article validated outside the transaction.
struct PreparedArticle: Sendable {
    var article: Article
    var facts: PostingFacts
    var request: ForumRequest?
    var mentions: [[String]]
}

/// The columns of a group that injection needs.
struct GroupRow: Sendable {
    var id: Int64
    var name: String
    var mode: GroupMode
    var postingAllowed: Bool
    var lastNumber: Int64
    var defaultPersonaID: Int64?

    static func fetch(name: String, _ db: Database) throws -> GroupRow? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, name, mode, posting_allowed, last_number, default_persona_id
                        FROM newsgroup WHERE name = ? AND removed_at IS NULL
                        """
                ),
                arguments: [name]
            )
        else { return nil }
        return GroupRow(
            id: row["id"],
            name: row["name"],
            mode: GroupMode(rawValue: row["mode"]) ?? .request,
            postingAllowed: row["posting_allowed"],
            lastNumber: row["last_number"],
            defaultPersonaID: row["default_persona_id"]
        )
    }
}
