/// The overview fields of an article (RFC 3977 §8.3), with the sanitising the readers expect.
///
/// ```
/// 3000234\tI am just a test article\t"Demo User" <nobody@example.com>\t6 Oct 1998 04:38:40 -0500\t<45223423@example.com>\t<45454@example.net>\t1234\t17\tXref: news.example.com misc.test:3000363
/// ```
/// - SeeAlso: [RFC 3977 §8.3](https://datatracker.ietf.org/doc/html/rfc3977#section-8.3)
public struct OverviewFields: Hashable, Sendable {
    public var subject: String
    public var from: String
    public var date: String
    public var messageID: String
    public var references: String
    /// `:bytes`: octets of the whole article as stored (CRLF line ends, unstuffed).
    public var bytes: Int
    /// `:lines`: lines of the body.
    public var lines: Int

    public init(subject: String, from: String, date: String, messageID: String, references: String, bytes: Int, lines: Int) {
        self.subject = subject
        self.from = from
        self.date = date
        self.messageID = messageID
        self.references = references
        self.bytes = bytes
        self.lines = lines
    }

    /// The fields of `article`, each raw header value unfolded and ``sanitize(_:)``d
    /// (encoded words left encoded, as servers do). `bytes` is `article.serialized.count`.
    public init(article: Article) {
        fatalError("unimplemented")
    }

    /// Tab, CR and LF (and NUL) become a space, per RFC 3977 §8.3.1.
    public static func sanitize(_ value: String) -> String {
        fatalError("unimplemented")
    }

    /// Fields 2 to 8 and the `Xref:full` field of an overview line, joined by TAB, without the
    /// leading article number and the trailing CRLF:
    /// `subject TAB from TAB date TAB message-id TAB references TAB bytes TAB lines TAB Xref: value`
    /// (the last field empty when `xref` is nil). The server prepends `number TAB`.
    public func line(xref: String?) -> [UInt8] {
        fatalError("unimplemented")
    }
}
