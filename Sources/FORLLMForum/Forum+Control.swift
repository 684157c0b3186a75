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
        guard try self.withdraw(target, by: prepared.facts.from, because: "Control: cancel", now: now, transaction)
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
    /// `Supersedes`: allowed for the author's own articles (the same From address) and for the
    /// forum's own (personas' answers, FORLLM's notices), not for persona cards (they change
    /// with a "persona: NAME" post) nor for other people's articles. Requests still waiting to
    /// answer the article are cancelled. Its numbers are never given out again.
    /// - Returns: `false` when there is no such article.
    func withdraw(
        _ target: MessageID,
        by author: Mailbox,
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
        let poster = (try? Mailbox(parsing: stored.fromHeader))?.address.lowercased()
        let isOwn = poster == author.address.lowercased()
        let isForum = stored.authorPersonaID != nil || poster == self.systemMailbox.address
        guard isOwn || isForum else {
            throw ArticleError(
                .invalidHeaderValue,
                "\(header): \(target.value) was posted by \(poster ?? "someone else"), not by \(author.address)"
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
