import Foundation
import Synchronization

/// The group table and the newest (and most recently read) articles, in memory: what the news
/// server's hot commands (`GROUP`, `LIST`, `ARTICLE`/`HEAD`/`BODY`/`STAT`) read, so that they
/// are answered on the event loop that received them, without the hop to GRDB's reader queue
/// and back (two thread switches, most of a short command's time).
///
/// ## Kept current by commits
///
/// The cache never guesses: every entry is a copy of committed rows, and every commit that
/// changes them updates it before the writer goes on.
/// - **Commits of this process** go through the one writer connection, where
///   ``ReadCacheObserver`` (a GRDB `TransactionObserver`) sees which articles and groups they
///   touched. In `databaseDidCommit` (on the writer, before `write` returns to its caller) it
///   reads those rows back and calls ``committed(groups:removedGroups:articles:deletedArticles:)``.
///   So when a poster reads `240`, the group's new high water mark and the article itself are
///   already here for every connection.
/// - **Commits of other processes** (the `forllm` CLI on the same file) do not pass through the
///   observer. ``ForumDatabase/checkOtherWriters()`` asks SQLite whether the file changed under
///   another connection (`PRAGMA data_version` on the writer) and then empties the cache; the
///   server runs it every ``ForumDatabase/otherWritersInterval``. Their changes show within that
///   interval.
/// - **Misses** read the database as before and then fill the cache (read-through). A fill
///   carries the ``epoch`` seen before its read; any removal (a deleted article, a removed
///   group, another process's commit) bumps the epoch, so a fill that raced with one is
///   dropped instead of bringing back what was just removed.
///
/// ## Bounded
///
/// Articles take at most ``capacity`` bytes (their head and body plus a fixed overhead per
/// entry); beyond it the oldest entry (first stored) goes first. The group table is small and
/// always complete once loaded.
///
/// All state sits behind one `Mutex`: every method is a few dictionary operations, never I/O,
/// so it is safe to call from an event loop.
public final class ReadCache: Sendable {
    /// A cached article: the row ``StoredArticle`` and every number it has.
    struct Entry {
        var article: StoredArticle
        /// Where ``ReadCache/State/byNumber`` points at it.
        var keys: [GroupKey]
        var sequence: UInt64
        var cost: Int
    }

    struct GroupKey: Hashable {
        var groupID: Int64
        var number: Int64
    }

    struct State {
        /// Non-removed groups by name; `nil` until loaded (or after another process's commit).
        var groups: [String: Newsgroup]?
        var entries: [Int64: Entry] = [:]
        var byMessageID: [String: Int64] = [:]
        var byNumber: [GroupKey: Int64] = [:]
        /// Insertion order: sequence number → article id. Entries removed early leave a gap
        /// that eviction steps over.
        var order: [UInt64: Int64] = [:]
        var nextSequence: UInt64 = 0
        var oldestSequence: UInt64 = 0
        var bytes = 0
        var epoch: UInt64 = 0
        /// Bumped by every change to a group: a table read before it is not loaded after it.
        var groupsEpoch: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    /// Bytes of articles kept at most.
    public let capacity: Int
    /// What one entry costs beyond its head and body (dictionaries, strings, the record).
    static let entryOverhead = 256

    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// A snapshot of the cache's counters (for tests and the bench).
    public struct Statistics: Hashable, Sendable {
        public var articles: Int
        public var bytes: Int
        public var hits: Int
        public var misses: Int
        public var epoch: UInt64
    }

    public var statistics: Statistics {
        self.state.withLock {
            Statistics(
                articles: $0.entries.count,
                bytes: $0.bytes,
                hits: $0.hits,
                misses: $0.misses,
                epoch: $0.epoch
            )
        }
    }

    /// The epoch a read-through fill of an article must carry (see the type's documentation).
    var epoch: UInt64 {
        self.state.withLock { $0.epoch }
    }

    /// The epoch a fill of the group table must carry.
    var groupsEpoch: UInt64 {
        self.state.withLock { $0.groupsEpoch }
    }

    // MARK: - Groups

    /// Every group, or `nil` when the table is not loaded.
    var groups: [Newsgroup]? {
        self.state.withLock { state in
            guard let groups = state.groups else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return groups.values.sorted { $0.name < $1.name }
        }
    }

    /// `.some(group)` or `.some(nil)` (no such group) when the table is loaded, `nil` when not.
    func group(named name: String) -> Newsgroup?? {
        self.state.withLock { state in
            guard let groups = state.groups else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return .some(groups[name])
        }
    }

