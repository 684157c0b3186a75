import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// The most hits FORLLM Search lists in its answer in `forllm.search`.
    public static let searchAnswerLimit = 20

    /// The address FORLLM Search answers from in `forllm.search`.
    var searchMailbox: Mailbox {
        Mailbox(displayName: "FORLLM Search", address: "search@\(self.configuration.hostname)")
    }

    /// Whether `article` goes into the full-text index: all but the queries and answers of
    /// `forllm.search` (posted there alone), which would otherwise turn up in every search for
    /// their words.
    static func isSearchable(_ article: Article) -> Bool {
        article.newsgroups != [ForumDatabase.searchGroupName]
    }

    /// The text the full-text index holds for `article`: the decoded subject, the author's
    /// display name and address, and the decoded body text. `nil` for an article not indexed
    /// (``isSearchable(_:)``).
    ///
    /// The one place that decides what is searchable: attachments are indexed by file name, and
    /// text attachments (code, CSV, patches) by their decoded text as well.
    static func searchDocument(of article: Article) -> SearchDocument? {
        guard Self.isSearchable(article) else { return nil }
        var author = ""
        if let from = article["From"] {
            if let mailbox = try? Mailbox(parsing: from) {
                let name = (mailbox.displayName ?? mailbox.comment) ?? ""
                author = name.isEmpty ? mailbox.address : "\(name) \(mailbox.address)"
            } else {
                author = EncodedWord.decode(from)
            }
        }
        // The body text (none when the whole post is an image or a PDF: its bytes are no text),
        // then each attached text file under its name, so a search finds the file's words too.
        var body =
            ArticleAttachment.bodyIsNotText(article) ? "" : ArticleText.plainText(of: article)
        for (index, attachment) in ArticleAttachment.attachments(of: article).enumerated() {
            body += "\n\n" + attachment.displayName(index: index)
            if let text = attachment.text { body += "\n" + text }
        }
        return SearchDocument(
            subject: EncodedWord.decode(article["Subject"] ?? ""),
            author: author,
            body: body
        )
    }

    /// What injection does for search, inside its transaction: queues the stored `article`
    /// for the index (``SearchIndexer`` writes it in batches, and every search first indexes
    /// what is queued), and answers a user's query posted to `forllm.search` (its Subject)
    /// with the hits, as a follow-up from FORLLM Search committed with the query. A query FTS5
    /// does not accept refuses the post (NNTP 441 with the reason): the newsreader keeps the
    /// draft to fix.
    func indexForSearch(
        _ article: Article,
        id: Int64,
        messageID: MessageID,
        origin: ArticleOrigin,
        now: Date,
        _ transaction: StoreTransaction
    ) throws {
        if Self.isSearchable(article) {
            try transaction.queueForSearch(articleID: id)
        }
        guard origin == .user, article.newsgroups.contains(ForumDatabase.searchGroupName) else { return }
        // The answer sees every article stored before the query: what waits for the index is
        // indexed first, in this transaction.
        while try Self.indexBatch(transaction) != nil {}
        try self.insertSystemArticle(
            try self.searchAnswer(to: article, messageID: messageID, now: now, transaction),
            now: now,
            transaction
        )
    }

    /// The query of a post to `forllm.search`: its decoded Subject without `Re:` prefixes.
    static func searchQuery(subject: String) -> String {
        let reply = Threading.replySubject(subject)
        return String(reply.dropFirst(3)).trimmingCharacters(in: .whitespaces)
    }

    /// FORLLM Search's answer to the query `article`: the hits as `news:` links with group,
    /// date, author and snippet.
    private func searchAnswer(
        to article: Article,
        messageID: MessageID,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> Article {
        let query = Self.searchQuery(subject: article["Subject"] ?? "")
        guard !query.isEmpty else {
            throw ForumError(
                .invalidInput,
                "\(ForumDatabase.searchGroupName): the Subject is the query, and it is empty"
            )
        }
        let hits: [SearchHit]
        do {
            hits = try transaction.search(SearchQuery(text: query, limit: Self.searchAnswerLimit)).map(Self.decoded)
        } catch let error as StoreError where error.code == .invalidInput {
            throw ForumError(
                .invalidInput,
                "\(ForumDatabase.searchGroupName): the Subject \"\(query)\" is not a search query: \(error.message)"
            )
        }
        return try ArticleDraft(
            from: self.searchMailbox,
            newsgroups: [ForumDatabase.searchGroupName],
            subject: article.followupSubject,
            references: article.followupReferences(messageID: messageID),
            messageID: MessageID.derived(
                from: "search.\(messageID.value.dropFirst().dropLast())",
                domain: self.configuration.hostname
            ),
            date: now,
            text: Self.searchAnswerText(query: query, hits: hits),
            flowed: false
        ).build()
    }

    /// The body of FORLLM Search's answer.
    static func searchAnswerText(query: String, hits: [SearchHit]) -> String {
        guard !hits.isEmpty else {
            return """
                Query: \(query)

                No article matches.

                The Subject is an FTS5 query: words (all must match), "a phrase", prefix*,
                OR, NOT, subject:word, author:name.
                """
        }
        var text = "Query: \(query)\n\n"
        text +=
            hits.count == Self.searchAnswerLimit
            ? "The \(hits.count) best matches:\n"
            : "\(hits.count) \(hits.count == 1 ? "article matches" : "articles match"):\n"
        for (index, hit) in hits.enumerated() {
            text += """

                \(index + 1). \(hit.subject)
                   news:\(hit.messageID.dropFirst().dropLast())
                   \(hit.newsgroups), \(Self.searchDate(hit)), \(hit.from)
                   \(hit.snippet)

                """
        }
        return text
    }

    /// Searches the full-text index: bm25 order (a subject match first), at most `limit`
    /// hits, only in the groups `groups` matches when given; subject and author decoded.
    /// The articles waiting for the index are indexed first, so a search finds every article
    /// stored before it began. Throws ``StoreError`` `.invalidInput` for a query FTS5 does not
    /// accept.
    public func search(_ text: String, groups: GroupFilter? = nil, limit: Int = 20) async throws -> [SearchHit] {
        var names: [String]?
        if let groups {
            names = try await self.database.groups().map(\.name).filter { groups.matches($0) }
        }
        try await self.buildSearchIndex()
        return try await self.database.search(SearchQuery(text: text, groups: names, limit: limit)).map(Self.decoded)
    }

    /// Indexes the articles waiting for the full-text index (those stored since the last
    /// pass, or before the index existed), in batches of one transaction each (a kill loses
    /// one batch at most; the next call resumes). When more than one batch waits, calls
    /// `progress` before the first batch, each time another `every` articles are done, and at
    /// the end. Returns how many articles it indexed.
    @discardableResult
    public func buildSearchIndex(
        every: Int = 10_000,
        progress: @Sendable (SearchIndexProgress) -> Void = { _ in }
    ) async throws -> Int {
        let waiting = try await self.database.searchIndexWaiting()
        guard waiting > 0 else { return 0 }
        // Counting every article for the progress is for a backlog worth showing only.
        let shows = waiting > ForumDatabase.searchIndexBatchSize
        var state = SearchIndexProgress(done: 0, total: waiting)
        if shows, let counted = try await self.database.searchIndexProgress() { state = counted }
        if shows { progress(state) }
        var reported = state.done
        var indexed = 0
        while let done = try await self.database.write({ try Self.indexBatch($0) }) {
            indexed += done
            state.done = min(state.done + done, state.total)
            if shows, state.done / max(every, 1) > reported / max(every, 1) {
                progress(state)
                reported = state.done
            }
        }
        if shows, reported != state.total {
            state.done = state.total
            progress(state)
        }
        return indexed
    }

    /// Indexes the next ``ForumDatabase/searchIndexBatchSize`` articles waiting for the index;
    /// returns how many, or `nil` when none was waiting.
    static func indexBatch(_ transaction: StoreTransaction) throws -> Int? {
        guard let batch = try transaction.searchIndexBacklog(limit: ForumDatabase.searchIndexBatchSize),
            let last = batch.last
        else { return nil }
        for stored in batch {
            // A stored article always parses; one that does not is left out of the index.
            guard let article = try? Article(parsing: stored.bytes),
                let document = Self.searchDocument(of: article)
            else { continue }
            try transaction.indexForSearch(articleID: stored.id, document)
        }
        try transaction.markSearchIndexed(through: last.id)
        return batch.count
    }

    /// `hit` with its subject and author decoded for a person.
    private static func decoded(_ hit: SearchHit) -> SearchHit {
        var hit = hit
        hit.subject = EncodedWord.decode(hit.subject)
        hit.from = EncodedWord.decode(hit.from)
        return hit
    }

    /// The article's date for a hit, `YYYY-MM-DD HH:MM` UTC (the Date header, else arrival).
    private static func searchDate(_ hit: SearchHit) -> String {
        let date = NewsDate.parse(hit.date) ?? hit.arrivedAt
        let components = Calendar(identifier: .gregorian).dateComponents(
            in: TimeZone(secondsFromGMT: 0) ?? .current,
            from: date
        )
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC",
            components.year ?? 0,
            components.month ?? 0,
            components.day ?? 0,
            components.hour ?? 0,
            components.minute ?? 0
        )
    }
}
