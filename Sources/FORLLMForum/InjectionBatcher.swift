import FORLLMStore
import Foundation
import Synchronization

/// Group commit for ``Forum/inject(_:origin:account:)``: the posts that arrive while a write
/// transaction is in flight share the next one, so one fsync of the WAL (synchronous=FULL)
/// makes a whole batch durable instead of one article.
///
/// ## Design: leader and followers
/// An injecting task prepares its article outside any transaction, then calls
/// ``commit(_:forum:)``. When no batch is being written, the caller becomes the *leader* and
/// writes at once: a batch of one, so an idle server adds no latency. When a batch is being
/// written, the caller queues its article and waits (a *follower*). A leader takes its own
/// article plus up to ``maximumBatchSize`` − 1 queued ones (first come, first in), writes them in
/// one transaction (``ForumDatabase/writeUninterrupted(_:)``), each inside its own SAVEPOINT,
/// and after the COMMIT hands leadership to the first article still queued (which then writes
/// everything that queued meanwhile) before it resumes its followers with their own results.
/// Post-commit work (the queue signal, the `posted` event) stays with each caller.
///
/// ## Invariants
/// 1. **One writer.** `State.writing` is true from the moment a task becomes leader until a
///    leader, under the lock, finds the queue empty and clears it; a hand-over keeps it true
///    and resumes exactly one queued task as the next leader. So at most one batch is written
///    at a time, and batches commit in the order they were formed.
/// 2. **Nobody waits forever.** A task queues only while `writing` is true, i.e. while a
///    leader exists, and a leader clears `writing` only when the queue is empty. A queued task
///    leaves the queue in exactly one of three ways, each of which resumes it exactly once:
///    taken into a leader's batch (resumed with its result, or its batch's error), handed the
///    leadership, or removed by its own cancellation (resumed with `CancellationError`).
/// 3. **A 240 means durable.** A caller gets its ``InjectedArticle`` only after the
///    transaction holding its article has committed (and, with synchronous=FULL, fsynced).
/// 4. **One refusal, one victim.** An article that `insert` refuses (duplicate Message-ID, no
///    such group, a bad control message: ``ArticleError``, ``ForumError``, `StoreError`) rolls
///    back its own savepoint only; its poster gets that error and the others commit. Two
///    articles with one Message-ID in a batch: the second is the duplicate. When the COMMIT
///    fails, or SQLite aborts the whole transaction (a full disk), every article of the batch
///    gets that error and none is stored.
/// 5. **Cancellation** is honoured while an article waits in the queue (it is removed, nothing
///    is written). Once the article is in a batch being written, the write is shared with other
///    tasks and is not interrupted: the caller gets its outcome.
final class InjectionBatcher: Sendable {
    /// One prepared article and how to insert it.
    struct Item: Sendable {
        var prepared: PreparedArticle
        var origin: ArticleOrigin
        var now: Date
    }

    /// How the batches went, for tests and measurements.
    struct Statistics: Hashable, Sendable {
        /// Transactions written.
        var batches = 0
        /// Articles written in them (stored or refused).
        var articles = 0
        /// The most articles in one transaction.
        var largestBatch = 0
    }

    /// Observation points for tests (none in production).
    struct Hooks: Sendable {
        /// Called after an article was queued behind a write, with the queue's length.
        var didQueue: (@Sendable (Int) -> Void)?
        /// Awaited by a leader before it writes a batch, with the batch's size.
        var willWrite: (@Sendable (Int) async -> Void)?
        /// Run inside a batch's transaction after its inserts, before the COMMIT.
        var beforeCommit: (@Sendable (StoreTransaction) throws -> Void)?
    }

    /// What a queued task is resumed with.
    private enum Turn: Sendable {
        /// Its article was committed.
        case committed(InjectedArticle)
        /// It is the leader now: it writes its own article and what queued behind it.
        case lead
    }

    private struct Waiter: Sendable {
        var id: UInt64
        var item: Item
        var continuation: CheckedContinuation<Turn, any Error>
    }

    private struct State {
        /// Whether a leader exists (writing, or handed the leadership and about to write).
        var writing = false
        /// The articles waiting for the next batch, first come first.
        var queue: [Waiter] = []
        var nextID: UInt64 = 0
        var statistics = Statistics()
    }

    /// The most articles in one transaction: bounds how long the last of them waits.
    let maximumBatchSize: Int
    private let state = Mutex(State())
    private let hooks = Mutex(Hooks())

