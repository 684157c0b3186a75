import Foundation
import GRDB
import NewsArticle
import Synchronization

/// An article's number in one group.
public struct GroupNumber: Hashable, Sendable {
    public var group: String
    public var number: Int64

    public init(group: String, number: Int64) {
        self.group = group
        self.number = number
    }
}

/// The forum's database: groups, articles, personas, requests and the schedule, in one SQLite
/// file in WAL mode. Persistence only: what an article means is the forum layer's business
/// (`FORLLMForum`), which composes the steps of ``StoreTransaction`` inside ``write(_:)``.
///
/// Like GRDB's `AppDatabase`, it owns the one `DatabaseWriter` of the file, runs the
/// migrations when it opens it, and offers the transactions that keep the invariants (article
/// numbers never reused, a request claimed by one worker only). Every method is safe to call
/// from many tasks.
public final class ForumDatabase: Sendable {
    /// The writer of the file. `DatabasePool` for files, `DatabaseQueue` in tests.
    let writer: any DatabaseWriter
    /// Notified after requests were queued by this process.
    public let queueSignal = QueueSignal()
    /// Notified after Maildir deliveries or removals were queued by this process.
    public let deliverySignal = QueueSignal()
    /// Notified after articles were queued for the search index by this process.
    public let searchSignal = QueueSignal()
    /// The group table and the newest articles in memory, for the news server's hot reads;
    /// `nil` unless opened with a capacity (``open(path:readCacheBytes:)``).
    public let readCache: ReadCache?
    /// What keeps ``readCache`` current; the writer's transactions note their inserts to it.
    let readCacheObserver: ReadCacheObserver?
    /// The writer connection's `PRAGMA data_version` when ``checkOtherWriters()`` last looked.
    private let lastDataVersion: Mutex<Int64>

    /// Wraps `writer` and migrates it to the current schema. Blocks: call it off async code
    /// (``open(path:)`` does).
    init(_ writer: any DatabaseWriter, readCacheBytes: Int = 0) throws {
        self.writer = writer
        // WAL with synchronous=FULL: every commit fsyncs the WAL before `write` returns, so an
        // article the server answered 240 (or 250) for survives a power cut, not only kill -9.
        // That fsync is what the forum's group commit (`InjectionBatcher`) shares among the
        // posts that arrive meanwhile. Set here, on the writer, and not in the configuration's
        // `prepareDatabase`: `DatabasePool` turns WAL on after that has run, and sets NORMAL.
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(writer)
        // Only a cache needs to know of other writers (the CLI opens without one).
        self.lastDataVersion = Mutex(
            readCacheBytes > 0 ? try writer.writeWithoutTransaction { try Self.dataVersion($0) } : 0
        )
        for (table, signal) in [("search_pending", self.searchSignal), ("delivery", self.deliverySignal)] {
            writer.add(transactionObserver: QueueObserver(table: table, signal: signal), extent: .databaseLifetime)
        }
        if readCacheBytes > 0 {
            let cache = ReadCache(capacity: readCacheBytes)
            let observer = ReadCacheObserver(cache: cache)
            writer.add(transactionObserver: observer, extent: .databaseLifetime)
            self.readCache = cache
            self.readCacheObserver = observer
        } else {
            self.readCache = nil
            self.readCacheObserver = nil
        }
    }

    /// Opens (creating when needed) the database file at `path` in WAL mode and migrates it,
    /// on a thread of its own: opening a file and migrating it block, and async code must
    /// never block (its threads are the event loops'). Throws ``StoreError`` `.cannotOpen`
    /// naming the file and the reason.
    /// - Parameter readCacheBytes: the capacity of ``readCache``; 0: no cache. Only the
    ///   server's process has one: it must also run ``checkOtherWriters()`` regularly.
    public static func open(path: String, readCacheBytes: Int = 0) async throws -> ForumDatabase {
        try await Self.offTheEventLoops { try Self.openBlocking(path: path, readCacheBytes: readCacheBytes) }
    }

    /// What ``open(path:readCacheBytes:)`` runs on its own thread.
    private static func openBlocking(path: String, readCacheBytes: Int) throws -> ForumDatabase {
        do {
            let pool = try DatabasePool(path: path, configuration: Self.grdbConfiguration())
            return try ForumDatabase(pool, readCacheBytes: readCacheBytes)
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
    public static func inMemory(readCacheBytes: Int = 0) throws -> ForumDatabase {
        try ForumDatabase(DatabaseQueue(configuration: Self.grdbConfiguration()), readCacheBytes: readCacheBytes)
    }

    /// How often the server runs ``checkOtherWriters()``: the longest a change made by another
    /// process (the `forllm` CLI) stays unseen by the ``readCache``.
    public static let otherWritersInterval: Duration = .milliseconds(50)

    /// Whether another process committed to the file since the last call; if so, empties the
    /// ``readCache``. SQLite's `PRAGMA data_version` on the writer connection changes exactly
    /// when another connection committed (this process writes through that connection only),
    /// and reading it touches only the WAL index in shared memory.
    @discardableResult
    public func checkOtherWriters() async throws -> Bool {
        guard let cache = self.readCache else { return false }
        let version = try await self.writer.writeWithoutTransaction { try Self.dataVersion($0) }
        let changed = self.lastDataVersion.withLock { last in
            defer { last = version }
            return last != version
        }
        if changed { cache.invalidateAll() }
        return changed
    }

    private static func dataVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
    }

    /// The GRDB settings every connection to the file uses.
    static func grdbConfiguration() -> Configuration {
        var configuration = Configuration()
        // The CLI and the server share the file: wait for the other's write instead of failing.
        configuration.busyMode = .timeout(10)
        // Temporary tables, indexes and statement journals in memory, not in files: SQLite's
        // default creates, unlinks and writes a file in /var/tmp for them (a batch of posts,
        // each in its savepoint, spilled one about every twelve posts under load).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return configuration
    }

    /// Closes the file; for graceful shutdown. Checkpoints the WAL into the main file, on a
    /// thread of its own (it writes the file: async code must not block).
    public func close() async throws {
        try await Self.offTheEventLoops { try self.closeBlocking() }
    }

    /// Runs blocking file work (opening, migrating, checkpointing) on a dispatch queue while
    /// the calling task waits suspended: async code runs on the event loops and must not block.
    private static func offTheEventLoops<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private func closeBlocking() throws {
        if let pool = self.writer as? DatabasePool {
            // Another connection (the CLI) may hold a read: then the WAL stays and the next
            // open checkpoints it. Closing goes on either way.
            _ = try? pool.writeWithoutTransaction { db in
                try db.checkpoint(.truncate)
            }
            try pool.close()
        } else if let queue = self.writer as? DatabaseQueue {
            try queue.close()
        }
    }
}
