import FORLLMStore
import Foundation
import NewsArticle

/// What the forum's rules need to know about the installation.
public struct ForumConfiguration: Hashable, Sendable {
    /// Used in `Path`, `Xref`, generated Message-IDs and persona addresses.
    public var hostname: String
    /// Limits applied to every injected article.
    public var postingPolicy: PostingPolicy
    /// Most persona-to-persona answers in one thread (mentions in persona answers).
    public var maximumPersonaTurns: Int
    /// Most persona-to-persona answers queued in any 24 hours, all threads together.
    public var maximumPersonaTurnsPerDay: Int = 50
    /// Most persona answers in a row below an article of a person (a branch's depth).
    public var maximumPersonaDepth: Int = 6
    /// The groups whose articles are delivered to Maildirs (`mail.groups`); `nil`: mail is off
    /// and no delivery is queued.
    public var deliveredGroups: GroupFilter? = nil
    /// log2 of scrypt's N for new password hashes (``PasswordHash``); tests lower it.
    public var passwordCost: Int = PasswordHash.defaultLogRounds
    /// Memory for the news server's ``ReadCache`` (`server.read_cache_mb`), in megabytes; 0: none.
    /// Only `forllm serve` opens the forum with it (``Forum/open(path:configuration:now:readCache:)``).
    public var readCacheMegabytes: Int = 128

    public init(
        hostname: String = "forllm.local",
        postingPolicy: PostingPolicy = .init(),
        maximumPersonaTurns: Int = 4
    ) {
        self.hostname = hostname
        self.postingPolicy = postingPolicy
        self.maximumPersonaTurns = maximumPersonaTurns
    }
}

/// The forum: the one front door for articles and the one home of the forum's rules.
///
/// Every way an article arrives (NNTP `POST`, `forllm post`, a persona's answer, FORLLM's own
/// notices and persona cards; next: mail and feeds) goes through ``inject(_:origin:)``, which
/// validates it once and decides what it means: a control message, a persona card, or an
/// article that may ask personas for answers. The rules live here and nowhere else; the
/// store (``ForumDatabase``) only persists, in transactions the forum composes
/// (``ForumDatabase/write(_:)``), so an article and everything derived from it commit together.
///
/// Time comes from one injected source, ``now``: the entry points never pass dates of their own.
public final class Forum: Sendable {
    /// The store, for reads (the NNTP server's hot paths read it directly).
    public let database: ForumDatabase
    public let configuration: ForumConfiguration
    /// The wall clock: every date the forum stores or writes into an article comes from it.
    public let now: @Sendable () -> Date
    /// What happened, for hooks and the status publisher (``ForumEvent``).
    public let events = ForumEventBus()
    /// The group commit of ``inject(_:origin:account:)``: posts that arrive during a write
    /// share the next transaction (``InjectionBatcher``).
    let injections = InjectionBatcher()

    public init(
        database: ForumDatabase,
        configuration: ForumConfiguration = .init(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.configuration = configuration
        self.now = now
    }

    /// Opens the database file at `path` (creating and migrating it when needed) and posts
    /// the persona cards it lacks (a fresh database, or `forllm.personas` created again).
    /// - Parameter readCache: whether to keep the ``ReadCache`` of
    ///   ``ForumConfiguration/readCacheMegabytes`` (the server; the CLI's short commands do not).
    public static func open(
        path: String,
        configuration: ForumConfiguration = .init(),
        now: @escaping @Sendable () -> Date = { Date() },
        readCache: Bool = false
    ) async throws -> Forum {
        let database = try await ForumDatabase.open(
            path: path,
            readCacheBytes: readCache ? configuration.readCacheMegabytes << 20 : 0
        )
        let forum = Forum(database: database, configuration: configuration, now: now)
        try await forum.postMissingCards()
        return forum
    }

    /// A fresh forum in memory, for tests.
    public static func inMemory(
        configuration: ForumConfiguration = .init(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> Forum {
        let forum = Forum(database: try ForumDatabase.inMemory(), configuration: configuration, now: now)
        try await forum.postMissingCards()
        return forum
    }

    /// Closes the database (graceful shutdown).
    public func close() async throws {
        try await self.database.close()
    }

    /// The address FORLLM itself writes from (notices, cards, reports).
    var systemMailbox: Mailbox {
        Mailbox(displayName: "FORLLM", address: "forllm@\(self.configuration.hostname)")
    }
}
