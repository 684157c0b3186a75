/// What the full-text index holds for one article: three columns, weighted in that order
/// (a word in the subject counts most).
public struct SearchDocument: Hashable, Sendable {
    /// The subject, encoded words decoded.
    public var subject: String
    /// The author: display name and address.
    public var author: String
    /// The decoded body text (and the text of attachments).
    public var body: String

    public init(subject: String, author: String, body: String) {
        self.subject = subject
        self.author = author
        self.body = body
    }
}
