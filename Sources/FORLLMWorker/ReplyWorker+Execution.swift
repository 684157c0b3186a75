import FORLLMForum
import FORLLMStore
import Foundation
import Logging
import NewsArticle

extension ReplyWorker {
    /// Runs a claimed job to its end: the answer stored, a retry scheduled, or a notice posted.
    public func execute(_ job: ClaimedJob) async {
        let logger = self.logger.withMetadata([
            "worker.request": "\(job.request.id)", "worker.model": "\(job.model)", "worker.backend": "\(job.backend)"
        ])
        do {
            switch job.request.kind {
            case .answer:
                try await self.answer(job, logger: logger)
            case .generatePersonas:
                try await self.generatePersonas(job, logger: logger)
            }
        } catch let error as LLMError where error.code == .requestCancelled {
            logger.info("Request cancelled while generating")
        } catch {
            if Task.isCancelled {
                do {
                    // GRDB refuses work from a cancelled task; the requeue must still happen, so it
                    // runs in a task of its own (awaited here, so it does not outlive the job).
                    let database = self.database
                    let id = job.request.id
                    let now = self.now()
                    try await Task { try await database.requeue(requestID: id, now: now) }.value
                    logger.info("Request interrupted by shutdown, pending again")
                } catch {
                    logger.error("Could not put an interrupted request back", metadata: ["worker.error": "\(error)"])
                }
                return
            }
            await self.handleFailure(error, of: job, logger: logger)
        }
    }

    /// Carries out what ``RetryPolicy`` decides for a job that failed with `error`.
    private func handleFailure(_ error: any Error, of job: ClaimedJob, logger: Logger) async {
        if let error = error as? LLMError,
            error.code == .unreachable || error.code == .connectionFailed || error.code == .timedOut
        {
            await self.catalog.record(backend: job.backend, reachable: false, error: error)
        }
        // Every error of the layers below describes itself in one line for a person.
        let message = "\(error)"
        let now = self.now()
        let decision = self.retryPolicy.decision(
            after: RetryPolicy.Failure(error),
            attempts: job.request.attempts,
            waitingSince: job.request.waitingSince,
            now: now
        )
        switch decision {
        case .retry(let retryAt):
            logger.warning(
                "Request failed, will retry",
                metadata: ["worker.error": "\(message)", "worker.attempt": "\(job.request.attempts)"]
            )
            do {
                try await self.database.scheduleRetry(
                    requestID: job.request.id,
                    error: "attempt \(job.request.attempts) of \(self.retryPolicy.maximumAttempts) failed: \(message)",
                    retryAt: retryAt,
                    now: now
                )
            } catch {
                logger.error("Could not schedule a retry", metadata: ["worker.error": "\(error)"])
            }
        case .waitForBackend(let retryAt, let deadline):
            // The backend could not be reached at all (Ollama not started yet, the box switched
            // off): the request waits for it without spending an attempt.
            logger.warning("Backend unreachable, request waits", metadata: ["worker.error": "\(message)"])
            do {
                try await self.database.scheduleRetry(
                    requestID: job.request.id,
                    error: "waiting for backend \(job.backend): \(message) (tries again until "
                        + "\(Self.timestamp(deadline, calendar: self.configuration.calendar)))",
                    retryAt: retryAt,
                    waitingForBackend: true,
                    now: now
                )
            } catch {
                logger.error("Could not schedule a retry", metadata: ["worker.error": "\(error)"])
            }
        case .stopWaiting(let waited):
            let reason = "backend \(job.backend) could not be reached for \(Self.describe(waited)): " + message
            await self.failForGood(job, reason: reason, attempts: job.request.attempts)
        case .fail:
            await self.failForGood(job, reason: message, attempts: job.request.attempts)
        }
    }

