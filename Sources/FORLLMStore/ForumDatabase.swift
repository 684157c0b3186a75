import Foundation
import GRDB
import NewsArticle

/// What the store needs to know about the installation.
public struct StoreConfiguration: Hashable, Sendable {
    /// Used in `Path`, `Xref`, generated Message-IDs and persona addresses.
    public var hostname: String
    /// Limits applied to every injected article.
    public var postingPolicy: PostingPolicy
    /// Most persona-to-persona answers in one thread (mentions in persona answers).
    public var maximumPersonaTurns: Int

    public init(hostname: String = "forllm.local", postingPolicy: PostingPolicy = .init(), maximumPersonaTurns: Int = 4) {
        self.hostname = hostname
        self.postingPolicy = postingPolicy
        self.maximumPersonaTurns = maximumPersonaTurns
    }
}

/// The forum's database: groups, articles, personas, requests and the schedule, in one SQLite
/// file in WAL mode.
///
/// Like GRDB's `AppDatabase`, it owns the one `DatabaseWriter` of the file, runs the
/// migrations when it opens it, and offers the transactions that keep the invariants (article
/// numbers never reused, an article and everything derived from it written together, a
/// request claimed by one worker only). Every method is safe to call from many tasks.
public final class ForumDatabase: Sendable {
    /// The writer of the file. `DatabasePool` for files, `DatabaseQueue` in tests.
    public let writer: any DatabaseWriter
    public let configuration: StoreConfiguration
    /// Notified after requests were queued by this process.
    public let queueSignal = QueueSignal()

    /// Wraps `writer` and migrates it to the current schema.
    public init(_ writer: any DatabaseWriter, configuration: StoreConfiguration = .init()) throws {
        self.writer = writer
        self.configuration = configuration
        try Self.migrator.migrate(writer)
        try self.postMissingCards()
    }

    /// Opens (creating when needed) the database file at `path` in WAL mode and migrates it.
    /// Throws ``StoreError`` `.cannotOpen` naming the file and the reason.
    public static func open(path: String, configuration: StoreConfiguration = .init()) throws -> ForumDatabase {
        do {
            let pool = try DatabasePool(path: path, configuration: Self.grdbConfiguration())
            return try ForumDatabase(pool, configuration: configuration)
        } catch let error as DatabaseError {
            var reason = error.message ?? "\(error.resultCode)"
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                reason += " (the directory \(directory) does not exist)"
            }
            throw StoreError(.cannotOpen, "cannot open the database \(path): \(reason)")
        }
    }

    /// A fresh database in memory, for tests.
    public static func inMemory(configuration: StoreConfiguration = .init()) throws -> ForumDatabase {
        try ForumDatabase(DatabaseQueue(configuration: Self.grdbConfiguration()), configuration: configuration)
    }

    /// The GRDB settings every connection to the file uses.
    public static func grdbConfiguration() -> Configuration {
        var configuration = Configuration()
        // The CLI and the server share the file: wait for the other's write instead of failing.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives kill -9 (it is in the WAL, which the
            // OS holds); only a power cut can lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    /// Closes the file; for graceful shutdown. Checkpoints the WAL into the main file.
    public func close() throws {
        if let pool = self.writer as? DatabasePool {
            try? pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
            try pool.close()
        } else if let queue = self.writer as? DatabaseQueue {
            try queue.close()
        }
    }
}
