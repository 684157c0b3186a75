import Foundation

/// What the injecting side checks an article against.
public struct PostingPolicy: Hashable, Sendable {
    /// Largest article accepted, in octets of the unstuffed wire form.
    public var maximumBytes: Int
    /// A `Date` older than this is refused.
    public var maximumAge: TimeInterval
    /// A `Date` further in the future than this is refused.
    public var maximumFutureSkew: TimeInterval

    public init(maximumBytes: Int = 1_048_576, maximumAge: TimeInterval = 14 * 86_400, maximumFutureSkew: TimeInterval = 86_400) {
        self.maximumBytes = maximumBytes
        self.maximumAge = maximumAge
        self.maximumFutureSkew = maximumFutureSkew
    }
}

/// The facts an injecting server needs of a valid article.
public struct PostingFacts: Hashable, Sendable {
    /// Groups of `Newsgroups`, in order, without duplicates.
    public var newsgroups: [String]
    /// `Followup-To` groups, `nil` when absent or `poster`.
    public var followupTo: [String]?
    public var from: Mailbox
    /// The raw Subject value (encoded words kept).
    public var subject: String
    /// `Message-ID`, when the client gave one.
    public var messageID: MessageID?
    /// `Date`, when the client gave one.
    public var date: Date?
    /// `References`, in order (possibly empty).
    public var references: [MessageID]

    public init(
        newsgroups: [String], followupTo: [String]?, from: Mailbox, subject: String, messageID: MessageID?,
        date: Date?, references: [MessageID]
    ) {
        self.newsgroups = newsgroups
        self.followupTo = followupTo
        self.from = from
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.references = references
    }
}

extension Article {
    /// Headers that occur at most once (RFC 5536 §3, RFC 5322 §3.6).
    public static let singletonHeaders: [String] = [
        "From", "Newsgroups", "Subject", "Message-ID", "Date", "References", "Followup-To", "Sender",
        "Reply-To", "Organization", "Path", "Xref", "Injection-Date", "Injection-Info", "Supersedes",
        "Control", "Approved", "Expires", "Distribution", "Lines", "Content-Type", "Content-Transfer-Encoding",
        "MIME-Version",
    ]

    /// Checks the article as a client posted it, the way an injecting agent must
    /// (RFC 5537 §3.5): From, Newsgroups and Subject present and non-empty; no singleton
    /// header twice; Message-ID, Date, Newsgroups, Followup-To, References and From well formed;
    /// Date not older than `policy.maximumAge` nor more than `policy.maximumFutureSkew` ahead of
    /// `now`; `serialized.count` within `policy.maximumBytes`. Whether the groups exist is the
    /// caller's business. Every error message names the header and says what is wrong.
    public func validateForPosting(now: Date, policy: PostingPolicy) throws(ArticleError) -> PostingFacts {
        fatalError("unimplemented")
    }
}
