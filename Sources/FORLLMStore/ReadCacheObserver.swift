import Foundation
import GRDB

// @unchecked Sendable: every stored property but the (Sendable) cache is read and written only on
// the writer connection's serial queue: GRDB calls an observer's methods there, and
// `noteInserted` runs inside the writer's transactions. `ForumDatabase` hands it to those
// transactions (`StoreTransaction.readCache`) and touches it nowhere else.
/// Keeps a ``ReadCache`` current with the commits of this process: a GRDB transaction observer
/// on the one writer connection.
///
/// While a transaction runs it notes which `article` and `newsgroup` rows it inserted, changed or
/// deleted (`group_article` is a WITHOUT ROWID table, which SQLite's update hook does not report:
/// its rows change only with an article, inserted or deleted with it, or with a group's removal,
/// which updates the `newsgroup` row). When the transaction commits, and before `write` returns
/// to its caller, it hands those rows to the cache; a rollback forgets them. An article stored by
/// ``StoreTransaction/insertArticle(_:messageID:parent:root:groups:hostname:author:now:)`` is
/// handed as that function noted it (``noteInserted(_:)``: the bytes it wrote, nothing read
/// back; reading every new article back was a tenth of the server's CPU per POST). The rest (a
/// group's row, an article noted by nobody) is read back on the writer connection. A commit of
/// more than ``prefetchLimit`` articles (an import) only invalidates, and its articles enter the
/// cache when they are read.
///
/// A note counts only for a row the update hook reported inserted and no savepoint rolled back
/// (GRDB drops the events of a rolled-back savepoint); a row id given again after such a rollback
/// gets the later note. A commit that removed a group reads every article back.
final class ReadCacheObserver: TransactionObserver, @unchecked Sendable {
    /// Most articles of one commit read back into the cache.
    static let prefetchLimit = 64

    let cache: ReadCache
    // Touched only on the writer's queue, where GRDB calls every method of an observer: no lock.
    private var insertedArticles: [Int64] = []
    private var deletedArticles: Set<Int64> = []
    private var changedGroups: Set<Int64> = []
    /// Articles as their inserts wrote them, by row id (``noteInserted(_:)``).
    private var noted: [Int64: StoredArticle] = [:]
    /// A change GRDB could not describe (`Database.notifyChanges(in:)`).
    private var changedUnknown = false

    init(cache: ReadCache) {
        self.cache = cache
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .insert(let table), .delete(let table):
            return table == "article" || table == "newsgroup"
        case .update(let table, _):
            return table == "newsgroup"
        }
    }

    /// `article` was just inserted, in the transaction under way, with exactly these bytes and
    /// numbers. Called on the writer's queue, inside the transaction.
    func noteInserted(_ article: StoredArticle) {
        // Past the limit no new row is noted (it is read back), but a row id given again after
        // a savepoint's rollback always takes the later note: the earlier one is not stored.
        guard self.noted.count < Self.prefetchLimit || self.noted[article.id] != nil else { return }
        self.noted[article.id] = article
    }

    func databaseDidChange(with event: DatabaseEvent) {
        switch (event.tableName, event.kind) {
        case ("article", .insert):
            self.insertedArticles.append(event.rowID)
        case ("article", .delete):
            self.deletedArticles.insert(event.rowID)
        case ("newsgroup", _):
            self.changedGroups.insert(event.rowID)
        default:
            break
        }
    }

    func databaseDidChange() {
        // A change GRDB cannot describe (`Database.notifyChanges(in:)`): start again from the
        // database.
        self.changedUnknown = true
    }

    func databaseDidCommit(_ db: Database) {
        defer { self.reset() }
        guard !self.changedUnknown else {
            self.cache.invalidateAll()
            return
        }
        guard !self.insertedArticles.isEmpty || !self.deletedArticles.isEmpty || !self.changedGroups.isEmpty else {
            return
        }
        do {
            var groups: [Newsgroup] = []
            var removed: Set<Int64> = []
            for id in self.changedGroups.sorted() {
                if let group = try Newsgroup.fetchOne(
                    db.cachedStatement(sql: Newsgroup.selectSQL + " WHERE g.id = ? AND g.removed_at IS NULL"),
                    arguments: [id]
                ) {
                    groups.append(group)
                } else {
                    removed.insert(id)
                }
            }
            var articles: [StoredArticle] = []
            let inserted = self.insertedArticles.filter { !self.deletedArticles.contains($0) }
            if inserted.count <= Self.prefetchLimit {
                for id in inserted {
                    if removed.isEmpty, let article = self.noted[id] {
                        articles.append(article)
                    } else if let article = try ForumDatabase.storedArticle(id: id, db) {
                        articles.append(article)
                    }
                }
            }
            self.cache.committed(
                groups: groups,
                removedGroups: removed,
                articles: articles,
                deletedArticles: self.deletedArticles
            )
        } catch {
            // The commit stands; only the cache cannot follow it. Start again from the database.
            self.cache.invalidateAll()
        }
    }

    func databaseDidRollback(_ db: Database) {
        self.reset()
    }

    private func reset() {
        self.insertedArticles.removeAll(keepingCapacity: true)
        self.deletedArticles.removeAll(keepingCapacity: true)
        self.changedGroups.removeAll(keepingCapacity: true)
        self.noted.removeAll(keepingCapacity: true)
        self.changedUnknown = false
    }
}
