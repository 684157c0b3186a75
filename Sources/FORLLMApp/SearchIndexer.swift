import FORLLMForum
import FORLLMStore
import Logging
import ServiceLifecycle

/// Writes the full-text index behind the posts: a `Service` of `forllm serve`.
///
/// An article's transaction only queues it for the index (``Forum/indexForSearch``); this
/// service indexes what is queued, in passes of one transaction per
/// ``ForumDatabase/searchIndexBatchSize`` articles. FTS5 writes a segment per transaction, so
/// indexing the posts of a burst together costs far less than indexing each in its post's
/// transaction, which made POST about a quarter slower.
///
/// ## Invariants
/// - **Search never trails.** Every search (``Forum/search(_:groups:limit:)``, and the answers
///   in `forllm.search`, inside their transaction) first indexes what is queued, so it finds
///   every article stored before it began. This service only keeps that work small.
/// - **Nothing is lost.** The queue is a table written in the article's transaction; a pass
///   takes articles off it in the transaction that indexes them. A kill between the two loses
///   nothing and indexes nothing twice.
///
/// It wakes when this process queued articles (``ForumDatabase/searchSignal``), then waits
/// ``gathering`` so that the posts arriving meanwhile share the pass, and every ``interval``
/// without being woken (articles another process, the CLI, stored).
struct SearchIndexer: Service {
    let forum: Forum
    /// How long a pass waits after it was woken, for the posts arriving meanwhile.
    var gathering: Duration = .milliseconds(100)
    /// How often it looks without being woken.
    var interval: Duration = .seconds(30)
    var clock: any Clock<Duration> = ContinuousClock()
    let logger: Logger
    /// Called after each pass with the number of articles it indexed (tests).
    var didPass: @Sendable (Int) -> Void = { _ in }

    func run() async throws {
        let signal = self.forum.database.searchSignal
        let clock = self.clock
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await signal.wait(orUntil: { try? await clock.sleep(for: interval) })
                guard (try? await clock.sleep(for: self.gathering)) != nil else { break }
                // The articles notified so far are committed: this pass takes them.
                signal.discardPending()
                do {
                    let indexed = try await self.forum.buildSearchIndex()
                    if indexed > 0 {
                        self.logger.trace("Indexed for search", metadata: ["search.indexed": "\(indexed)"])
                    }
                    self.didPass(indexed)
                } catch {
                    self.logger.warning("Could not update the search index", metadata: ["search.error": "\(error)"])
                }
            }
        }
    }
}
