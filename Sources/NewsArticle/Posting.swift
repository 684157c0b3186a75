import Foundation

/// What the injecting side checks an article against.
public struct PostingPolicy: Hashable, Sendable {
    /// Largest article accepted, in octets of the unstuffed wire form.
    public var maximumBytes: Int
    /// A `Date` older than this is refused.
    public var maximumAge: TimeInterval
    /// A `Date` further in the future than this is refused.
    public var maximumFutureSkew: TimeInterval
    /// Whether an article without a body (no empty line after the header, or nothing after
    /// it) is refused, as INN does; an imported mail archive may hold such messages.
    public var requiresBody: Bool

    public init(
        maximumBytes: Int = 1_048_576,
        maximumAge: TimeInterval = 14 * 86_400,
        maximumFutureSkew: TimeInterval = 86_400,
        requiresBody: Bool = true
    ) {
        self.maximumBytes = maximumBytes
        self.maximumAge = maximumAge
        self.maximumFutureSkew = maximumFutureSkew
        self.requiresBody = requiresBody
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
        newsgroups: [String],
        followupTo: [String]?,
        from: Mailbox,
        subject: String,
        messageID: MessageID?,
        date: Date?,
        references: [MessageID]
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
        "MIME-Version"
    ]

    /// Checks the article as a client posted it, the way an injecting agent must
    /// (RFC 5537 §3.5): From, Newsgroups and Subject present and non-empty; no singleton
    /// header twice; Message-ID, Date, Newsgroups, Followup-To, References and From well formed;
    /// Date and Injection-Date not older than `policy.maximumAge` nor more than
    /// `policy.maximumFutureSkew` ahead of `now`; Expires a date; a body (unless
    /// `policy.requiresBody` is off); `serialized.count` within `policy.maximumBytes`. Whether the groups exist is the
    /// caller's business. Every error message names the header and says what is wrong.
    public func validateForPosting(now: Date, policy: PostingPolicy) throws(ArticleError) -> PostingFacts {
        let size = self.serializedByteCount
        guard size <= policy.maximumBytes else {
            throw ArticleError(.tooLarge, "article is \(size) bytes, the limit is \(policy.maximumBytes)")
        }
        try self.checkLines()

        // One pass over the fields: singletons counted, the fields we need picked out.
        var seen: [Int] = Array(repeating: 0, count: Self.singletonHeaders.count)
        var picked: [HeaderField?] = Array(repeating: nil, count: Self.singletonHeaders.count)
        for field in self.fields {
            guard let slot = Self.singletonSlot(field.name) else { continue }
            seen[slot] += 1
            if seen[slot] == 2 {
                throw ArticleError(
                    .duplicateHeader,
                    "\(Self.singletonHeaders[slot]) header appears more than once"
                )
            }
            picked[slot] = field
        }
        func value(_ name: String) -> String? {
            guard let slot = Self.singletonHeaders.firstIndex(of: name) else { return nil }
            return picked[slot]?.value
        }

        for name in ["From", "Newsgroups", "Subject"] {
            guard let value = value(name) else {
                throw ArticleError(.missingHeader, "\(name) header missing")
            }
            guard !value.isEmpty else {
                throw ArticleError(.missingHeader, "\(name) header is empty")
            }
        }

        let from: Mailbox
        do {
            from = try Mailbox(parsing: value("From") ?? "")
        } catch {
            throw ArticleError(.invalidFrom, "From: \(error.message)")
        }

        let newsgroups: [String]
        do {
            newsgroups = try NewsgroupName.parseList(value("Newsgroups") ?? "")
        } catch {
            throw ArticleError(.invalidNewsgroups, "Newsgroups: \(error.message)")
        }

        var followupTo: [String]?
        if let followup = value("Followup-To"), !followup.isEmpty,
            !asciiCaseInsensitiveEqual(followup.utf8, "poster".utf8)
        {
            do {
                followupTo = try NewsgroupName.parseList(followup)
            } catch {
                throw ArticleError(.invalidNewsgroups, "Followup-To: \(error.message)")
            }
        }

        var messageID: MessageID?
        if let text = value("Message-ID") {
            guard let id = MessageID(validating: text) else {
                let problem = MessageID.problem(text.utf8) ?? "invalid"
                throw ArticleError(
                    .invalidMessageID,
                    "Message-ID: \(text.quotedForMessage()) is not a valid message-id: \(problem)"
                )
            }
            messageID = id
        }

        var date: Date?
        if let text = value("Date") {
            date = try Self.checkDate(text, of: "Date", now: now, policy: policy)
        }
        // The client's Injection-Date is replaced by the server's, but a bad one is refused
        // as INN refuses it: a posting tool that sets it wants to know.
        if let text = value("Injection-Date") {
            _ = try Self.checkDate(text, of: "Injection-Date", now: now, policy: policy)
        }
        if let text = value("Expires"), NewsDate.parse(text) == nil {
            throw ArticleError(.invalidDate, "Expires: \(text.quotedForMessage()) is not a valid date")
        }
        if policy.requiresBody, self.body.isEmpty {
            throw ArticleError(
                .invalidBody,
                "the article has no body: after the header lines, an empty line and then the text"
            )
        }

        let references = value("References").map(Threading.parseReferences) ?? []
        return PostingFacts(
            newsgroups: newsgroups,
            followupTo: followupTo,
            from: from,
            subject: value("Subject") ?? "",
            messageID: messageID,
            date: date,
            references: references
        )
    }

