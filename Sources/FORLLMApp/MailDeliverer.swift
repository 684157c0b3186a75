import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import Maildir
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Writes the forum's articles into the groups' Maildirs, and removes withdrawn ones: the
/// deliveries the forum queued in each article's own transaction (`Forum+Delivery.swift`).
///
/// A `Service` of the server's group: woken by the store's ``ForumDatabase/deliverySignal``
/// right after a commit that queued work (an answer is in `new/` a few milliseconds after it
/// is stored), and by a slow poll for work another process queued and for retries. Articles a
/// process stored without queuing their copies (it had no mail configuration) are found on
/// each pass, by their groups' article numbers (``queueUnqueued()``). `forllm mail sync` runs the same ``deliverDue(groups:progress:)`` in its own
/// process.
///
/// Exactly once, across kill -9: a delivery gets its Maildir unique name in the transaction
/// that claims it, before a byte is written; writing is the Maildir protocol (`tmp/`, fsync,
/// rename into `new/`, fsync of `new/`); only then is it recorded as delivered. A delivery
/// claimed before and never recorded (the process died) is looked for under its name in
/// `new/` and `cur/` (the reader may have read it meanwhile), and written only when it is in
/// neither; when it is found, its directory is synced before it is recorded (the process may
/// have died between the rename and the sync). A leftover in `tmp/` is overwritten by that
/// retry, removed with a withdrawn article, and otherwise cleaned at start once its lease is
/// over.
///
/// The syncs are per batch, not per copy (``MaildirBatch``): the copies a claim brought are
/// all written to `tmp/`, made durable together, renamed into `new/`, each `new/` is synced
/// once, and then the batch is recorded in one transaction. So the order that makes a copy
/// exactly once holds for each copy of the batch: bytes durable → rename → rename durable →
/// recorded. A claim of a few copies (the live path: an answer, a post) syncs each file as it
/// is written, the least work for one; a larger one syncs the file system once
/// (``MaildirBatch/Sync/fileSystem``). While a backlog lasts (`forllm mail sync`, a start after
/// a long stop) each claim is twice the last, up to ``backlogBatchSize``, so that a disk's few
/// hundred syncs a second are not the limit.
///
/// File I/O runs on NIO's thread pool, never on an event loop.
public final class MailDeliverer: Service {
    let forum: Forum
    public let tree: MaildirTree
    let configuration: MailDeliveryConfiguration
    let clock: any Clock<Duration>
    let logger: Logger
    /// The largest claim while a backlog lasts (the first claim is the configuration's
    /// `batchSize`): at 4,096 copies a claim holds a few MB of articles and is written in well
    /// under a second, far inside its lease.
    public static let backlogBatchSize = 4096
    /// From this many copies in a claim on, they are made durable by one sync of the file
    /// system instead of one `fsync` each (measured on a virtio disk: below it the two are
    /// alike; `syncfs` also writes whatever else waits on the file system).
    static let fileSystemSyncFrom = 16
    /// Folders made by this deliverer (made again after a restart: creating is idempotent).
    private let madeFolders = Mutex<Set<String>>([])

    var database: ForumDatabase { self.forum.database }

    /// What one pass delivered.
    public struct Summary: Hashable, Sendable {
        /// Copies written to `new/`.
        public var delivered = 0
        /// Copies found in the Maildir from an interrupted earlier try, not written again.
        public var recovered = 0
        /// Copies removed (withdrawn articles).
        public var removed = 0
        /// Deliveries that failed this time (they are retried).
        public var failed = 0
        /// The last failure.
        public var lastError: String?

        public init() {}

        mutating func add(_ other: Summary) {
            self.delivered += other.delivered
            self.recovered += other.recovered
            self.removed += other.removed
            self.failed += other.failed
            self.lastError = other.lastError ?? self.lastError
        }
    }

