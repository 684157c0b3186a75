import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// A control message from a reader (RFC 5537 §5). Only `cancel` is accepted: it is what a
    /// newsreader's "Cancel Message" sends. The control message itself is not stored and asks
    /// for no answer.
    ///
    /// ```
    /// Control: cancel <mx52q9q2.1n9pvlcochcbf@forllm.local>
    /// ```
    /// - SeeAlso: [RFC 5537 §5.3](https://datatracker.ietf.org/doc/html/rfc5537#section-5.3)
    func applyControl(
        _ value: String,
        _ prepared: PreparedArticle,
        now: Date,
        _ transaction: StoreTransaction
    ) throws
        -> InjectedArticle
    {
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let verb = words.first?.lowercased() else {
            throw ArticleError(.invalidHeaderValue, "Control: the header is empty")
        }
        guard verb == "cancel" else {
            throw ArticleError(
                .invalidHeaderValue,
                "Control: '\(verb)' messages are not accepted here, only cancel (groups are managed with forllm group)"
            )
        }
        guard words.count == 2, let target = MessageID(validating: String(words[1])) else {
            throw ArticleError(
                .invalidHeaderValue,
                "Control: cancel takes one message-id, like 'cancel <id@example.org>'"
            )
        }
        guard
            try self.withdraw(
                target,
                by: prepared.facts.from,
                account: prepared.account,
                because: "Control: cancel",
                now: now,
                transaction
            )
        else {
            throw ArticleError(.invalidHeaderValue, "Control: cancel: there is no article \(target.value) here")
        }
        return InjectedArticle(
            messageID: prepared.facts.messageID ?? MessageID.generate(domain: self.configuration.hostname),
            numbers: [],
            requestIDs: []
        )
    }

    /// Removes `target` from every group on behalf of `author`, for a cancel or a
    /// `Supersedes`. Allowed for the poster's own articles and for the forum's articles
    /// (personas' answers, FORLLM's notices) that follow up one of the poster's own; not for
    /// persona cards (they change with a "persona: NAME" post) nor for other people's articles
    /// or the answers to them. "Own" means: posted with an address of the logged-in `account`,
    /// or, without a login (loopback), with the same From address as `author`. Requests still
    /// waiting to answer the article are cancelled. Its numbers are never given out again.
    /// - Returns: `false` when there is no such article.
    func withdraw(
        _ target: MessageID,
        by author: Mailbox,
        account: ForumUser?,
        because header: String,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> Bool {
        guard let stored = try transaction.articleSummary(messageID: target.value) else { return false }
        if try transaction.isPersonaCard(messageID: target.value) {
            throw ArticleError(
                .invalidHeaderValue,
                "\(header): \(target.value) is a persona card; change personas by posting 'persona: NAME' "
                    + "to \(ForumDatabase.personasGroupName) or with forllm persona"
            )
        }
        let own = Set(account?.addresses ?? [author.address.lowercased()])
        func address(_ from: String?) -> String? {
            from.flatMap { try? Mailbox(parsing: $0) }?.address.lowercased()
        }
        let poster = address(stored.fromHeader)
        let isForum = stored.authorPersonaID != nil || poster == self.systemMailbox.address.lowercased()
        if isForum {
            let asker = address(stored.parentFromHeader)
            guard let asker, own.contains(asker) else {
                throw ArticleError(
                    .invalidHeaderValue,
                    "\(header): \(target.value) answers \(asker ?? "no article of yours"), "
                        + "not \(account.map { "user \($0.name)" } ?? author.address)"
                )
            }
        } else if !(poster.map(own.contains) ?? false) {
            throw ArticleError(
                .invalidHeaderValue,
                "\(header): \(target.value) was posted by \(poster ?? "someone else"), "
                    + "not by \(account.map { "user \($0.name)" } ?? author.address)"
            )
        }
        try transaction.cancelRequests(
            ofArticle: stored.id,
            reason: "the article was withdrawn by its author",
            now: now
        )
        try self.enqueueRemovals(articleID: stored.id, now: now, transaction)
        try transaction.deleteArticle(id: stored.id)
        return true
    }
}
