import Foundation
import GRDB

extension StoreTransaction {
    /// Queues a Maildir delivery of article `articleID` to each of `groups` (at most one per
    /// article and group: queuing again changes nothing); ``ForumDatabase/deliverySignal`` is
    /// notified once the transaction commits (``QueueObserver``), so that the deliverer starts
    /// at once.
    public func enqueueDeliveries(articleID: Int64, messageID: String, groups: [String], now: Date) throws {
        guard !groups.isEmpty else { return }
        for group in groups {
            try self.db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO delivery (article_id, message_id, group_name, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [articleID, messageID, group, now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    /// The copies of a withdrawn article leave the Maildirs: every delivery of article
    /// `articleID` that may have written a file waits for removal, and one that never started
    /// (no file name yet) is done with. Call before the article is deleted.
    public func enqueueRemovals(articleID: Int64, now: Date, notifying signal: QueueSignal?) throws {
        try self.db.execute(
            sql: """
                UPDATE delivery SET state = 'removed', updated_at = ?
                WHERE article_id = ? AND state = 'pending' AND file_name IS NULL
                """,
            arguments: [now.timeIntervalSince1970, articleID]
        )
        try self.db.execute(
            sql: """
                UPDATE delivery SET state = 'removal_pending', not_before = NULL, error = NULL, updated_at = ?
                WHERE article_id = ? AND state IN ('pending', 'delivered')
                """,
            arguments: [now.timeIntervalSince1970, articleID]
        )
        if self.db.changesCount > 0, let signal {
            self.db.afterNextTransaction { _ in signal.notify() }
        }
    }
}