    /// Loads the whole group table, read at `groupsEpoch`.
    func fill(groups: [Newsgroup], groupsEpoch: UInt64) {
        self.state.withLock { state in
            guard state.groupsEpoch == groupsEpoch, state.groups == nil else { return }
            state.groups = Dictionary(groups.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    // MARK: - Articles

    /// The article `number` of `group`, with that number only (as the database read returns it).
    func article(inGroup group: String, number: Int64) -> StoredArticle? {
        self.state.withLock { state in
            guard let groupID = state.groups?[group]?.id,
                let id = state.byNumber[GroupKey(groupID: groupID, number: number)],
                var article = state.entries[id]?.article
            else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            article.numbers = [GroupNumber(group: group, number: number)]
            return article
        }
    }

    /// The article with `messageID`, with all its numbers.
    func article(messageID: String) -> StoredArticle? {
        self.state.withLock { state in
            guard let id = state.byMessageID[messageID], let article = state.entries[id]?.article else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return article
        }
    }

    /// Adds an article read from the database at `epoch` (read-through).
    func fill(article: StoredArticle, epoch: UInt64) {
        self.state.withLock { state in
            guard state.epoch == epoch else { return }
            Self.insert(article, into: &state, capacity: self.capacity)
        }
    }

    // MARK: - Commits

    /// What a commit of this process changed, read back from the committed rows.
    /// - Parameters:
    ///   - groups: groups created or changed (numbers, counts, settings), as now stored.
    ///   - removedGroups: ids of groups that are gone (removed or deleted): their articles'
    ///     numbers are no longer valid, so every article is dropped.
    ///   - articles: articles inserted, with all their numbers.
    ///   - deletedArticles: ids of articles deleted.
    func committed(
        groups: [Newsgroup],
        removedGroups: Set<Int64>,
        articles: [StoredArticle],
        deletedArticles: Set<Int64>
    ) {
        self.state.withLock { state in
            if !groups.isEmpty || !removedGroups.isEmpty { state.groupsEpoch &+= 1 }
            if !removedGroups.isEmpty {
                Self.removeAllArticles(&state)
                if state.groups != nil {
                    state.groups = state.groups?.filter { !removedGroups.contains($0.value.id) }
                }
            }
            if state.groups != nil {
                // By name: a group's name never changes (no rename; a removed name created again
                // is the same row).
                for group in groups {
                    state.groups?[group.name] = group
                }
            }
            if !deletedArticles.isEmpty {
                state.epoch &+= 1
                for id in deletedArticles {
                    Self.remove(id, from: &state)
                }
            }
            for article in articles {
                Self.insert(article, into: &state, capacity: self.capacity)
            }
        }
    }

    /// Forgets everything (another process changed the file): the next reads go to the
    /// database and fill the cache again.
    public func invalidateAll() {
        self.state.withLock { state in
            Self.removeAllArticles(&state)
            state.groups = nil
            state.groupsEpoch &+= 1
        }
    }

    // MARK: - State changes

    private static func removeAllArticles(_ state: inout State) {
        state.epoch &+= 1
        state.entries.removeAll()
        state.byMessageID.removeAll()
        state.byNumber.removeAll()
        state.order.removeAll()
        state.oldestSequence = state.nextSequence
        state.bytes = 0
    }

    private static func insert(_ article: StoredArticle, into state: inout State, capacity: Int) {
        let cost = article.head.count + article.body.count + article.messageID.utf8.count + Self.entryOverhead
        guard cost <= capacity else { return }
        // Numbers are looked up by group id: a group not in the table (not loaded yet) keeps
        // the article reachable by Message-ID only.
        var keys: [GroupKey] = []
        for number in article.numbers {
            if let id = state.groups?[number.group]?.id { keys.append(GroupKey(groupID: id, number: number.number)) }
        }
        if state.entries[article.id] != nil { Self.remove(article.id, from: &state) }
        let sequence = state.nextSequence
        state.nextSequence += 1
        state.entries[article.id] = Entry(article: article, keys: keys, sequence: sequence, cost: cost)
        state.order[sequence] = article.id
        state.byMessageID[article.messageID] = article.id
        for key in keys {
            state.byNumber[key] = article.id
        }
        state.bytes += cost
        while state.bytes > capacity, state.oldestSequence < state.nextSequence {
            if let id = state.order.removeValue(forKey: state.oldestSequence) {
                Self.remove(id, from: &state)
            }
            state.oldestSequence += 1
        }
    }

    private static func remove(_ id: Int64, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: id) else { return }
        state.order[entry.sequence] = nil
        if state.byMessageID[entry.article.messageID] == id { state.byMessageID[entry.article.messageID] = nil }
        for key in entry.keys where state.byNumber[key] == id {
            state.byNumber[key] = nil
        }
        state.bytes -= entry.cost
    }
}
