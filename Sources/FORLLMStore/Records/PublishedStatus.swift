import Foundation
import GRDB

/// The article of `forllm.status` that tells about one request, as last posted: kept so that a
/// restart neither posts a second article for the request nor leaves the old one behind.
public struct PublishedStatus: Hashable, Sendable {
    public var requestID: Int64
    /// The article posted (and not withdrawn yet).
    public var messageID: String
    /// What it said, so that an unchanged status is not posted again.
    public var digest: String
    public var postedAt: Date

    public init(requestID: Int64, messageID: String, digest: String, postedAt: Date) {
        self.requestID = requestID
        self.messageID = messageID
        self.digest = digest
        self.postedAt = postedAt
    }
}

extension PublishedStatus: FetchableRecord {
    public init(row: Row) throws {
        self.requestID = row["request_id"]
        self.messageID = row["message_id"]
        self.digest = row["digest"]
        self.postedAt = Date(timeIntervalSince1970: row["posted_at"])
    }
}
