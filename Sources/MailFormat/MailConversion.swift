import Crypto
import NewsArticle

/// Turns an RFC 5322 mail message into a news article, as values.
///
/// What changes, and nothing else (every other header and every body octet is kept, MIME
/// parts included):
/// 1. A leading mbox `From ` separator line is dropped (what `git format-patch` writes).
/// 2. Line ends become CRLF: a bare LF gets a CR; CRLF stays; a lone CR stays as it is.
/// 3. Headers that belong to the envelope or to one mailbox's storage, not to the message,
///    are removed (``envelopeHeaders``): a news article is copied to every reader, so `Bcc`
///    must never travel with it, and trace or folder-state headers would describe somebody
///    else's mailbox.
/// 4. `In-Reply-To` is folded into `References`: its first message-id (as jwz's threading
///    takes it) is appended to `References` unless already there (creating the header when
///    missing); the order of `References` is kept, and `In-Reply-To` itself stays.
/// 5. Without a `Message-ID`, one is derived from the octets when asked
///    (``derivedMessageID(of:domain:)``), so that the same message always gets the same one;
///    otherwise the injecting forum makes one.
public enum MailConversion {
    /// Headers removed from a mail before it becomes an article (compared case-insensitively):
    /// * envelope: `Bcc`, `Resent-Bcc` (blind copies must stay blind), `Return-Path`,
    ///   `Delivered-To`, `X-Original-To`, `Envelope-To`, `X-Envelope-From`, `X-Envelope-To`
    ///   (added by the delivering MTA);
    /// * trace: `Received` (the route through MTAs that are not this server's);
    /// * mailbox storage: `Status`, `X-Status`, `X-Keywords`, `X-UID`, `X-IMAP`, `X-IMAPbase`
    ///   (mutt, pine, Dovecot flags in mbox files), `Content-Length` (the mbox body length,
    ///   wrong once line ends change), and every `X-Mozilla-*` field (Thunderbird's flags).
    public static let envelopeHeaders: [String] = [
        "Bcc", "Resent-Bcc", "Return-Path", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-From",
        "X-Envelope-To", "Received", "Status", "X-Status", "X-Keywords", "X-UID", "X-IMAP", "X-IMAPbase",
        "Content-Length"
    ]
    /// Prefixes of further mailbox-storage headers removed like ``envelopeHeaders``.
    public static let envelopeHeaderPrefixes: [String] = ["X-Mozilla-"]

    private static let lowercasedEnvelopeHeaders = Set(Self.envelopeHeaders.map { $0.lowercased() })

    /// Whether a header of this name is removed (``envelopeHeaders``, ``envelopeHeaderPrefixes``).
    public static func isEnvelopeHeader(_ name: String) -> Bool {
        Self.lowercasedEnvelopeHeaders.contains(name.lowercased())
            || Self.envelopeHeaderPrefixes.contains { asciiHasPrefix(name, $0) }
    }

    /// The article for a mail message (LF or CRLF lines).
    ///
    /// - Parameter messageIDDomain: when the message has no `Message-ID`, one derived from its
    ///   octets is added with this domain; `nil` leaves it to the forum.
    /// - Throws: ``ArticleError`` when the header section is malformed (the message names the
    ///   line) or the message is empty.
    public static func article(
        fromMail bytes: some Collection<UInt8>,
        messageIDDomain: String? = nil
    ) throws(ArticleError) -> Article {
        let normalized = Self.crlfNormalized(Self.droppingSeparatorLine(bytes))
        var article = try Self.parse(normalized)
        let removed = Set(article.fields.map(\.name).filter(Self.isEnvelopeHeader))
        for name in removed { article.removeFields(named: name) }
        try Self.foldInReplyTo(into: &article)
        if let messageIDDomain, article["Message-ID"] == nil {
            let id = Self.derivedMessageID(of: normalized, domain: messageIDDomain)
            article.append(try HeaderField(name: "Message-ID", value: id.value))
        }
        return article
    }

    /// The mail message as it is, only parsed: a leading `From ` separator line dropped,
    /// line ends made CRLF, nothing removed or added (for reading `To`, `Cc` and `Bcc`).
    /// - Throws: ``ArticleError`` as ``article(fromMail:messageIDDomain:)``.
    public static func parsedMail(_ bytes: some Collection<UInt8>) throws(ArticleError) -> Article {
        try Self.parse(Self.crlfNormalized(Self.droppingSeparatorLine(bytes)))
    }

    private static func parse(_ normalized: [UInt8]) throws(ArticleError) -> Article {
        guard !normalized.isEmpty else {
            throw ArticleError(.missingHeader, "the message is empty")
        }
        return try Article(parsing: normalized)
    }

    /// A Message-ID that depends only on the message's octets: the first 128 bits of the
    /// SHA-256 of `bytes` (pass them CRLF-normalised, as ``article(fromMail:messageIDDomain:)``
    /// does, so that the LF and the CRLF copy of a message agree), in hex, at `domain`:
    /// `<3f7a…e1@forllm.local>`. An import that is interrupted and run again therefore finds
    /// the articles it stored already and skips them.
    public static func derivedMessageID(of bytes: some Collection<UInt8>, domain: String) -> MessageID {
        let digest = SHA256.hash(data: Array(bytes))
        let hex = digest.prefix(16).map { byte in
            String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }
        return MessageID.derived(from: hex.joined(), domain: domain)
    }

    /// `References` with `In-Reply-To`'s first message-id appended when it is not in it.
    static func foldInReplyTo(into article: inout Article) throws(ArticleError) {
        guard let inReplyTo = article["In-Reply-To"],
            let parent = Threading.parseReferences(inReplyTo).first
        else { return }
        let references = Threading.parseReferences(article["References"] ?? "")
        if references.contains(parent) { return }
        let ids = Threading.trimmed(references + [parent])
        let field = try HeaderField(name: "References", value: ids.map(\.value).joined(separator: " "))
        article.replace(with: field)
    }

    /// The octets without a first line that begins with `From ` (an mbox separator).
    static func droppingSeparatorLine(_ bytes: some Collection<UInt8>) -> ArraySlice<UInt8> {
        let array = ArraySlice(bytes)
        guard MailBytes.hasPrefix(array, MailBytes.fromSpace) else { return array }
        guard let newline = array.firstIndex(of: MailBytes.lf) else { return array[array.endIndex...] }
        return array[(newline + 1)...]
    }

    /// Every LF not preceded by CR gets one; nothing else changes.
    public static func crlfNormalized(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = ContiguousArray(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 32)
        var start = 0
        // Whole lines are copied at once; only the octet before each LF is looked at.
        while let newline = input[start...].firstIndex(of: MailBytes.lf) {
            output.append(contentsOf: input[start..<newline])
            if newline == 0 || input[newline - 1] != MailBytes.cr { output.append(MailBytes.cr) }
            output.append(MailBytes.lf)
            start = newline + 1
        }
        output.append(contentsOf: input[start...])
        return output
    }
}

/// Whether `text` starts with `prefix`, ASCII case-insensitively.
func asciiHasPrefix(_ text: String, _ prefix: String) -> Bool {
    text.utf8.count >= prefix.utf8.count && zip(text.utf8, prefix.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
}

func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
}
