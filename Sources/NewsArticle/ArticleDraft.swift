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
        from: Mailbox,
        newsgroups: [String],
        subject: String,
        references: [MessageID] = [],
        messageID: MessageID? = nil,
        date: Date? = nil,
        extraHeaders: [(name: String, value: String)] = [],
        text: String,
        flowed: Bool = true
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
    ///
    /// Line breaks and tabs in `subject` and the display name become spaces. An extra header
    /// that repeats a field the draft writes itself is refused (`.duplicateHeader`).
    public func build() throws(ArticleError) -> Article {
        var fields: [HeaderField] = []
        fields.reserveCapacity(10 + self.extraHeaders.count)

        var from = self.from
        from.displayName = from.displayName.map(Self.singleLine)
        from.comment = from.comment.map(Self.singleLine)
        guard Mailbox.isValidAddress(Array(from.address.utf8)[...]) else {
            throw ArticleError(.invalidFrom, "From: \(from.address.quotedForMessage()) is not a valid address")
        }
        fields.append(try HeaderField(name: "From", value: from.headerValue))

        guard !self.newsgroups.isEmpty else {
            throw ArticleError(.invalidNewsgroups, "Newsgroups: no newsgroup named")
        }
        for group in self.newsgroups where !NewsgroupName.isValid(group) {
            throw ArticleError(
                .invalidNewsgroups,
                "Newsgroups: \(group.quotedForMessage()) is not a valid newsgroup name"
            )
        }
        fields.append(try HeaderField(name: "Newsgroups", value: self.newsgroups.joined(separator: ",")))

        let subject = Self.singleLine(self.subject).trimmingASCIIWhitespace()
        guard !subject.isEmpty else {
            throw ArticleError(.missingHeader, "Subject header is empty")
        }
        fields.append(try HeaderField(name: "Subject", value: EncodedWord.encodeUnstructured(subject)))

        if let date = self.date {
            fields.append(try HeaderField(name: "Date", value: NewsDate.format(date)))
        }
        if let messageID = self.messageID {
            fields.append(try HeaderField(name: "Message-ID", value: messageID.value))
        }
        if !self.references.isEmpty {
            let references = self.references.map(\.value).joined(separator: " ")
            fields.append(try HeaderField(name: "References", value: references))
        }

        let body = self.bodyBytes()
        let mimeFields = [
            ("MIME-Version", "1.0"),
            ("Content-Type", self.flowed ? "text/plain; charset=UTF-8; format=flowed" : "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", body.contains(where: { $0 >= 0x80 }) ? "8bit" : "7bit")
        ]
        let written = fields.map(\.name) + mimeFields.map(\.0)
        for extra in self.extraHeaders {
            if written.contains(where: { asciiCaseInsensitiveEqual($0.utf8, extra.name.utf8) }) {
                throw ArticleError(
                    .duplicateHeader,
                    "\(extra.name) header is written by the draft itself and cannot be given again"
                )
            }
            fields.append(try HeaderField(name: extra.name, value: extra.value))
        }
        for (name, value) in mimeFields {
            fields.append(try HeaderField(name: name, value: value))
        }
        return Article(fields: fields, body: body)
    }

    /// The body octets: CRLF line ends, a final CRLF, no other CR; empty for empty text.
    private func bodyBytes() -> [UInt8] {
        if self.text.isEmpty { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.text.utf8.count + self.text.utf8.count / 30 + 2)
        if self.flowed {
            let wrapped = Wrapping.flowed(self.text)
            for line in wrapped.utf8.split(separator: ASCII.lf, omittingEmptySubsequences: false) {
                // A stray CR inside a line would be a bare CR on the wire.
                bytes.append(contentsOf: line.lazy.filter { $0 != ASCII.cr })
                bytes.append(contentsOf: ASCII.crlf)
            }
            return bytes
        }
        var text = self.text[...]
        if text.utf8.last == ASCII.lf { text = Substring(text.utf8.dropLast()) }
        for line in splitAllLines(text) {
            // Lines are kept, but none may exceed 998 octets: cut at character boundaries.
            var rest = Array(line.utf8)[...]
            repeat {
                var cut = rest.endIndex
                if rest.count > HeaderField.maximumLineLength {
                    cut = rest.startIndex + HeaderField.maximumLineLength
                    while cut > rest.startIndex + 1, rest[cut] & 0xC0 == 0x80 { cut -= 1 }
                }
                bytes.append(contentsOf: rest[..<cut].filter { $0 != ASCII.cr })
                bytes.append(contentsOf: ASCII.crlf)
                rest = rest[cut...]
            } while !rest.isEmpty
        }
        return bytes
    }

    /// `text` with CR, LF and TAB replaced by spaces.
    private static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == ASCII.tab }) else { return text }
        return String(
            decoding: text.utf8.map { $0 == ASCII.cr || $0 == ASCII.lf || $0 == ASCII.tab ? ASCII.space : $0 },
            as: UTF8.self
        )
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