    /// - Parameter clock: the monotonic clock of the poll interval.
    public init(
        forum: Forum,
        tree: MaildirTree,
        configuration: MailDeliveryConfiguration,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.forum = forum
        self.tree = tree
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// The deliverer `configuration` asks for; `nil` while mail is off.
    public convenience init?(_ configuration: MailDeliveryConfiguration, forum: Forum, logger: Logger) {
        guard let tree = configuration.tree else { return nil }
        self.init(forum: forum, tree: tree, configuration: configuration, logger: logger)
    }

    public func run() async throws {
        // Claims of a process that died are taken up now, not when their lease runs out.
        let released = try await self.database.releaseDeliveryClaims()
        if released > 0 {
            self.logger.notice(
                "Deliveries interrupted by a stop are pending again",
                metadata: ["mail.deliveries": "\(released)"]
            )
        }
        await self.cleanTemporaryFiles()
        do {
            try await self.queueUnqueued()
        } catch {
            self.logger.error("Could not deliver mail", metadata: ["mail.error": "\(error)"])
        }
        self.logger.info(
            "Mail delivery started",
            metadata: ["mail.maildir": "\(self.tree.root)", "mail.layout": "\(self.tree.layout.rawValue)"]
        )
        await cancelWhenGracefulShutdown {
            // What was waiting at the start (a stop, kill -9, work queued while the server was
            // down) first, then what comes.
            do {
                let summary = try await self.deliverDue()
                self.logger.info(
                    "Mail delivery caught up",
                    metadata: [
                        "mail.delivered": "\(summary.delivered)", "mail.recovered": "\(summary.recovered)",
                        "mail.removed": "\(summary.removed)", "mail.failed": "\(summary.failed)"
                    ]
                )
            } catch {
                self.logger.error("Could not deliver mail", metadata: ["mail.error": "\(error)"])
            }
            await self.loop()
        }
        self.logger.info("Mail delivery stopped")
    }

    private func loop() async {
        let interval = self.configuration.pollInterval
        let clock = self.clock
        while !Task.isCancelled {
            do {
                _ = try await self.deliverDue()
                // Articles another process stored without queuing their copies: delivered at
                // once, not after the next wait.
                if try await self.queueUnqueued() > 0 { continue }
            } catch {
                self.logger.error("Could not deliver mail", metadata: ["mail.error": "\(error)"])
            }
            await self.database.deliverySignal.wait(orUntil: { try? await clock.sleep(for: interval) })
        }
    }

    /// Queues the copies of articles stored by a process that did not queue them (one without
    /// the mail configuration: `forllm post`, `forllm sendmail --database`, an import); see
    /// ``ForumDatabase/queueUnqueuedDeliveries(groups:now:)``.
    /// - Returns: how many were queued.
    @discardableResult
    public func queueUnqueued() async throws -> Int {
        let groups = self.forum.deliveredGroups(among: try await self.database.groups().map(\.name))
        let queued = try await self.database.queueUnqueuedDeliveries(groups: groups, now: self.forum.now())
        if queued > 0 {
            self.logger.info(
                "Queued the copies of articles stored without mail delivery",
                metadata: ["mail.deliveries": "\(queued)"]
            )
        }
        return queued
    }

    /// Delivers (and removes) everything due now, batch after batch, until nothing due is
    /// left. Failures are recorded for a later retry, not thrown; store errors are thrown.
    ///
    /// A backlog is a pipeline of two stages on two threads: while one batch is written to the
    /// Maildirs on the thread pool, the store records the batch before it and claims the one
    /// after it. Each batch still goes claim → write → record in that order (exactly once
    /// holds per copy, see the type), and claims never overlap: a claimed row is leased.
    /// - Parameters:
    ///   - groups: only these groups; `nil` for all.
    ///   - progress: called after each batch with what this call has done so far.
    public func deliverDue(
        groups: [String]? = nil,
        progress: (@Sendable (Summary) -> Void)? = nil
    ) async throws -> Summary {
        var total = Summary()
        var limit = max(1, self.configuration.batchSize)
        var claimed = try await self.claim(limit: limit, groups: groups)
        var unrecorded: [DeliveryOutcome] = []
        while !Task.isCancelled, !claimed.isEmpty || !unrecorded.isEmpty {
            let batch = claimed
            async let written = self.writeOnThreadPool(batch)
            // Meanwhile, on the store: the batch before is recorded, the next one claimed.
            let removalsWaiting = try await self.database.recordDeliveries(unrecorded, now: self.forum.now())
            unrecorded = []
            let full = !batch.isEmpty && batch.count >= limit
            if full {
                // A backlog: larger claims, each made durable with one sync.
                limit = min(limit * 2, max(limit, Self.backlogBatchSize))
            }
            claimed = full || removalsWaiting ? try await self.claim(limit: limit, groups: groups) : []
            let (outcomes, summary) = try await written
            unrecorded = outcomes
            guard !batch.isEmpty else { continue }
            total.add(summary)
            progress?(total)
            if summary.failed > 0 {
                self.logger.warning(
                    "Mail delivery failed; it is retried",
                    metadata: ["mail.failed": "\(summary.failed)", "mail.error": "\(summary.lastError ?? "")"]
                )
            }
            self.logger.debug(
                "Delivered",
                metadata: ["mail.delivered": "\(summary.delivered)", "mail.removed": "\(summary.removed)"]
            )
        }
        if !unrecorded.isEmpty {
            // Cancelled with a batch written: recorded now if the store still takes it; if
            // not, the next start finds the files under their names (see the type).
            _ = try? await self.database.recordDeliveries(unrecorded, now: self.forum.now())
        }
        return total
    }

    /// Claims up to `limit` due deliveries for a lease, naming each new one.
    private func claim(limit: Int, groups: [String]?) async throws -> [ClaimedDelivery] {
        try await self.database.claimDeliveries(
            now: self.forum.now(),
            lease: TimeInterval(self.configuration.lease.components.seconds),
            limit: limit,
            groups: groups,
            makeName: { id, now in
                MaildirUniqueName.make(sequence: id, at: now.timeIntervalSince1970).description
            }
        )
    }

    /// ``write(_:)`` on NIO's thread pool; nothing for an empty batch.
    private func writeOnThreadPool(_ claimed: [ClaimedDelivery]) async throws -> ([DeliveryOutcome], Summary) {
        guard !claimed.isEmpty else { return ([], Summary()) }
        return try await NIOThreadPool.singleton.runIfActive { self.write(claimed) }
    }

    /// Writes and removes one batch of files. Blocking: runs on the thread pool.
    ///
    /// A copy counts as delivered (and is recorded so by the caller, after this returns) only
    /// once its bytes and its rename into `new/` are on disk: ``MaildirBatch/commit()``
    /// returns success for a copy only then, and a copy found from an interrupted try counts
    /// only once its directory is synced again here.
    private func write(_ claimed: [ClaimedDelivery]) -> ([DeliveryOutcome], Summary) {
        var outcomes: [DeliveryOutcome] = []
        var summary = Summary()
        var folders: [String: Maildir] = [:]
        let now = self.forum.now()
        let copies = claimed.count(where: { if case .deliver = $0.kind { true } else { false } })
        var batch = MaildirBatch(sync: copies >= Self.fileSystemSyncFrom ? .fileSystem : .eachFile)
        var batched: [ClaimedDelivery] = []
        // Copies an interrupted try left in new/ or cur/, by folder and directory.
        var found: [Maildir: [Maildir.Directory: [ClaimedDelivery]]] = [:]
        func fail(_ delivery: ClaimedDelivery, _ error: any Error) {
            outcomes.append(self.failure(delivery, error, now: now))
            summary.failed += 1
            summary.lastError = "\(error)"
        }
        for delivery in claimed {
            do {
                let maildir = try folders[delivery.group] ?? self.folder(delivery.group)
                folders[delivery.group] = maildir
                switch delivery.kind {
                case .deliver(let head, let body, let references):
                    if delivery.mayExist, let entry = try maildir.locate(delivery.fileName).first {
                        found[maildir, default: [:]][entry.directory, default: []].append(delivery)
                        continue
                    }
                    let copy = self.forum.mailCopy(
                        head: head,
                        body: body,
                        references: references,
                        group: delivery.group
                    )
                    try batch.add(copy, as: delivery.fileName, to: maildir)
                    batched.append(delivery)
                case .remove:
                    try maildir.remove(delivery.fileName)
                    outcomes.append(.removed(id: delivery.id))
                    summary.removed += 1
                }
            } catch {
                fail(delivery, error)
            }
        }
        for (delivery, result) in zip(batched, batch.commit()) {
            switch result {
            case .success:
                outcomes.append(.delivered(id: delivery.id))
                summary.delivered += 1
            case .failure(let error):
                fail(delivery, error)
            }
        }
        for (maildir, directories) in found {
            for (directory, deliveries) in directories {
                do {
                    try maildir.syncDirectory(directory)
                    outcomes += deliveries.map { .delivered(id: $0.id) }
                    summary.recovered += deliveries.count
                } catch {
                    for delivery in deliveries { fail(delivery, error) }
                }
            }
        }
        return (outcomes, summary)
    }

    private func failure(_ delivery: ClaimedDelivery, _ error: any Error, now: Date) -> DeliveryOutcome {
        let first = Double(self.configuration.retryDelay.components.seconds)
        let cap = Double(self.configuration.maximumRetryDelay.components.seconds)
        let delay = min(cap, first * pow(2, Double(min(max(delivery.attempts - 1, 0), 30))))
        return .failed(id: delivery.id, error: "\(error)", retryAt: now.addingTimeInterval(delay))
    }

    /// The group's Maildir, made when this deliverer has not made it yet. Blocking.
    private func folder(_ group: String) throws -> Maildir {
        let maildir = try self.tree.folder(group)
        if !self.madeFolders.withLock({ $0.contains(group) }) {
            try self.tree.create()
            try maildir.create()
            self.madeFolders.withLock { _ = $0.insert(group) }
        }
        return maildir
    }

    /// Removes leftovers of this program's own (names of ``MaildirUniqueName``'s form) from
    /// the `tmp/` of each delivered group, once they are older than a lease.
    private func cleanTemporaryFiles() async {
        do {
            let groups = try await self.database.deliveryStatus().map(\.group)
            let cutoff = self.forum.now().timeIntervalSince1970 - Double(self.configuration.lease.components.seconds)
            let tree = self.tree
            let removed = try await NIOThreadPool.singleton.runIfActive {
                var removed = 0
                for group in groups {
                    removed += try tree.folder(group).removeTemporaryFiles { name, modified in
                        MaildirUniqueName(fileName: name) != nil && modified < cutoff
                    }.count
                }
                return removed
            }
            if removed > 0 {
                self.logger.notice(
                    "Removed leftovers of interrupted deliveries",
                    metadata: ["mail.files": "\(removed)"]
                )
            }
        } catch {
            self.logger.warning("Could not clean the Maildirs' tmp/", metadata: ["mail.error": "\(error)"])
        }
    }
}
