import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Posts the status article of a request to `forllm.status`, superseding (and removing) the
    /// one posted before for it, in one transaction with the record of what was posted; so a
    /// restart finds it and neither posts a second one nor leaves the old one behind.
    /// - Returns: `false` when nothing was posted: the group was removed, or the status says
    ///   what the article posted already says.
    @discardableResult
    public func publishStatus(_ report: StatusReport) async throws -> Bool {
        let now = self.now()
        let hostname = self.configuration.hostname
        return try await self.database.write { transaction in
            guard try transaction.group(named: ForumDatabase.statusGroupName) != nil else { return false }
            let previous = try transaction.publishedStatus(requestID: report.requestID)
            if let previous, previous.digest == report.digest { return false }
            var headers: [(name: String, value: String)] = [("X-FORLLM-Status", report.state)]
            if let previous { headers.append(("Supersedes", previous.messageID)) }
            let article = try ArticleDraft(
                from: self.systemMailbox,
                newsgroups: [ForumDatabase.statusGroupName],
                subject: report.subject,
                messageID: MessageID.generate(domain: hostname),
                date: now,
                extraHeaders: headers,
                text: report.text,
                flowed: false
            ).build()
            let injected = try self.insertSystemArticle(article, now: now, transaction)
            if let previous { try self.removeStatusArticle(previous.messageID, now: now, transaction) }
            try transaction.setPublishedStatus(
                PublishedStatus(
                    requestID: report.requestID,
                    messageID: injected.messageID.value,
                    digest: report.digest,
                    postedAt: now
                )
            )
            return true
        }
    }

    /// Withdraws the status article of a request (it is done, failed or cancelled, or gone).
    public func withdrawStatus(requestID: Int64) async throws {
        let now = self.now()
        try await self.database.write { transaction in
            guard let previous = try transaction.publishedStatus(requestID: requestID) else { return }
            try self.removeStatusArticle(previous.messageID, now: now, transaction)
            try transaction.removePublishedStatus(requestID: requestID)
        }
    }

    /// Removes a status article from its group and from the Maildirs it was delivered to.
    private func removeStatusArticle(_ messageID: String, now: Date, _ transaction: StoreTransaction) throws {
        try self.enqueueRemovals(messageID: messageID, now: now, transaction)
        try transaction.deleteArticle(messageID: messageID)
    }
}