    init(maximumBatchSize: Int = 64) {
        self.maximumBatchSize = max(1, maximumBatchSize)
    }

    /// How the batches went so far.
    var statistics: Statistics {
        self.state.withLock { $0.statistics }
    }

    /// Installs observation points (tests).
    func setHooks(_ hooks: Hooks) {
        self.hooks.withLock { $0 = hooks }
    }

    /// Inserts `item` (``Forum/insert(_:origin:now:_:)``) in a transaction, alone or with the
    /// articles that arrive meanwhile, and returns once that transaction has committed.
    /// Throws the article's own refusal, or the error that failed its whole batch.
    func commit(_ item: Item, forum: Forum) async throws -> InjectedArticle {
        try Task.checkCancellation()
        let leads = self.state.withLock { state in
            if state.writing { return false }
            state.writing = true
            return true
        }
        if leads {
            return try await self.lead(with: item, forum: forum).get()
        }
        switch try await self.wait(with: item) {
        case .committed(let injected):
            return injected
        case .lead:
            return try await self.lead(with: item, forum: forum).get()
        }
    }

    /// Queues `item` behind the batch being written and waits for its turn (invariant 2).
    private func wait(with item: Item) async throws -> Turn {
        let id = self.state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let admission = self.state.withLock { state -> Admission in
                    // Cancelled since `commit` looked: its handler finds nothing queued, so
                    // the cancellation is answered here.
                    if Task.isCancelled { return .cancelled }
                    // The leader finished since `commit` looked: lead instead of waiting.
                    if !state.writing {
                        state.writing = true
                        return .lead
                    }
                    state.queue.append(Waiter(id: id, item: item, continuation: continuation))
                    return .queued(state.queue.count)
                }
                switch admission {
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .lead:
                    continuation.resume(returning: .lead)
                case .queued(let length):
                    self.hooks.withLock { $0.didQueue }?(length)
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                return state.queue.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Writes `item` and the articles queued behind it, hands the leadership on (or clears
    /// `writing`), resumes the followers, and returns the leader's own result.
    private func lead(with item: Item, forum: Forum) async -> Result<InjectedArticle, any Error> {
        let followers = self.state.withLock { state in
            let count = min(state.queue.count, self.maximumBatchSize - 1)
            defer { state.queue.removeFirst(count) }
            return Array(state.queue.prefix(count))
        }
        let batch = [item] + followers.map(\.item)
        if let willWrite = self.hooks.withLock({ $0.willWrite }) {
            await willWrite(batch.count)
        }
        let results = await Self.write(batch, forum: forum, beforeCommit: self.hooks.withLock { $0.beforeCommit })
        let next = self.state.withLock { state -> Waiter? in
            state.statistics.batches += 1
            state.statistics.articles += batch.count
            state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
            if state.queue.isEmpty {
                state.writing = false
                return nil
            }
            return state.queue.removeFirst()
        }
        // The next batch starts before this one's followers run their post-commit work.
        next?.continuation.resume(returning: .lead)
        for (follower, result) in zip(followers, results.dropFirst()) {
            follower.continuation.resume(with: result.map(Turn.committed))
        }
        return results[0]
    }

    /// Writes `batch` in one transaction, each article in its own savepoint: one result per
    /// article, in order (invariant 4).
    private static func write(
        _ batch: [Item],
        forum: Forum,
        beforeCommit: (@Sendable (StoreTransaction) throws -> Void)?
    ) async -> [Result<InjectedArticle, any Error>] {
        do {
            return try await forum.database.writeUninterrupted { transaction in
                var results: [Result<InjectedArticle, any Error>] = []
                results.reserveCapacity(batch.count)
                for item in batch {
                    do {
                        let injected = try transaction.savepoint {
                            try forum.insert(item.prepared, origin: item.origin, now: item.now, transaction)
                        }
                        results.append(.success(injected))
                    } catch {
                        // SQLite rolled the whole transaction back: nothing of this batch
                        // can commit, so every article of it fails with this error.
                        guard transaction.isOpen else { throw error }
                        results.append(.failure(error))
                    }
                }
                try beforeCommit?(transaction)
                return results
            }
        } catch {
            return Array(repeating: .failure(error), count: batch.count)
        }
    }
}

/// How ``InjectionBatcher/wait(with:)`` got in.
private enum Admission {
    case queued(Int)
    case lead
    case cancelled
}
