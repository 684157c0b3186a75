import FORLLMStore

extension ReplyWorker {
    /// One scheduling pass: when the schedule allows it, claims the runnable requests that fit
    /// the backends' free capacity (`busy` says how many run on each already) and returns them.
    /// Requests that cannot run at all (an unknown backend, a retired persona) fail here with a
    /// notice in their thread.
    public func claimRunnable(busy: [String: Int] = [:]) async throws -> [ClaimedJob] {
        let now = self.now()
        let schedule = try await self.database.schedule()
        guard schedule.isActive(at: now, calendar: self.configuration.calendar) else { return [] }
        var busy = busy
        var jobs: [ClaimedJob] = []
        // Each request's model and backend first, then the order for the hardware.
        var resolved: [Int64: (queued: QueuedRequest, model: String, backend: String)] = [:]
        var candidates: [QueueOrder.Candidate] = []
        for queued in try await self.database.runnableRequests(now: now) {
            let model = Self.model(for: queued, default: self.configuration.defaultModel)
            let backend: String
            switch await self.backend(for: queued, model: model) {
            case .success(let name):
                backend = name
                resolved[queued.request.id] = (queued, model, backend)
                candidates.append(QueueOrder.Candidate(queued, backend: backend, model: model))
                continue
            case .failure(let error):
                if try await self.database.claim(
                    requestID: queued.request.id,
                    model: model,
                    backend: queued.request.requestedBackend ?? "-",
                    personaVersion: queued.persona?.version,
                    runs: false,
                    now: now
                ) {
                    await self.failForGood(
                        ClaimedJob(request: queued.request, persona: queued.persona, model: model, backend: "-"),
                        reason: "\(error)",
                        attempts: queued.request.attempts + 1
                    )
                }
                continue
            }
        }
        let order = QueueOrder.ordered(
            candidates,
            policy: self.configuration.queueOrder,
            loaded: try await self.database.backendStates(),
            now: now,
            maximumPassedOver: self.configuration.queueMaximumPassedOver,
            maximumWait: self.configuration.queueMaximumWait
        )
        for candidate in order {
            guard let (queued, model, backend) = resolved[candidate.id] else { continue }
            let capacity = self.configuration.backend(named: backend)?.concurrency ?? 1
            guard busy[backend, default: 0] < capacity else { continue }
            guard
                try await self.database.claim(
                    requestID: queued.request.id,
                    model: model,
                    backend: backend,
                    personaVersion: queued.persona?.version,
                    rootMessageID: queued.rootMessageID,
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
    public static func model(for queued: QueuedRequest, default defaultModel: String) -> String {
        queued.request.requestedModel ?? queued.persona?.model ?? queued.groupDefaultModel ?? defaultModel
    }

    /// Backend: `backend=` of the request, else the group's, else the first that offers the
    /// model, else the default; then its fallback while it has been unreachable for its
    /// `fallbackAfter` (measured on the catalog's clock). Fails with ``LLMError/Code/notRunnable``
    /// when no such backend is configured.
    func backend(for queued: QueuedRequest, model: String) async -> Result<String, LLMError> {
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
            return .failure(LLMError(.notRunnable, "no backend named \(name) is configured (configured: \(known))"))
        }
        if let fallback = settings.fallback, self.clients[fallback] != nil,
            let down = await self.catalog.unreachableFor(name), down >= settings.fallbackAfter
        {
            name = fallback
        }
        return .success(name)
    }
}
