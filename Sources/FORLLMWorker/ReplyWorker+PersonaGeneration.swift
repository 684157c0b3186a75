import FORLLMForum
import FORLLMStore
import Logging

extension ReplyWorker {
    /// Runs a persona generation request: asks the model for personas (``PersonaGeneration``)
    /// and stores the usable ones with a report in the group.
    func generatePersonas(_ job: ClaimedJob, logger: Logger) async throws {
        let parameters = try GenerationParameters(of: job.request)
        guard let group = try await self.database.group(named: job.request.groupName) else {
            throw LLMError(.notRunnable, "the group \(job.request.groupName) was removed")
        }
        var target: Persona?
        if let handle = parameters.regenerate {
            guard let persona = try await self.database.persona(named: handle) else {
                throw LLMError(.notRunnable, "the persona @\(handle) to regenerate was deleted")
            }
            target = persona
        }
        guard let client = self.clients[job.backend] else {
            throw LLMError(.notRunnable, "no backend named \(job.backend)")
        }
        let existing = try await self.database.personas(assignedTo: group.name)
        let request = LLMChatRequest(
            model: job.model,
            messages: PersonaGeneration.messages(
                group: group,
                existing: existing,
                parameters: parameters,
                target: target
            ),
            contextLength: try await self.contextLength(of: job.model, backend: job.backend, client: client),
            keepAlive: self.configuration.backend(named: job.backend)?.keepAlive,
            temperature: self.configuration.temperature,
            maximumTokens: self.configuration.maximumAnswerTokens,
            stopsRepetition: self.configuration.stopsRepetition
        )
        let result = try await self.generate(request, client: client, requestID: job.request.id)
        await self.catalog.record(backend: job.backend, reachable: true)
        // The personas' texts become cards (articles): the same cleaning as an answer's.
        let (text, cleaning) = AnswerCleaning.clean(result.text, invalidUTF8Replaced: result.invalidUTF8Replaced)
        let truncated = AnswerArticle.truncationHeader(result.truncations)
        let proposals: [GeneratedPersona]
        do {
            proposals = try PersonaGeneration.parse(text, count: parameters.count)
        } catch let error as LLMError where truncated != nil {
            // A generation stopped at a bound (a loop, the token limit) rarely ends in whole JSON.
            throw LLMError(
                error.code,
                "the model's answer was cut (\(truncated ?? "")): \(error.message)",
                cause: error
            )
        }
        do {
            let personas = try await self.forum.completeGeneration(
                requestID: job.request.id,
                personas: proposals,
                model: job.model,
                notes: AnswerNotes(truncated: truncated, cleaned: cleaning.summary)
            )
            logger.info("Personas generated", metadata: ["worker.personas": "\(personas.map(\.handle))"])
        } catch let error as ForumError {
            // A proposal clashed with an existing persona (same name): the model may do better.
            throw LLMError(.invalidResponse, "the model's personas could not be used: \(error)", cause: error)
        } catch let error as StoreError {
            throw LLMError(.invalidResponse, "the model's personas could not be used: \(error)", cause: error)
        }
    }
}