    /// `2026-12-02 07:30` in the schedule's time zone.
    static func timestamp(_ date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0
        )
    }

    /// `25 minutes`, `3 hours`.
    static func describe(_ interval: TimeInterval) -> String {
        interval < 5400 ? "\(Int(interval / 60)) minutes" : "\(Int((interval / 3600).rounded())) hours"
    }

    // MARK: - Answers

    private func answer(_ job: ClaimedJob, logger: Logger) async throws {
        if job.request.task == .summary { return try await self.summarise(job, logger: logger) }
        let context = try await self.answerContext(job)
        let persona = context.persona
        let siblings = try await self.database.personaAnswers(
            toArticle: context.articleID,
            excludingPersona: persona.id
        )
        let messages = Prompt.messages(
            instructions: persona.instructions,
            personaName: persona.name,
            group: job.request.groupName,
            turns: context.turns,
            siblings: Prompt.siblingTurns(of: siblings),
            budget: self.configuration.contextCharacters
        )
        let client = context.client
        let contextLength = context.contextLength
        let build = context.build
        let request = LLMChatRequest(
            model: job.model,
            messages: messages,
            contextLength: contextLength,
            keepAlive: context.keepAlive,
            temperature: self.configuration.temperature,
            maximumTokens: self.configuration.maximumAnswerTokens,
            maximumBytes: context.maximumTextBytes,
            stopsRepetition: self.configuration.stopsRepetition
        )
        logger.debug(
            "Generating",
            metadata: ["worker.messages": "\(messages.count)", "worker.num_ctx": "\(contextLength)"]
        )
        let result = try await self.generate(request, client: client, requestID: job.request.id)
        await self.catalog.record(backend: job.backend, reachable: true)

        let finished = self.timeline.now
        let answer = try build(result, self.now())
        let stored = try await self.forum.complete(
            requestID: job.request.id,
            answer: answer.article,
            personaID: persona.id,
            personaVersion: persona.version,
            notes: answer.notes
        )
        if stored == nil { throw Self.cancelledWhileGenerating }
        var metadata: Logger.Metadata = [
            "worker.persona": "\(persona.handle)",
            "worker.chars": "\(result.text.count)",
            "worker.generation_ms": "\(result.totalTime.wholeMilliseconds)",
            "worker.usage": "\(result.usage.headerValue ?? "")",
            "worker.overhead_us": "\(Self.microseconds(self.timeline.now - finished))"
        ]
        if let truncated = answer.notes.truncated { metadata["worker.truncated"] = "\(truncated)" }
        if let cleaned = answer.notes.cleaned { metadata["worker.cleaned"] = "\(cleaned)" }
        logger.info("Answer posted", metadata: metadata)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }

    /// Thrown when the request was cancelled while its answer was generated.
    static var cancelledWhileGenerating: LLMError {
        LLMError(.requestCancelled, "the request was cancelled while its answer was generated")
    }

    /// Streams the answer, recording progress; stops when the request is cancelled meanwhile.
    func generate(_ request: LLMChatRequest, client: any LLMClient, requestID: Int64) async throws -> LLMChatResult {
        let stop = QueueSignal()
        let database = self.database
        let clock = self.clock
        let now = self.now
        return try await withThrowingTaskGroup(of: LLMChatResult?.self) { group in
            group.addTask {
                try await client.chat(request) { characters in
                    let running =
                        (try? await database.recordProgress(requestID: requestID, characters: characters, now: now()))
                        ?? true
                    if !running { stop.notify() }
                }
            }
            group.addTask {
                // Until the request is cancelled (or, practically, forever).
                await stop.wait(orUntil: { try? await clock.sleep(for: .seconds(365 * 86_400)) })
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            guard let result = first else {
                if Task.isCancelled { throw CancellationError() }
                throw Self.cancelledWhileGenerating
            }
            return result
        }
    }

    /// The groups of a follow-up to `parent` that still exist; `fallback` when none does.
    func replyGroups(parent: Article, fallback: String) async throws -> [String] {
        var groups: [String] = []
        for name in parent.followupGroups where try await self.database.group(named: name) != nil {
            groups.append(name)
        }
        return groups.isEmpty ? [fallback] : groups
    }
}
