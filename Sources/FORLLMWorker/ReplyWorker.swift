import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import ServiceLifecycle

/// Answers the queued requests: claims them inside the schedule, sends each thread to its
/// model, and stores the answer (or, when a request fails for good, a notice) in the thread.
///
/// Long-running: a `Service` of the application's `ServiceGroup`. Graceful shutdown stops it
/// from taking requests and puts a generation in progress back to `pending`. The worker has no
/// sockets of its own; it talks to models through ``LLMClient``s and to the forum through the
/// store only.
///
/// The worker's concerns, one file each: this loop; claiming and the choice of backend
/// (`ReplyWorker+Claiming`); running a request (`ReplyWorker+Execution`) and a persona
/// generation (`ReplyWorker+PersonaGeneration`); what a failure leads to (``RetryPolicy``);
/// the notice when a request fails for good (`ReplyWorker+Notices`).
///
/// Time comes from two injected sources: `clock`, monotonic, for the poll interval and
/// durations (and, through the default ``ModelCatalog``, the fallback delay); the forum's
/// wall clock (``Forum/now``) for what is stored (retry times, dates of articles) and the
/// schedule.
public final class ReplyWorker: Service {
    let forum: Forum
    var database: ForumDatabase { self.forum.database }
    let clients: [String: any LLMClient]
    public let catalog: ModelCatalog
    let configuration: WorkerConfiguration
    let retryPolicy: RetryPolicy
    let clock: any Clock<Duration>
    let timeline: Timeline
    /// The wall clock: the forum's, so that what the worker stores and what the forum stamps
    /// read the same time.
    var now: @Sendable () -> Date { self.forum.now }
    let logger: Logger

    /// - Parameters:
    ///   - catalog: the catalog of `clients`; by default one on `clock`.
    ///   - clock: the monotonic clock for the poll interval and durations.
    public init(
        forum: Forum,
        clients: [(name: String, client: any LLMClient)],
        catalog: ModelCatalog? = nil,
        configuration: WorkerConfiguration,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.forum = forum
        self.clients = Dictionary(clients.map { ($0.name, $0.client) }, uniquingKeysWith: { first, _ in first })
        self.catalog = catalog ?? ModelCatalog(clients: clients, clock: clock)
        self.configuration = configuration
        self.retryPolicy = RetryPolicy(configuration)
        self.clock = clock
        self.timeline = Timeline(clock)
        self.logger = logger
    }

    public func run() async throws {
        let recovered = try await self.database.recoverInterruptedRequests(now: self.now())
        if recovered > 0 {
            self.logger.notice(
                "Requests interrupted by a stop are pending again",
                metadata: ["worker.requests": "\(recovered)"]
            )
        }
        self.logger.info("Worker started", metadata: ["worker.backends": "\(self.configuration.backends.map(\.name))"])
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
        self.logger.info("Worker stopped")
    }

    private enum Event: Sendable {
        case finished(backend: String)
        case woke
    }

    /// Claims what may run, starts it, and waits for a job to finish or for new work.
    private func loop() async {
        await withTaskGroup(of: Event.self) { group in
            var busy: [String: Int] = [:]
            var waiting = false
            while !Task.isCancelled {
                let jobs: [ClaimedJob]
                do {
                    jobs = try await self.claimRunnable(busy: busy)
                } catch {
                    // Stopped while reading (the server could not start, or shuts down): not an error.
                    if Task.isCancelled { break }
                    self.logger.error("Could not read the queue", metadata: ["worker.error": "\(error)"])
                    jobs = []
                }
                for job in jobs {
                    busy[job.backend, default: 0] += 1
                    group.addTask {
                        await self.execute(job)
                        return .finished(backend: job.backend)
                    }
                }
                if !waiting {
                    waiting = true
                    let interval = self.configuration.pollInterval
                    let clock = self.clock
                    group.addTask {
                        await self.database.queueSignal.wait(orUntil: { try? await clock.sleep(for: interval) })
                        return .woke
                    }
                }
                switch await group.next() {
                case .finished(let backend):
                    busy[backend, default: 1] -= 1
                case .woke:
                    waiting = false
                case nil:
                    return
                }
            }
        }
    }
}
