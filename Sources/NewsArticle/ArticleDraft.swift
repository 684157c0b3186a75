import Foundation

/// A new article composed here (by `forllm post` or by the LLM worker), turned into a valid
/// ``Article`` by ``build()``.
public struct ArticleDraft: Hashable, Sendable {
    public var from: Mailbox
    public var newsgroups: [String]
    /// Plain text; encoded as RFC 2047 when not ASCII.
    public var subject: String
    public var references: [MessageID]
    public var messageID: MessageID?
    public var date: Date?
    /// Further header fields, in order, values already header-safe (ASCII or encoded).
    public var extraHeaders: [(name: String, value: String)]
    /// The body as text with LF or CRLF line ends.
    public var text: String
    /// Wrap `text` as format=flowed (``Wrapping/flowed(_:width:)``); otherwise keep lines
    /// as they are (breaking only lines over 998 octets).
    public var flowed: Bool

    public init(
        from: Mailbox, newsgroups: [String], subject: String, references: [MessageID] = [], messageID: MessageID? = nil,
        date: Date? = nil, extraHeaders: [(name: String, value: String)] = [], text: String, flowed: Bool = true
    ) {
        self.from = from
        self.newsgroups = newsgroups
        self.subject = subject
        self.references = references
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
        self.text = text
        self.flowed = flowed
    }

    /// The article: From (``Mailbox/headerValue``), Newsgroups (comma-joined), Subject
    /// (``EncodedWord/encodeUnstructured(_:)``), Date and Message-ID when set, References
    /// (space-joined, folded), the extra headers, `MIME-Version: 1.0`,
    /// `Content-Type: text/plain; charset=UTF-8` (`; format=flowed` when flowed),
    /// `Content-Transfer-Encoding: 8bit` (`7bit` when the body is ASCII); body with CRLF line
    /// ends and a final CRLF. Throws when a header value cannot be made valid.
    public func build() throws(ArticleError) -> Article {
        fatalError("unimplemented")
    }

    public static func == (lhs: ArticleDraft, rhs: ArticleDraft) -> Bool {
        lhs.from == rhs.from && lhs.newsgroups == rhs.newsgroups && lhs.subject == rhs.subject
            && lhs.references == rhs.references && lhs.messageID == rhs.messageID && lhs.date == rhs.date
            && lhs.extraHeaders.map(\.name) == rhs.extraHeaders.map(\.name)
            && lhs.extraHeaders.map(\.value) == rhs.extraHeaders.map(\.value) && lhs.text == rhs.text
            && lhs.flowed == rhs.flowed
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.subject)
        hasher.combine(self.text)
    }
}
