import Foundation
import NIOCore

/// What the NNTP server needs from storage. The server knows nothing else about it: the
/// application adapts its store to this protocol, and the server's tests use a fake.
///
/// Article numbers are per group, never reused. Every method is safe to call concurrently from
/// many sessions. Methods throw only for storage failures (the session answers `403`); "not
/// found" is `nil` or an empty result.
public protocol NNTPBackend: Sendable {
    /// Every group, for `LIST ACTIVE`, `LIST NEWSGROUPS`, `LIST COUNTS`, `LIST ACTIVE.TIMES`,
    /// `NEWGROUPS`. The server filters with wildmats itself.
    func groups() async throws -> [NNTPGroupInfo]

    /// One group by exact name, for `GROUP` and `LISTGROUP`.
    func group(named name: String) async throws -> NNTPGroupInfo?

    /// Article numbers present in `group` within `range`, ascending (`LISTGROUP`).
    func articleNumbers(inGroup group: String, range: ClosedRange<Int64>) async throws -> [Int64]

    /// The article with the lowest number greater than `number` (`.next`) or the highest lower
    /// than `number` (`.previous`) in `group` (`NEXT`, `LAST`).
    func neighbour(
        inGroup group: String,
        of number: Int64,
        direction: NNTPNeighbourDirection
    ) async throws -> NNTPArticleRef?

    /// The Message-ID of article `number` in `group` (`STAT n`), or `nil` when there is none.
    func articleRef(inGroup group: String, number: Int64) async throws -> NNTPArticleRef?

    /// Article `number` of `group` (`ARTICLE`/`HEAD`/`BODY` by number).
    func article(inGroup group: String, number: Int64) async throws -> NNTPArticle?

    /// The article with `messageID` (angle brackets included) wherever it is.
    func article(messageID: String) async throws -> NNTPArticle?

    /// Overview lines of the articles of `group` with numbers in `range`, ascending, at most
    /// `limit` of them. The server calls again from `lastNumber + 1` until a batch comes back
    /// with fewer than `limit` lines, so a range of 100,000 is served in bounded memory.
    func overview(inGroup group: String, range: ClosedRange<Int64>, limit: Int) async throws -> NNTPOverviewBatch

    /// The overview fields (without the number) of the article with `messageID`, and its numbers.
    func overview(messageID: String) async throws -> NNTPOverviewEntry?

    /// The values of header `field` (case-insensitive, e.g. `subject`, `x-forllm-persona`) or of
    /// the metadata items `:bytes` / `:lines`, for the articles of `group` in `range`, ascending,
    /// at most `limit`. Values are unfolded; an article without the header has `""`.
    /// Paged like ``overview(inGroup:range:limit:)``.
    func headerValues(
        field: String,
        inGroup group: String,
        range: ClosedRange<Int64>,
        limit: Int
    ) async throws -> [NNTPHeaderValue]

    /// Message-IDs and groups of the articles that arrived at or after `date` (`NEWNEWS`),
    /// oldest first. The server filters by wildmat.
    func articles(arrivedSince date: Date) async throws -> [NNTPNewArticle]

    /// Injects an article (unstuffed wire form, CRLF lines) posted by a client. The backend
    /// validates it fully (syntax, groups, duplicate Message-ID, dates) and stores it with
    /// everything derived from it in one transaction.
    /// - Parameter user: who posts it: the name `AUTHINFO` logged in with, `nil` without a login.
    func post(_ article: [UInt8], user: String?) async -> NNTPPostOutcome

    /// `AUTHINFO USER`/`PASS`: whether the pair is valid. Failed tries are slowed down by the
    /// server (``NNTPLoginThrottle``), not here.
    func authenticate(user: String, password: String) async -> Bool

    // MARK: Answers from memory

    /// The group named `name` when the backend holds it in memory; `nil` when it does not, or
    /// would have to wait to find out (the server then asks ``group(named:)``).
    ///
    /// The three `…InMemory` reads are called on an event loop (``NNTPLoopAnswerer``): they
    /// must return at once and never wait on I/O. What they return must be what the `async`
    /// read would return at that moment. The defaults hold nothing.
    func groupInMemory(named name: String) -> NNTPGroupInfo?

    /// Article `number` of `group` when held in memory (see ``groupInMemory(named:)``).
    func articleInMemory(inGroup group: String, number: Int64) -> NNTPArticle?

    /// The article with `messageID` when held in memory (see ``groupInMemory(named:)``).
    func articleInMemory(messageID: String) -> NNTPArticle?
}

