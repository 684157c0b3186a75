import FORLLMStore
import Foundation
import Synchronization

/// Group commit for ``Forum/inject(_:origin:account:)``: the posts that arrive while a write
/// transaction is in flight share the next one, so one fsync of the WAL (synchronous=FULL)
/// makes a whole batch durable instead of one article.
///
/// ## Design: a queue the writer drains
/// An injecting task prepares its article outside any transaction, then calls
/// ``commit(_:forum:)``, which queues the article and waits. The first article queued while
/// nothing drains the queue starts a *drain*: a turn on the writer connection
/// (``ForumDatabase/takeWriterTurn(_:)``) that takes up to ``maximumBatchSize`` queued
/// articles (first come, first in), writes them in one transaction, each inside its own
/// SAVEPOINT, resumes their tasks with their results after the COMMIT, and goes straight on
/// with what queued meanwhile, on the writer's thread. So an idle server writes a post at once
/// (a batch of one), and under load the writer goes from one COMMIT to the next BEGIN without
/// waiting for any task: no hop to a poster's event loop and back between two batches. (When
/// a poster's task led each batch, three thread wake-ups stood between two batches, the writer
/// idle for them: 8 posting connections got 10 to 44 % fewer posts through, measured in six
/// alternating runs.) Post-commit work (the queue signal, the `posted` event) stays
/// with each poster.
///
/// ## Invariants
/// 1. **One drain.** `State.draining` is true from the moment a task queues into an idle
///    batcher (and starts the drain) until the drain, under the lock, finds the queue empty
///    and clears it. So at most one batch is written at a time, and batches commit in the order
///    they were formed.
/// 2. **Nobody waits forever.** A task queues its article and, in the same critical section,
///    either finds a drain (which takes from the queue before it may stop) or starts one. A
///    queued task leaves the queue in exactly one of two ways, each of which resumes it exactly
///    once: taken into a batch (resumed with its result, or its batch's error, after the
///    transaction ended), or removed by its own cancellation (resumed with
///    `CancellationError`).
/// 3. **A 240 means durable.** A task gets its ``InjectedArticle`` only after the transaction
///    holding its article has committed (and, with synchronous=FULL, fsynced), and after the
///    read cache saw the commit.
/// 4. **One refusal, one victim.** An article that `insert` refuses (duplicate Message-ID, no
///    such group, a bad control message: ``ArticleError``, ``ForumError``, `StoreError`) rolls
///    back its own savepoint only; its poster gets that error and the others commit. Two
///    articles with one Message-ID in a batch: the second is the duplicate. When the COMMIT
///    fails, or SQLite aborts the whole transaction (a full disk), every article of the batch
///    gets that error and none is stored.
/// 5. **Cancellation** is honoured while an article waits in the queue (it is removed, nothing
///    is written). Once the article is in a batch being written, the write is shared with other
///    tasks and is not interrupted: the task gets its outcome.
/// 6. **Other writes get their turn.** A drain writes at most ``batchesPerTurn`` batches in
///    one turn on the writer; when articles still wait, it takes a new turn, behind the writes
///    (the worker's answers, the search index) queued meanwhile.
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
        /// Turns taken on the writer.
        var turns = 0
    }

    /// Observation points for tests (none in production).
    struct Hooks: Sendable {
        /// Called after an article was queued behind a drain, with the queue's length.
        var didQueue: (@Sendable (Int) -> Void)?
        /// Called on the writer's thread before a batch is written, with the batch's size; it
        /// may block the writer (a test holding a batch).
        var willWrite: (@Sendable (Int) -> Void)?
        /// Run inside a batch's transaction after its inserts, before the COMMIT.
        var beforeCommit: (@Sendable (StoreTransaction) throws -> Void)?
    }

    private struct Waiter: Sendable {
        var id: UInt64
        var item: Item
        var continuation: CheckedContinuation<InjectedArticle, any Error>
    }

    private struct State {
        /// Whether a drain exists (writing, or its turn on the writer queued).
        var draining = false
        /// The articles waiting for the next batch, first come first.
        var queue: [Waiter] = []
        var nextID: UInt64 = 0
        var statistics = Statistics()
    }

    /// The most articles in one transaction: bounds how long the last of them waits.
    let maximumBatchSize: Int
    /// The most batches in one turn on the writer (invariant 6).
    let batchesPerTurn: Int
    private let state = Mutex(State())
    private let hooks = Mutex(Hooks())

    init(maximumBatchSize: Int = 64, batchesPerTurn: Int = 16) {
        self.maximumBatchSize = max(1, maximumBatchSize)
        self.batchesPerTurn = max(1, batchesPerTurn)
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
                    state.queue.append(Waiter(id: id, item: item, continuation: continuation))
                    if state.draining { return .queued(state.queue.count) }
                    state.draining = true
                    return .drain
                }
                switch admission {
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .drain:
                    self.drain(forum: forum)
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

    /// Takes a turn on the writer and writes batches until the queue is empty (invariant 1),
    /// or ``batchesPerTurn`` of them, then another turn (invariant 6).
    private func drain(forum: Forum) {
        forum.database.takeWriterTurn { turn in
            for _ in 0..<self.batchesPerTurn {
                guard let batch = self.nextBatch() else { return }
                self.hooks.withLock { $0.willWrite }?(batch.count)
                let results = Self.write(
                    batch.map(\.item),
                    forum: forum,
                    turn: turn,
                    beforeCommit: self.hooks.withLock { $0.beforeCommit }
                )
                self.state.withLock { state in
                    state.statistics.batches += 1
                    state.statistics.articles += batch.count
                    state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
                }
                for (waiter, result) in zip(batch, results) {
                    waiter.continuation.resume(with: result)
                }
            }
            let more = self.state.withLock { state in
                if state.queue.isEmpty { state.draining = false }
                return state.draining
            }
            if more { self.drain(forum: forum) }
        }
        self.state.withLock { $0.statistics.turns += 1 }
    }

    /// The next batch, first come first in; `nil` (and the drain ends) when nothing waits.
    private func nextBatch() -> [Waiter]? {
        self.state.withLock { state in
            if state.queue.isEmpty {
                state.draining = false
                return nil
            }
            let count = min(state.queue.count, self.maximumBatchSize)
            defer { state.queue.removeFirst(count) }
            return Array(state.queue.prefix(count))
        }
    }

    /// Writes `batch` in one transaction, each article in its own savepoint: one result per
    /// article, in order (invariant 4).
    private static func write(
        _ batch: [Item],
        forum: Forum,
        turn: StoreWriterTurn,
        beforeCommit: (@Sendable (StoreTransaction) throws -> Void)?
    ) -> [Result<InjectedArticle, any Error>] {
        do {
            return try turn.transaction { transaction in
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

/// How ``InjectionBatcher/commit(_:forum:)`` got in.
private enum Admission {
    case queued(Int)
    case drain
    case cancelled
}
