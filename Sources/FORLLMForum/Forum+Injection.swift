import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Parses, validates and injects an article as a client sent it (unstuffed, CRLF lines).
    /// Throws ``ArticleError``, ``ForumError`` or ``StoreError`` for a refused article (their
    /// `message` is what the poster should read) and other errors for storage failures.
    public func inject(
        raw: [UInt8],
        origin: ArticleOrigin = .user,
        account: ForumUser? = nil
    ) async throws -> InjectedArticle {
        let article = try Article(parsing: raw)
        return try await self.inject(article, origin: origin, account: account)
    }

    /// Validates and injects `article`: everything derived from it (numbers in each group,
    /// overview, thread links, the requests it asks for) is written in one transaction, which
    /// the articles injected meanwhile may share (group commit, ``InjectionBatcher``: each in a
    /// savepoint of its own). It returns once that transaction has committed.
    /// - Parameter account: the logged-in reader who posts it (NNTP after AUTHINFO): its From
    ///   must be one of theirs, it withdraws only what they may (``withdraw(_:by:account:because:now:_:)``),
    ///   and their name goes into `Injection-Info`.
    public func inject(
        _ article: Article,
        origin: ArticleOrigin = .user,
        account: ForumUser? = nil
    ) async throws -> InjectedArticle {
        let now = self.now()
        var checked = try self.prepare(article, origin: origin, now: now)
        if let account {
            try self.checkAuthor(checked.facts.from, of: account)
            checked.account = account
        }
        let prepared = checked
        let injected = try await self.injections.commit(
            InjectionBatcher.Item(prepared: prepared, origin: origin, now: now),
            forum: self
        )
        if !injected.requestIDs.isEmpty { self.database.queueSignal.notify() }
        if origin == .user { self.emitPosted(prepared, injected, now: now) }
        return injected
    }

    /// The work that needs no database: validation and parsing of what the article asks for.
    func prepare(_ article: Article, origin: ArticleOrigin, now: Date) throws -> PreparedArticle {
        var policy = self.configuration.postingPolicy
        if origin == .imported {
            policy.maximumAge = .infinity
            policy.requiresBody = false
        }
        let facts = try article.validateForPosting(now: now, policy: policy)
        var request: ForumRequest?
        if origin == .user, let value = article[ForumRequest.headerName] {
            request = try ForumRequest(parsing: value)
        }
        let plainText = ArticleText.plainText(of: article)
        var mentions: [[String]] = []
        var vote: ArticleVote?
        switch origin {
        case .user, .persona:
            let text = ArticleText.authoredText(plainText)
            if text.utf8.contains(UInt8(ascii: "@")) {
                mentions = Mentions.chains(in: text)
            }
            if origin == .user {
                vote = try ArticleVote(of: article, authoredText: text, references: facts.references)
            }
        case .system, .imported:
            break
        }
        return PreparedArticle(
            article: article,
            facts: facts,
            request: request,
            mentions: mentions,
            plainText: plainText,
            vote: vote
        )
    }

    /// Inserts a prepared article inside the caller's transaction: a control message and a
    /// post to `forllm.personas` are applied instead of stored; any other article is stamped
    /// with the headers only the injecting server sets, numbered, and asks for its answers.
    func insert(
        _ prepared: PreparedArticle,
        origin: ArticleOrigin,
        now: Date,
        _ transaction: StoreTransaction
    ) throws
        -> InjectedArticle
    {
        let facts = prepared.facts
        let hostname = self.configuration.hostname
        if origin == .user, let control = prepared.article["Control"] {
            return try self.applyControl(control, prepared, now: now, transaction)
        }
        if origin == .user, facts.newsgroups.contains(ForumDatabase.personasGroupName) {
            return try self.applyPersonaPost(prepared, now: now, transaction)
        }

        var groups: [GroupRow] = []
        for name in facts.newsgroups {
            guard let group = try transaction.group(named: name) else {
                throw ArticleError(.invalidNewsgroups, "Newsgroups: no such group '\(name)'")
            }
            if !group.postingAllowed, origin == .user {
                throw ArticleError(.invalidNewsgroups, "Newsgroups: posting to '\(name)' is not allowed")
            }
            groups.append(group)
        }

        var article = prepared.article
        let messageID = facts.messageID ?? MessageID.generate(domain: hostname)
        if facts.messageID != nil, try transaction.articleExists(messageID: messageID.value) {
            throw ForumError(.duplicateArticle, "Message-ID \(messageID.value) is already on the server (duplicate)")
        }

        let votedAnswer = try self.votedAnswer(of: prepared, transaction)

        // A new version of an article of the poster's own replaces it (RFC 5537 §5.4); one
        // that is not here (any more) is simply not replaced.
        if origin == .user, let value = prepared.article["Supersedes"] {
            guard let target = MessageID(validating: value) else {
                throw ArticleError(.invalidHeaderValue, "Supersedes: '\(value.prefix(80))' is not a message-id")
            }
            _ = try self.withdraw(
                target,
                by: facts.from,
                account: prepared.account,
                because: "Supersedes",
                now: now,
                transaction
            )
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
        if let account = prepared.account {
            // RFC 5536 §3.2.8: who posted it, for the administrator (a name of [a-z0-9._@+-],
            // quoted as the grammar's quoted-string allows).
            article.append(
                try HeaderField(name: "Injection-Info", value: "\(hostname); posting-account=\"\(account.name)\"")
            )
        }

        var author: PersonaAuthorship?
        if case .persona(let id, let version, let request) = origin {
            author = PersonaAuthorship(personaID: id, version: version, requestID: request)
        }
        let root = facts.references.first ?? messageID
        let stored = try transaction.insertArticle(
            article,
            messageID: messageID,
            parent: facts.references.last,
            root: root,
            groups: groups,
            hostname: hostname,
            author: author,
            now: now
        )
        try self.enqueueDeliveries(articleID: stored.id, messageID: messageID, groups: groups, now: now, transaction)
        try self.indexForSearch(
            article,
            id: stored.id,
            messageID: messageID,
            origin: origin,
            now: now,
            transaction
        )
        if let votedAnswer {
            try self.recordVote(of: prepared, articleID: stored.id, on: votedAnswer, now: now, transaction)
            return InjectedArticle(messageID: messageID, numbers: stored.numbers, requestIDs: [])
        }
        let requestIDs = try self.queueRequests(
            for: prepared,
            articleID: stored.id,
            messageID: messageID,
            root: root,
            home: groups[0],
            origin: origin,
            now: now,
            transaction
        )
        return InjectedArticle(messageID: messageID, numbers: stored.numbers, requestIDs: requestIDs)
    }

    /// Injects an article FORLLM writes itself (a card, a report, a notice) inside the caller's
    /// transaction, unless one with its Message-ID is stored already.
    @discardableResult
    func insertSystemArticle(_ article: Article, now: Date, _ transaction: StoreTransaction) throws -> InjectedArticle {
        try self.insertUnlessStored(
            self.prepare(article, origin: .system, now: now),
            origin: .system,
            now: now,
            transaction
        )
    }

    /// Inserts an article of the forum's own (an answer, a notice, a card), whose Message-ID is
    /// fixed before it is written, unless that Message-ID is stored already: a request that runs
    /// twice never posts twice.
    func insertUnlessStored(
        _ prepared: PreparedArticle,
        origin: ArticleOrigin,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> InjectedArticle {
        if let id = prepared.facts.messageID, try transaction.articleExists(messageID: id.value) {
            return InjectedArticle(messageID: id, numbers: [], requestIDs: [])
        }
        return try self.insert(prepared, origin: origin, now: now, transaction)
    }
}