extension NNTPBackend {
    public func groupInMemory(named name: String) -> NNTPGroupInfo? { nil }
    public func articleInMemory(inGroup group: String, number: Int64) -> NNTPArticle? { nil }
    public func articleInMemory(messageID: String) -> NNTPArticle? { nil }
}

/// Direction for ``NNTPBackend/neighbour(inGroup:of:direction:)``.
public enum NNTPNeighbourDirection: Hashable, Sendable {
    case next
    case previous
}

/// Posting status of a group as `LIST ACTIVE` shows it.
public enum NNTPPostingStatus: Hashable, Sendable {
    /// `y`
    case allowed
    /// `n`
    case notAllowed
    /// `m`
    case moderated
}

/// A group as the server reports it.
public struct NNTPGroupInfo: Hashable, Sendable {
    public var name: String
    /// Reported low water mark, ≥ 1. For an empty group: `high + 1`.
    public var low: Int64
    /// Reported high water mark: the highest number ever assigned (0 when none was).
    public var high: Int64
    /// Number of articles present.
    public var count: Int64
    public var status: NNTPPostingStatus
    /// One line, for `LIST NEWSGROUPS`.
    public var description: String
    public var createdAt: Date
    /// For `LIST ACTIVE.TIMES`.
    public var creator: String

    public init(
        name: String,
        low: Int64,
        high: Int64,
        count: Int64,
        status: NNTPPostingStatus,
        description: String,
        createdAt: Date,
        creator: String
    ) {
        self.name = name
        self.low = low
        self.high = high
        self.count = count
        self.status = status
        self.description = description
        self.createdAt = createdAt
        self.creator = creator
    }
}

/// An article's number in a group and its Message-ID.
public struct NNTPArticleRef: Hashable, Sendable {
    public var number: Int64
    public var messageID: String

    public init(number: Int64, messageID: String) {
        self.number = number
        self.messageID = messageID
    }
}

/// A stored article.
public struct NNTPArticle: Sendable {
    public var messageID: String
    /// The whole article, unstuffed, CRLF lines.
    public var bytes: ByteBuffer
    /// Octets of the header section up to and including the CRLF of its last line; the empty
    /// line follows, then the body.
    public var headerLength: Int
    /// The article's number in each group it is in.
    public var numbers: [String: Int64]

    public init(messageID: String, bytes: ByteBuffer, headerLength: Int, numbers: [String: Int64]) {
        self.messageID = messageID
        self.bytes = bytes
        self.headerLength = headerLength
        self.numbers = numbers
    }
}

/// A page of overview data.
public struct NNTPOverviewBatch: Sendable {
    /// Complete lines, `number TAB subject TAB ... TAB Xref: ... CRLF`, ascending; they never
    /// start with `.`, so they go out as they are.
    public var lines: ByteBuffer
    /// How many lines `lines` holds.
    public var count: Int
    /// The number of the last line, `nil` when `count` is 0.
    public var lastNumber: Int64?

    public init(lines: ByteBuffer, count: Int, lastNumber: Int64?) {
        self.lines = lines
        self.count = count
        self.lastNumber = lastNumber
    }
}

/// The overview of one article looked up by Message-ID.
public struct NNTPOverviewEntry: Sendable {
    /// `subject TAB from TAB ... TAB Xref: ...` without the leading number and without CRLF.
    public var fields: ByteBuffer
    /// The article's number in each group it is in.
    public var numbers: [String: Int64]

    public init(fields: ByteBuffer, numbers: [String: Int64]) {
        self.fields = fields
        self.numbers = numbers
    }
}

/// One `HDR`/`XHDR`/`XPAT` value.
public struct NNTPHeaderValue: Hashable, Sendable {
    public var number: Int64
    /// Unfolded; may contain tabs, which the server turns into spaces.
    public var value: String

    public init(number: Int64, value: String) {
        self.number = number
        self.value = value
    }
}

/// An article for `NEWNEWS`.
public struct NNTPNewArticle: Hashable, Sendable {
    public var messageID: String
    public var groups: [String]

    public init(messageID: String, groups: [String]) {
        self.messageID = messageID
        self.groups = groups
    }
}

/// The result of ``NNTPBackend/post(_:)``.
public enum NNTPPostOutcome: Hashable, Sendable {
    /// Stored (`240`).
    case posted(messageID: String)
    /// Refused (`441`): `reason` is one line for a person, naming the header and the problem.
    case rejected(reason: String)
    /// Refused because an article with its Message-ID is here already: `441 435 Duplicate`
    /// and `reason`, the form posting tools (INN's, suck, pullnews) look for.
    case duplicate(reason: String)
}
