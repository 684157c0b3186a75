import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import NewsArticle
import ServiceLifecycle

/// A request the worker has claimed, with what it runs with.
public struct ClaimedJob: Sendable {
    public var request: ReplyRequest
    public var persona: Persona?
    public var model: String
    public var backend: String
}

/// Answers the queued requests: claims them inside the schedule, sends each thread to its
/// model, and stores the answer (or, when a request fails for good, a notice) in the thread.
///
/// Long-running: a `Service` of the application's `ServiceGroup`. Graceful shutdown stops it
/// from taking requests and puts a generation in progress back to `pending`. The worker has no
/// sockets of its own; it talks to models through ``LLMClient``s and to the forum through the
/// store only.
public final class ReplyWorker: Service {
    let forum: Forum
    var database: ForumDatabase { self.forum.database }
    let clients: [String: any LLMClient]
    public let catalog: ModelCatalog
    let configuration: WorkerConfiguration
    let clock: any WorkerClock
    let logger: Logger

    public init(
        forum: Forum,
        clients: [(name: String, client: any LLMClient)],
        catalog: ModelCatalog? = nil,
        configuration: WorkerConfiguration,
        clock: any WorkerClock = SystemWorkerClock(),
        logger: Logger
    ) {
        self.forum = forum
        self.clients = Dictionary(clients.map { ($0.name, $0.client) }, uniquingKeysWith: { first, _ in first })
        self.catalog = catalog ?? ModelCatalog(clients: clients)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let recovered = try await self.database.recoverInterruptedRequests(now: self.clock.now)
        if recovered > 0 {
            self.logger.notice("Requests interrupted by a stop are pending again", metadata: ["worker.requests": "\(recovered)"])
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

    // MARK: - Claiming

    /// One scheduling pass: when the schedule allows it, claims the runnable requests that fit
    /// the backends' free capacity (`busy` says how many run on each already) and returns them.
    /// Requests that cannot run at all (an unknown backend, a retired persona) fail here with a
    /// notice in their thread.
    public func claimRunnable(busy: [String: Int] = [:]) async throws -> [ClaimedJob] {
        let now = self.clock.now
        let schedule = try await self.database.schedule()
        guard schedule.isActive(at: now, calendar: self.configuration.calendar) else { return [] }
        var busy = busy
        var jobs: [ClaimedJob] = []
        for queued in try await self.database.runnableRequests(now: now) {
            let model = Self.model(for: queued, default: self.configuration.defaultModel)
            let backend: String
            switch await self.backend(for: queued, model: model) {
            case .success(let name):
                backend = name
            case .failure(let reason):
                if try await self.database.claim(
                    requestID: queued.request.id, model: model, backend: queued.request.requestedBackend ?? "-",
                    personaVersion: queued.persona?.version, now: now)
                {
                    await self.failForGood(
                        ClaimedJob(request: queued.request, persona: queued.persona, model: model, backend: "-"),
                        reason: reason,
                        attempts: queued.request.attempts + 1
                    )
                }
                continue
            }
            let capacity = self.configuration.backend(named: backend)?.concurrency ?? 1
            guard busy[backend, default: 0] < capacity else { continue }
            guard
                try await self.database.claim(
                    requestID: queued.request.id,
                    model: model,
                    backend: backend,
                    personaVersion: queued.persona?.version,
                    now: now
                )
            else { continue }
            var request = queued.request
            request.status = .running
            request.attempts += 1
            busy[backend, default: 0] += 1
            jobs.append(ClaimedJob(request: request, persona: queued.persona, model: model, backend: backend))
        }
        return jobs
    }

    /// Model: `model=` of the request, else the persona's, else the group's, else the default.
    static func model(for queued: QueuedRequest, default defaultModel: String) -> String {
        queued.request.requestedModel ?? queued.persona?.model ?? queued.groupDefaultModel ?? defaultModel
    }

    /// Backend: `backend=` of the request, else the group's, else the first that offers the
    /// model, else the default; then its fallback while it has been unreachable long enough.
    func backend(for queued: QueuedRequest, model: String) async -> Result<String, FailureReason> {
        var name: String
        if let explicit = queued.request.requestedBackend ?? queued.groupDefaultBackend {
            name = explicit
        } else if let offering = await self.catalog.firstBackend(offering: model) {
            name = offering
        } else {
            name = self.configuration.defaultBackend
        }
        guard let settings = self.configuration.backend(named: name), self.clients[name] != nil else {
            let known = self.configuration.backends.map(\.name).joined(separator: ", ")
            return .failure(FailureReason(message: "no backend named \(name) is configured (configured: \(known))"))
        }
        if let fallback = settings.fallback, self.clients[fallback] != nil,
            let down = await self.catalog.unreachableFor(name), down >= settings.fallbackAfter
        {
            name = fallback
        }
        return .success(name)
    }

    struct FailureReason: Error {
        var message: String
    }

    // MARK: - Running

    /// Runs a claimed job to its end: the answer stored, a retry scheduled, or a notice posted.
    public func execute(_ job: ClaimedJob) async {
        let logger = self.logger.withMetadata([
            "worker.request": "\(job.request.id)", "worker.model": "\(job.model)", "worker.backend": "\(job.backend)",
        ])
        do {
            switch job.request.kind {
            case .answer:
                try await self.answer(job, logger: logger)
            case .generatePersonas:
                try await self.generatePersonas(job, logger: logger)
            }
        } catch is CancelledByUser {
            logger.info("Request cancelled while generating")
        } catch {
            if Task.isCancelled {
                do {
                    // GRDB refuses work from a cancelled task; the requeue must still happen, so it
                    // runs in a task of its own (awaited here, so it does not outlive the job).
                    let database = self.database
                    let id = job.request.id
                    try await Task { try await database.requeue(requestID: id) }.value
                    logger.info("Request interrupted by shutdown, pending again")
                } catch {
                    logger.error("Could not put an interrupted request back", metadata: ["worker.error": "\(error)"])
                }
                return
            }
            let llmError =
                (error as? LLMError)
                ?? (error as? PersonaGeneration.Failure).map { LLMError(.invalidResponse, $0.description) }
            if let llmError, llmError.code == .unreachable || llmError.code == .connectionFailed
                || llmError.code == .timedOut
            {
                await self.catalog.record(backend: job.backend, reachable: false, error: llmError)
            }
            let message = llmError?.message ?? (error as? ArticleError)?.message ?? (error as? StoreError)?.message
                ?? "\(error)"
            if llmError?.code == .unreachable {
                await self.waitForBackend(job, message: message, logger: logger)
                return
            }
            if llmError?.isRetryable == true, job.request.attempts < self.configuration.maximumAttempts {
                let delay = self.retryDelay(afterAttempt: job.request.attempts)
                let retryAt = self.clock.now.addingTimeInterval(Self.seconds(delay))
                logger.warning(
                    "Request failed, will retry",
                    metadata: ["worker.error": "\(message)", "worker.attempt": "\(job.request.attempts)"]
                )
                do {
                    try await self.database.scheduleRetry(
                        requestID: job.request.id,
                        error: "attempt \(job.request.attempts) of \(self.configuration.maximumAttempts) failed: \(message)",
                        retryAt: retryAt,
                        now: self.clock.now
                    )
                } catch {
                    logger.error("Could not schedule a retry", metadata: ["worker.error": "\(error)"])
                }
            } else {
                await self.failForGood(job, reason: FailureReason(message: message), attempts: job.request.attempts)
            }
        }
    }

    private func generatePersonas(_ job: ClaimedJob, logger: Logger) async throws {
        let parameters = try GenerationParameters(of: job.request)
        guard let group = try await self.database.group(named: job.request.groupName) else {
            throw FailureReasonError("the group \(job.request.groupName) was removed")
        }
        var target: Persona?
        if let handle = parameters.regenerate {
            guard let persona = try await self.database.persona(named: handle) else {
                throw FailureReasonError("the persona @\(handle) to regenerate was deleted")
            }
            target = persona
        }
        guard let client = self.clients[job.backend] else {
            throw FailureReasonError("no backend named \(job.backend)")
        }
        let existing = try await self.database.personas(assignedTo: group.name)
        let request = LLMChatRequest(
            model: job.model,
            messages: PersonaGeneration.messages(group: group, existing: existing, parameters: parameters, target: target),
            keepAlive: self.configuration.backend(named: job.backend)?.keepAlive,
            temperature: self.configuration.temperature
        )
        let result = try await self.generate(request, client: client, requestID: job.request.id)
        await self.catalog.record(backend: job.backend, reachable: true)
        let proposals = try PersonaGeneration.parse(result.text, count: parameters.count)
        do {
            let personas = try await self.forum.completeGeneration(
                requestID: job.request.id,
                personas: proposals,
                model: job.model
            )
            logger.info("Personas generated", metadata: ["worker.personas": "\(personas.map(\.handle))"])
        } catch let error as ForumError {
            // A proposal clashed with an existing persona (same name): the model may do better.
            throw PersonaGeneration.Failure(description: "the model's personas could not be used: \(error.message)")
        } catch let error as StoreError {
            throw PersonaGeneration.Failure(description: "the model's personas could not be used: \(error.message)")
        }
    }

    /// The job's backend could not be reached at all (Ollama not started yet, the box switched
    /// off): the request waits for it without spending an attempt, tried again every few
    /// minutes, until `unreachableWait` has passed since it started waiting; then it fails.
    private func waitForBackend(_ job: ClaimedJob, message: String, logger: Logger) async {
        let now = self.clock.now
        let since = job.request.waitingSince ?? now
        let deadline = since.addingTimeInterval(Self.seconds(self.configuration.unreachableWait))
        guard now < deadline else {
            let reason = "backend \(job.backend) could not be reached for \(Self.describe(now.timeIntervalSince(since))): "
                + message
            await self.failForGood(job, reason: FailureReason(message: reason), attempts: job.request.attempts)
            return
        }
        let delay = self.unreachableRetryDelay(waited: now.timeIntervalSince(since))
        logger.warning("Backend unreachable, request waits", metadata: ["worker.error": "\(message)"])
        do {
            try await self.database.scheduleRetry(
                requestID: job.request.id,
                error: "waiting for backend \(job.backend): \(message) (tries again until "
                    + "\(Self.timestamp(deadline, calendar: self.configuration.calendar)))",
                retryAt: now.addingTimeInterval(Self.seconds(delay)),
                waitingForBackend: true,
                now: now
            )
        } catch {
            logger.error("Could not schedule a retry", metadata: ["worker.error": "\(error)"])
        }
    }

    /// While a backend cannot be reached: half the time waited so far, at least `retryDelay`
    /// and at most five minutes, so that a backend started in the morning is noticed soon.
    func unreachableRetryDelay(waited: TimeInterval) -> Duration {
        let seconds = min(max(Self.seconds(self.configuration.retryDelay), waited / 2), 300)
        return .milliseconds(Int64(seconds * 1000))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `2026-12-02 07:30` in the schedule's time zone.
    static func timestamp(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// `25 minutes`, `3 hours`.
    static func describe(_ interval: TimeInterval) -> String {
        interval < 5400 ? "\(Int(interval / 60)) minutes" : "\(Int((interval / 3600).rounded())) hours"
    }

    /// `retryDelay × 2^(attempt-1)`, at most one hour.
    func retryDelay(afterAttempt attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 16)
        return min(self.configuration.retryDelay * factor, .seconds(3600))
    }

    struct CancelledByUser: Error {}

    private func answer(_ job: ClaimedJob, logger: Logger) async throws {
        guard let persona = job.persona, persona.retiredAt == nil else {
            throw FailureReasonError("the persona was deleted")
        }
        guard let articleID = job.request.articleID else {
            throw FailureReasonError("the article to answer was removed")
        }
        let thread = try await self.database.thread(ofArticle: articleID)
        guard let last = thread.last, let parentID = MessageID(validating: last.article.messageID) else {
            throw FailureReasonError("the article to answer was removed")
        }
        guard let client = self.clients[job.backend] else {
            throw FailureReasonError("no backend named \(job.backend)")
        }
        let settings = self.configuration.backend(named: job.backend)
        let turns = Prompt.turns(of: thread, personaID: persona.id)
        let messages = Prompt.messages(
            instructions: persona.instructions,
            personaName: persona.name,
            group: job.request.groupName,
            turns: turns,
            budget: self.configuration.contextCharacters
        )
        let cap = settings?.maximumContextLength ?? 8192
        let contextLength = min(try await client.contextLength(of: job.model) ?? cap, cap)
        let request = LLMChatRequest(
            model: job.model,
            messages: messages,
            contextLength: contextLength,
            keepAlive: settings?.keepAlive,
            temperature: self.configuration.temperature,
            maximumTokens: self.configuration.maximumAnswerTokens
        )
        logger.debug("Generating", metadata: ["worker.messages": "\(messages.count)", "worker.num_ctx": "\(contextLength)"])
        let result = try await self.generate(request, client: client, requestID: job.request.id)
        await self.catalog.record(backend: job.backend, reachable: true)

        let finished = ContinuousClock.now
        let parent = try Article(parsing: last.article.bytes)
        let groups = try await self.replyGroups(parent: parent, fallback: job.request.groupName)
        let now = self.clock.now
        let answer = try AnswerArticle.answer(
            parent: parent,
            parentID: parentID,
            groups: groups,
            messageID: try MessageID(job.request.answerMessageID ?? ""),
            persona: persona,
            model: job.model,
            backend: job.backend,
            text: result.text,
            truncation: result.truncation,
            hostname: self.configuration.hostname,
            userAgent: self.configuration.userAgent,
            now: now
        )
        let stored = try await self.forum.complete(
            requestID: job.request.id,
            answer: answer,
            personaID: persona.id,
            personaVersion: persona.version
        )
        if stored == nil { throw CancelledByUser() }
        logger.info(
            "Answer posted",
            metadata: [
                "worker.persona": "\(persona.handle)",
                "worker.chars": "\(result.text.count)",
                "worker.generation_ms": "\(result.totalTime.components.seconds * 1000 + result.totalTime.components.attoseconds / 1_000_000_000_000_000)",
                "worker.overhead_us": "\(Self.microseconds(ContinuousClock.now - finished))",
            ]
        )
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }

    /// Streams the answer, recording progress; stops when the request is cancelled meanwhile.
    private func generate(_ request: LLMChatRequest, client: any LLMClient, requestID: Int64) async throws
        -> LLMChatResult
    {
        let stop = QueueSignal()
        let database = self.database
        return try await withThrowingTaskGroup(of: LLMChatResult?.self) { group in
            group.addTask {
                try await client.chat(request) { characters in
                    let running = (try? await database.recordProgress(requestID: requestID, characters: characters)) ?? true
                    if !running { stop.notify() }
                }
            }
            group.addTask {
                await stop.wait(orUntil: { try? await Task.sleep(for: .seconds(365 * 86_400)) })
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            guard let result = first else {
                if Task.isCancelled { throw CancellationError() }
                throw CancelledByUser()
            }
            return result
        }
    }

    /// The groups of a follow-up to `parent` that still exist; `fallback` when none does.
    private func replyGroups(parent: Article, fallback: String) async throws -> [String] {
        var groups: [String] = []
        for name in AnswerArticle.followupGroups(of: parent) where try await self.database.group(named: name) != nil {
            groups.append(name)
        }
        return groups.isEmpty ? [fallback] : groups
    }

    /// Marks the request failed and posts FORLLM's notice into the thread.
    func failForGood(_ job: ClaimedJob, reason: FailureReason, attempts: Int) async {
        let logger = self.logger.withMetadata(["worker.request": "\(job.request.id)"])
        logger.error("Request failed for good", metadata: ["worker.error": "\(reason.message)"])
        var notice: Article?
        if let articleID = job.request.articleID,
            let stored = try? await self.database.thread(ofArticle: articleID).last,
            let parent = try? Article(parsing: stored.article.bytes),
            let parentID = MessageID(validating: stored.article.messageID)
        {
            notice = try? AnswerArticle.failureNotice(
                parent: parent,
                parentID: parentID,
                groups: (try? await self.replyGroups(parent: parent, fallback: job.request.groupName)) ?? [job.request.groupName],
                requestID: job.request.id,
                personaName: job.persona?.name ?? "The persona",
                handle: job.persona?.handle ?? job.request.personaHandle ?? "?",
                model: job.model,
                backend: job.backend,
                reason: reason.message,
                attempts: attempts,
                hostname: self.configuration.hostname,
                userAgent: self.configuration.userAgent,
                now: self.clock.now
            )
        }
        if job.request.kind == .generatePersonas {
            notice = try? AnswerArticle.generationFailureNotice(
                group: job.request.groupName,
                requestID: job.request.id,
                model: job.model,
                backend: job.backend,
                reason: reason.message,
                attempts: attempts,
                hostname: self.configuration.hostname,
                userAgent: self.configuration.userAgent,
                now: self.clock.now
            )
        }
        do {
            try await self.forum.fail(requestID: job.request.id, error: reason.message, notice: notice)
        } catch {
            logger.error("Could not record a failed request", metadata: ["worker.error": "\(error)"])
        }
    }
}

/// A failure that retrying cannot fix, with its reason for a person.
struct FailureReasonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Logger {
    func withMetadata(_ metadata: Logger.Metadata) -> Logger {
        var logger = self
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }
}
