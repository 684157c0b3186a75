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

    /// The text the full-text index holds for `article`: the decoded subject, the author's
    /// display name and address, and the decoded body text. `nil` for an article not indexed:
    /// the queries and answers of `forllm.search` (posted there alone), which would otherwise
    /// turn up in every search for their words.
    ///
    /// The one place that decides what is searchable: attachments are indexed by file name, and
    /// text attachments (code, CSV, patches) by their decoded text as well.
    /// - Parameter plainText: the article's ``ArticleText/plainText(of:)`` when the caller has
    ///   it already (injection decodes it once, outside the transaction).
    static func searchDocument(of article: Article, plainText: String? = nil) -> SearchDocument? {
        if article.newsgroups == [ForumDatabase.searchGroupName] { return nil }
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
            ArticleAttachment.bodyIsNotText(article) ? "" : plainText ?? ArticleText.plainText(of: article)
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

    /// What injection does for search, inside its transaction: indexes the stored `article`,
    /// and answers a user's query posted to `forllm.search` (its Subject) with the hits, as a
    /// follow-up from FORLLM Search committed with the query. A query FTS5 does not accept
    /// refuses the post (NNTP 441 with the reason): the newsreader keeps the draft to fix.
    func indexForSearch(
        _ article: Article,
        plainText: String,
        id: Int64,
        messageID: MessageID,
        origin: ArticleOrigin,
        now: Date,
        _ transaction: StoreTransaction
    ) throws {
        if let document = Self.searchDocument(of: article, plainText: plainText) {
            try transaction.indexForSearch(articleID: id, document)
        }
        guard origin == .user, article.newsgroups.contains(ForumDatabase.searchGroupName) else { return }
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
    /// Throws ``StoreError`` `.invalidInput` for a query FTS5 does not accept.
    public func search(_ text: String, groups: GroupFilter? = nil, limit: Int = 20) async throws -> [SearchHit] {
        var names: [String]?
        if let groups {
            names = try await self.database.groups().map(\.name).filter { groups.matches($0) }
        }
        return try await self.database.search(SearchQuery(text: text, groups: names, limit: limit)).map(Self.decoded)
    }

    /// Indexes the articles stored before the index existed, in batches of one transaction
    /// each (a kill loses one batch at most; the next call resumes), calling `progress`
    /// before the first batch, each time another `every` articles are done, and at the end.
    /// Returns at once, without calling it, when there is nothing to do.
    public func buildSearchIndex(
        every: Int = 10_000,
        progress: @Sendable (SearchIndexProgress) -> Void = { _ in }
    ) async throws {
        guard var state = try await self.database.searchIndexProgress() else { return }
        progress(state)
        var reported = state.done
        while true {
            let done = try await self.database.write { transaction -> Int? in
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
            guard let done else { break }
            state.done = min(state.done + done, state.total)
            if state.done / max(every, 1) > reported / max(every, 1) {
                progress(state)
                reported = state.done
            }
        }
        if reported != state.total {
            state.done = state.total
            progress(state)
        }
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
