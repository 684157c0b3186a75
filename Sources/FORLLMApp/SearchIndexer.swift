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
/// It wakes when this process queued articles (``ForumDatabase/searchSignal``), then gathers:
/// it waits ``gathering``, and again as long as more posts came meanwhile, up to
/// ``longestGathering``, so that a burst of posts is indexed in passes of many articles; and it
/// looks every ``interval`` without being woken (articles another process, the CLI, stored).
///
/// ## Why gather up to a second
/// FTS5 writes each transaction's terms as a new segment and merges segments as they pile up,
/// so the bigger a pass, the less each article costs. Under a steady stream of posts (20,000
/// over 8 connections posting as fast as they can), passes every second instead of every
/// 100 ms wrote 6 to 12 % fewer bytes to storage per post and shortened the slow POSTs (240
/// p90 4.5 to 5.5 ms against 5.3 to 6.3), with -6 to +16 % posts per second (four pairs of
/// runs alternating the two). A reader pays nothing for it (a search first indexes what is
/// queued), and a post that comes alone is indexed ``gathering`` after it.
struct SearchIndexer: Service {
    let forum: Forum
    /// How long a pass waits after it was woken, and after each post that came meanwhile.
    var gathering: Duration = .milliseconds(100)
    /// How long a pass waits at most while posts keep coming.
    var longestGathering: Duration = .seconds(1)
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
                guard await self.gather(signal) else { break }
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

    /// Waits ``gathering``, and again while posts came meanwhile, until ``longestGathering``
    /// has passed. False when cancelled.
    private func gather(_ signal: QueueSignal) async -> Bool {
        var waited: Duration = .zero
        repeat {
            guard (try? await self.clock.sleep(for: self.gathering)) != nil else { return false }
            waited += self.gathering
        } while waited < self.longestGathering && signal.takePending()
        return true
    }
}
