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

    public init(
        subject: String,
        from: String,
        date: String,
        messageID: String,
        references: String,
        bytes: Int,
        lines: Int
    ) {
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
        var subject: String?
        var from: String?
        var date: String?
        var messageID: String?
        var references: String?
        for field in article.fields {
            let name = field.name.utf8
            switch name.count {
            case 4 where date == nil && field.hasName("Date"): date = field.value
            case 4 where from == nil && field.hasName("From"): from = field.value
            case 7 where subject == nil && field.hasName("Subject"): subject = field.value
            case 10 where messageID == nil && field.hasName("Message-ID"): messageID = field.value
            case 10 where references == nil && field.hasName("References"): references = field.value
            default: break
            }
        }
        self.subject = Self.sanitize(subject ?? "")
        self.from = Self.sanitize(from ?? "")
        self.date = Self.sanitize(date ?? "")
        self.messageID = Self.sanitize(messageID ?? "")
        // A reader reads the overview line by line (Python's nntplib refuses lines over 2048
        // octets): a References field grown long is trimmed here as for a follow-up
        // (RFC 5537 §3.4.4). The article itself keeps the header as posted.
        var referencesValue = references ?? ""
        if referencesValue.utf8.count > Threading.maximumReferencesLength {
            referencesValue = Threading.trimmed(Threading.parseReferences(referencesValue)).map(\.value)
                .joined(separator: " ")
        }
        self.references = Self.sanitize(referencesValue)
        self.bytes = article.serializedByteCount
        self.lines = article.bodyLineCount
    }

    /// Tab, CR and LF (and NUL) become a space, per RFC 3977 §8.3.1.
    public static func sanitize(_ value: String) -> String {
        guard value.utf8.contains(where: Self.isUnsafe) else { return value }
        return String(decoding: value.utf8.map { Self.isUnsafe($0) ? ASCII.space : $0 }, as: UTF8.self)
    }

    private static func isUnsafe(_ byte: UInt8) -> Bool {
        byte == ASCII.tab || byte == ASCII.cr || byte == ASCII.lf || byte == ASCII.nul
    }

    /// Fields 2 to 8 and the `Xref:full` field of an overview line, joined by TAB, without the
    /// leading article number and the trailing CRLF:
    /// `subject TAB from TAB date TAB message-id TAB references TAB bytes TAB lines TAB Xref: value`
    /// (the last field empty when `xref` is nil or empty). Fields are sanitised again, so
    /// values set by hand cannot break the line.
    public func line(xref: String?) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(
            self.subject.utf8.count + self.from.utf8.count + self.date.utf8.count + self.messageID.utf8.count
                + self.references.utf8.count + 64 + (xref?.utf8.count ?? 0)
        )
        func append(_ text: String) {
            for byte in text.utf8 { line.append(Self.isUnsafe(byte) ? ASCII.space : byte) }
            line.append(ASCII.tab)
        }
        append(self.subject)
        append(self.from)
        append(self.date)
        append(self.messageID)
        append(self.references)
        append(String(self.bytes))
        append(String(self.lines))
        if let xref, !xref.isEmpty {
            line.append(contentsOf: "Xref: ".utf8)
            for byte in xref.utf8 { line.append(Self.isUnsafe(byte) ? ASCII.space : byte) }
        }
        return line
    }
}
