import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps `forllm.status` telling what the queue does: one article per waiting or running
/// request (``QueueStanding``), superseded as it changes (at most once per
/// ``minimumInterval`` per request) and withdrawn when the request is done, failed or
/// cancelled.
///
/// A `Service` of `forllm serve`. It wakes on the forum's events (a post queued requests, an
/// answer was stored, a request failed) and every ``interval`` (the worker's claims and
/// progress, and the CLI's changes, are found so). What it posted is recorded with each
/// article (``PublishedStatus``), so a restart picks up where it stopped.
public final class StatusPublisher: Service {
    let forum: Forum
    let configuration: WorkerConfiguration
    /// How often it looks at the queue without being woken.
    let interval: Duration
    /// The shortest time between two articles about one request (a new request's first article
    /// and the withdrawal are never held back).
    let minimumInterval: TimeInterval
    let clock: any Clock<Duration>
    let logger: Logger

    public init(
        forum: Forum,
        configuration: WorkerConfiguration,
        interval: Duration = .seconds(5),
        minimumInterval: TimeInterval = 60,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.forum = forum
        self.configuration = configuration
        self.interval = interval
        self.minimumInterval = minimumInterval
        self.clock = clock
        self.logger = logger
    }

    /// What one pass did.
    public struct Pass: Hashable, Sendable {
        public var posted: [Int64] = []
        public var superseded: [Int64] = []
        public var withdrawn: [Int64] = []

        public init() {}
    }

    public func run() async throws {
        let wake = QueueSignal()
        let events = self.forum.events.subscribe(buffer: 16)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events where Self.wakes(on: event) { wake.notify() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await self.publish()
                        } catch {
                            self.logger.warning(
                                "Could not update forllm.status",
                                metadata: ["status.error": "\(error)"]
                            )
                        }
                        let clock = self.clock
                        let interval = self.interval
                        await wake.wait(orUntil: { try? await clock.sleep(for: interval) })
                    }
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    /// Whether `event` can change what `forllm.status` says: a post that queued requests, an
    /// answer, a failure. A post that asked for nothing changes no request's standing; waking on
    /// it would read the whole queue once per post (under a burst of posts, without pause).
    static func wakes(on event: ForumEvent) -> Bool {
        switch event.event {
        case .posted: !event.requestIds.isEmpty
        case .answer, .failed: true
        }
    }

    /// One pass: posts, supersedes and withdraws what changed since the last.
    @discardableResult
    public func publish() async throws -> Pass {
        let database = self.forum.database
        let now = self.forum.now()
        let (requests, standings) = try await database.standings(configuration: self.configuration, now: now)
        let published = try await database.publishedStatuses()
        let subjects = try await database.articleSubjects(ids: requests.compactMap(\.articleID))
        var pass = Pass()
        for request in requests {
            guard let standing = standings[request.id] else { continue }
            let report = self.report(
                request,
                standing,
                subject: request.articleID.flatMap { subjects[$0] },
                now: now
            )
            if let previous = published[request.id] {
                guard previous.digest != report.digest,
                    now.timeIntervalSince(previous.postedAt) >= self.minimumInterval
                else { continue }
                if try await self.forum.publishStatus(report) { pass.superseded.append(request.id) }
            } else if try await self.forum.publishStatus(report) {
                pass.posted.append(request.id)
            }
        }
        for requestID in published.keys.sorted() where standings[requestID] == nil {
            try await self.forum.withdrawStatus(requestID: requestID)
            pass.withdrawn.append(requestID)
        }
        if pass != Pass() {
            self.logger.debug(
                "Updated forllm.status",
                metadata: [
                    "status.posted": "\(pass.posted)", "status.superseded": "\(pass.superseded)",
                    "status.withdrawn": "\(pass.withdrawn)"
                ]
            )
        }
        return pass
    }
}