    // MARK: - Helpers

    /// A date header's value, parsed and within the policy's age and future skew.
    private static func checkDate(
        _ text: String,
        of name: String,
        now: Date,
        policy: PostingPolicy
    ) throws(ArticleError) -> Date {
        guard let parsed = NewsDate.parse(text) else {
            throw ArticleError(.invalidDate, "\(name): \(text.quotedForMessage()) is not a valid date")
        }
        if parsed < now.addingTimeInterval(-policy.maximumAge) {
            throw ArticleError(
                .dateOutOfRange,
                "\(name) is more than \(Self.describe(policy.maximumAge)) in the past (\(NewsDate.formatDay(parsed)))"
            )
        }
        if parsed > now.addingTimeInterval(policy.maximumFutureSkew) {
            throw ArticleError(
                .dateOutOfRange,
                "\(name) is more than \(Self.describe(policy.maximumFutureSkew)) in the future "
                    + "(\(NewsDate.formatDay(parsed)))"
            )
        }
        return parsed
    }

    /// Lines of at most 998 octets (RFC 5322 §2.1.1; readers such as Python's nntplib refuse
    /// longer ones) and no NUL in the body (RFC 5536 §3.1: the body is text).
    private func checkLines() throws(ArticleError) {
        let limit = HeaderField.maximumLineLength
        for field in self.fields where field.raw.count > limit {
            var length = 0
            for byte in field.raw {
                if byte == ASCII.lf {
                    length = 0
                } else if byte != ASCII.cr {
                    length += 1
                    if length > limit {
                        throw ArticleError(
                            .lineTooLong,
                            "\(field.name): a header line is longer than \(limit) octets; fold it (RFC 5322 §2.1.1)"
                        )
                    }
                }
            }
        }
        var line = 1
        var length = 0
        for byte in self.body {
            switch byte {
            case ASCII.lf:
                line += 1
                length = 0
            case ASCII.cr:
                break
            case ASCII.nul:
                throw ArticleError(.invalidBody, "line \(line) of the body contains a NUL octet")
            default:
                length += 1
                if length == limit + 1 {
                    throw ArticleError(
                        .lineTooLong,
                        "line \(line) of the body is longer than \(limit) octets; wrap it (RFC 5322 §2.1.1)"
                    )
                }
            }
        }
    }

    private static let lowercasedSingletons: [String: Int] = Dictionary(
        uniqueKeysWithValues: Article.singletonHeaders.enumerated().map { ($1.lowercased(), $0) }
    )

    /// The index in ``singletonHeaders`` of a field name, compared case-insensitively.
    private static func singletonSlot(_ name: String) -> Int? {
        // Field names are short ASCII; the longest singleton is 25 octets.
        guard name.utf8.count <= 25 else { return nil }
        return Self.lowercasedSingletons[name.asciiLowercased()]
    }

    /// `14 days`, `1 day`, `36 hours`, `90 minutes`, `30 seconds`.
    private static func describe(_ interval: TimeInterval) -> String {
        func plural(_ value: Int, _ unit: String) -> String { "\(value) \(unit)\(value == 1 ? "" : "s")" }
        let seconds = Int(interval.rounded())
        if seconds % 86_400 == 0 && seconds > 0 { return plural(seconds / 86_400, "day") }
        if seconds % 3600 == 0 && seconds > 0 { return plural(seconds / 3600, "hour") }
        if seconds % 60 == 0 && seconds > 0 { return plural(seconds / 60, "minute") }
        return plural(seconds, "second")
    }
}
