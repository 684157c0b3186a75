import Foundation

/// A delivery the deliverer claimed: a copy of an article to write into a group's Maildir, or
/// one to remove from it (the article was withdrawn).
///
/// A claim is a lease: nobody else claims the row until ``ForumDatabase/recordDeliveries(_:now:)``
/// releases it or the lease runs out (a deliverer killed mid-way; the server's start releases
/// every claim at once).
public struct ClaimedDelivery: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Write the copy: the stored article's head (CRLF header lines) and body, and its
        /// `References` (for `In-Reply-To`).
        case deliver(head: Data, body: Data, references: String)
        /// Remove the file, wherever the reader moved it.
        case remove
    }

    public var id: Int64
    public var messageID: String
    public var group: String
    /// The Maildir unique name, fixed (and committed) before the first byte is written.
    public var fileName: String
    /// Whether an earlier try may have written the file already (it was claimed before and did
    /// not record its outcome): then the deliverer looks for it before writing.
    public var mayExist: Bool
    /// Tries so far, this one included.
    public var attempts: Int
    public var kind: Kind

    public init(
        id: Int64,
        messageID: String,
        group: String,
        fileName: String,
        mayExist: Bool,
        attempts: Int,
        kind: Kind
    ) {
        self.id = id
        self.messageID = messageID
        self.group = group
        self.fileName = fileName
        self.mayExist = mayExist
        self.attempts = attempts
        self.kind = kind
    }
}
