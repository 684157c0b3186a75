import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import NIOCore
import NNTPServer
import NewsArticle

/// The NNTP server's view of the forum: the one place where the server meets the forum.
/// Articles go in through the forum's front door (``Forum/inject(_:origin:)``); reads go
/// straight to the store, which keeps them cheap.
public struct ForumBackend: NNTPBackend {
    public let forum: Forum
    var database: ForumDatabase { self.forum.database }
    let logger: Logger
    /// `AUTHINFO` credentials, when configured.
    public let credentials: (user: String, password: String)?
    /// Checks an article's `X-FORLLM-Request` against what the LLM side knows (models,
    /// backends) before it is stored; returns a reason to refuse it, or `nil`.
    public let requestCheck: (@Sendable (Article) async -> String?)?

    public init(
        forum: Forum,
        credentials: (user: String, password: String)? = nil,
        requestCheck: (@Sendable (Article) async -> String?)? = nil,
        logger: Logger
    ) {
        self.forum = forum
        self.logger = logger
        self.credentials = credentials
        self.requestCheck = requestCheck
    }

    public func groups() async throws -> [NNTPGroupInfo] {
        try await self.database.groups().map(Self.info)
    }

    public func group(named name: String) async throws -> NNTPGroupInfo? {
        try await self.database.group(named: name).map(Self.info)
    }

    public func groupInMemory(named name: String) -> NNTPGroupInfo? {
        self.database.groupInMemory(named: name).map(Self.info)
    }

    public func articleInMemory(inGroup group: String, number: Int64) -> NNTPArticle? {
        self.database.articleInMemory(inGroup: group, number: number).map(Self.article)
    }

    public func articleInMemory(messageID: String) -> NNTPArticle? {
        self.database.articleInMemory(messageID: messageID).map(Self.article)
    }

    public func articleNumbers(inGroup group: String, range: ClosedRange<Int64>) async throws -> [Int64] {
        try await self.database.articleNumbers(inGroup: group, range: range)
    }

    public func neighbour(
        inGroup group: String,
        of number: Int64,
        direction: NNTPNeighbourDirection
    ) async throws -> NNTPArticleRef? {
        try await self.database.neighbour(inGroup: group, of: number, next: direction == .next).map {
            NNTPArticleRef(number: $0.number, messageID: $0.messageID)
        }
    }

    public func articleRef(inGroup group: String, number: Int64) async throws -> NNTPArticleRef? {
        try await self.database.articleRef(inGroup: group, number: number).map {
            NNTPArticleRef(number: $0.number, messageID: $0.messageID)
        }
    }

    public func article(inGroup group: String, number: Int64) async throws -> NNTPArticle? {
        try await self.database.article(inGroup: group, number: number).map(Self.article)
    }

    public func article(messageID: String) async throws -> NNTPArticle? {
        try await self.database.article(messageID: messageID).map(Self.article)
    }

    public func overview(
        inGroup group: String,
        range: ClosedRange<Int64>,
        limit: Int
    ) async throws
        -> NNTPOverviewBatch
    {
        let page = try await self.database.overview(inGroup: group, range: range, limit: limit)
        return NNTPOverviewBatch(lines: ByteBuffer(bytes: page.bytes), count: page.count, lastNumber: page.lastNumber)
    }

    public func overview(messageID: String) async throws -> NNTPOverviewEntry? {
        guard let entry = try await self.database.overview(messageID: messageID) else { return nil }
        return NNTPOverviewEntry(fields: ByteBuffer(bytes: entry.fields), numbers: Self.numbers(entry.numbers))
    }

    public func headerValues(
        field: String,
        inGroup group: String,
        range: ClosedRange<Int64>,
        limit: Int
    ) async throws -> [NNTPHeaderValue] {
        try await self.database.headerValues(field: field, inGroup: group, range: range, limit: limit).map {
            NNTPHeaderValue(number: $0.number, value: $0.value)
        }
    }

    public func articles(arrivedSince date: Date) async throws -> [NNTPNewArticle] {
        try await self.database.articles(arrivedSince: date).map {
            NNTPNewArticle(messageID: $0.messageID, groups: $0.groups)
        }
    }

    public func post(_ bytes: [UInt8], user: String?) async -> NNTPPostOutcome {
        do {
            let article = try Article(parsing: bytes)
            if let check = self.requestCheck, let reason = await check(article) {
                return .rejected(reason: reason)
            }
            // A user of `forllm user`; the shared `server.auth` account is none.
            var account: ForumUser?
            if let user { account = try await self.forum.database.user(named: user.lowercased()) }
            let injected = try await self.forum.inject(article, origin: .user, account: account)
            return .posted(messageID: injected.messageID.value)
        } catch let error as ArticleError {
            return .rejected(reason: error.message)
        } catch let error as ForumError where error.code == .duplicateArticle {
            return .duplicate(reason: error.message)
        } catch let error as ForumError {
            return .rejected(reason: error.message)
        } catch let error as StoreError {
            return .rejected(reason: error.message)
        } catch {
            // A storage failure (disk full, I/O error): the poster reads that it was not
            // stored, the operator reads why. SQLite's text never goes to a client.
            self.logger.error("Could not store a posted article", metadata: ["error": "\(error)"])
            return .rejected(reason: "the article could not be stored (a server error; the server's log says why)")
        }
    }

    /// The users of `forllm user` first, then the shared account of `server.auth`.
    public func authenticate(user: String, password: String) async -> Bool {
        do {
            if try await self.forum.authenticate(name: user, password: password) != nil { return true }
        } catch {
            self.logger.error("Cannot check a login", metadata: ["error": "\(error)"])
            return false
        }
        guard let credentials = self.credentials else { return false }
        return Self.constantTimeEqual(user, credentials.user) && Self.constantTimeEqual(password, credentials.password)
    }

    // MARK: - Conversions

    static func info(_ group: Newsgroup) -> NNTPGroupInfo {
        NNTPGroupInfo(
            name: group.name,
            low: group.lowNumber,
            high: group.lastNumber,
            count: group.articleCount,
            status: group.postingAllowed ? .allowed : .notAllowed,
            description: group.description,
            createdAt: group.createdAt,
            creator: group.creator
        )
    }

    static func article(_ stored: StoredArticle) -> NNTPArticle {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(stored.head.count + 2 + stored.body.count)
        buffer.writeBytes(stored.head)
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(stored.body)
        return NNTPArticle(
            messageID: stored.messageID,
            bytes: buffer,
            headerLength: stored.head.count,
            numbers: Self.numbers(stored.numbers)
        )
    }

    static func numbers(_ numbers: [GroupNumber]) -> [String: Int64] {
        Dictionary(numbers.map { ($0.group, $0.number) }, uniquingKeysWith: { first, _ in first })
    }

    /// Compares without an early exit, so timing does not reveal how much of a password matched.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
