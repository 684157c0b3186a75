import Foundation
import GRDB

extension StoreTransaction {
    /// The status article posted for request `requestID`, if one is.
    public func publishedStatus(requestID: Int64) throws -> PublishedStatus? {
        try PublishedStatus.fetchOne(
            self.db.cachedStatement(sql: "SELECT * FROM status_article WHERE request_id = ?"),
            arguments: [requestID]
        )
    }

    /// Remembers the status article posted for a request (replacing the previous one's row).
    public func setPublishedStatus(_ status: PublishedStatus) throws {
        try self.db.cachedStatement(
            sql: """
                INSERT INTO status_article (request_id, message_id, digest, posted_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (request_id) DO UPDATE SET message_id = excluded.message_id, digest = excluded.digest,
                    posted_at = excluded.posted_at
                """
        ).execute(arguments: [status.requestID, status.messageID, status.digest, status.postedAt.timeIntervalSince1970])
    }

    /// Forgets the status article of a request (it was withdrawn).
    public func removePublishedStatus(requestID: Int64) throws {
        try self.db.cachedStatement(sql: "DELETE FROM status_article WHERE request_id = ?").execute(arguments: [
            requestID
        ])
    }
}
