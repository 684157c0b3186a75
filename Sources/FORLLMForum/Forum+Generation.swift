import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Queues a request asking the model for personas fitting `group` (or, with `regenerate`,
    /// for a replacement of that persona).
    @discardableResult
    public func queuePersonaGeneration(
        group: String,
        count: Int,
        hint: String?,
        regenerate: String?,
        model: String?
    ) async throws -> ReplyRequest {
        guard (1...GenerationParameters.maximumCount).contains(count) else {
            throw ForumError(.invalidInput, "--count must be from 1 to \(GenerationParameters.maximumCount)")
        }
        let now = self.now()
        let request = try await self.database.write { transaction -> ReplyRequest in
            let newsgroup = try transaction.requireGroup(group)
            var target: Persona?
            if let regenerate {
                let persona = try transaction.requirePersona(regenerate)
                if persona.builtin {
                    throw ForumError(.conflict, "Assistant is built in; edit it instead of regenerating it")
                }
                target = persona
            }
            let parameters = GenerationParameters(
                count: target == nil ? count : 1,
                hint: hint.flatMap { $0.isEmpty ? nil : $0 },
                regenerate: target?.handle
            )
            return try transaction.insertGenerationRequest(
                groupName: newsgroup.name,
                personaID: target?.id,
                requestedModel: model,
                parameters: String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self),
                now: now
            )
        }
        self.database.queueSignal.notify()
        return request
    }

    /// Stores what a generation request produced, in one transaction: the personas created
    /// (or the one replaced) and assigned to the group, a report article in the group, and the
    /// request done. Throws (nothing kept) when a proposal cannot be used.
    /// - Returns: the personas created or changed.
    @discardableResult
    public func completeGeneration(
        requestID: Int64,
        personas proposals: [GeneratedPersona],
        model: String,
        notes: AnswerNotes = .init()
    ) async throws -> [Persona] {
        let now = self.now()
        return try await self.database.write { transaction in
            let request = try transaction.request(id: requestID)
            guard request.status == .running else { return [] }
            let parameters = try GenerationParameters(of: request)
            let author = "forllm (\(model))"
            var personas: [Persona] = []
            if let handle = parameters.regenerate, let proposal = proposals.first {
                let persona = try transaction.requirePersona(handle)
                let changed = try self.applyChanges(
                    PersonaChanges(name: proposal.name, instructions: proposal.instructions),
                    to: persona,
                    by: author,
                    change: "regenerated",
                    now: now,
                    transaction
                )
                personas.append(changed)
            } else {
                for proposal in proposals {
                    // A proposed handle that is invalid or taken is replaced by one derived from the name.
                    let handle = try proposal.handle.flatMap { candidate -> String? in
                        guard Persona.isValidHandle(candidate) else { return nil }
                        return try transaction.handleExists(candidate) ? nil : candidate
                    }
                    let persona = try self.createPersona(
                        name: proposal.name,
                        handle: handle,
                        instructions: proposal.instructions,
                        model: nil,
                        by: author,
                        now: now,
                        postingCard: false,
                        transaction
                    )
                    let group = try transaction.requireGroup(request.groupName)
                    try transaction.assign(personaID: persona.id, toGroup: group.id, asDefault: false)
                    try self.postCard(for: persona, by: author, change: "created", now: now, transaction)
                    personas.append(persona)
                }
            }
            try self.postGenerationReport(
                request: request,
                personas: personas,
                regenerated: parameters.regenerate != nil,
                model: model,
                now: now,
                transaction
            )
            try transaction.markDone(requestID: requestID, answerMessageID: nil, notes: notes, now: now)
            return personas
        }
    }

    private func postGenerationReport(
        request: ReplyRequest,
        personas: [Persona],
        regenerated: Bool,
        model: String,
        now: Date,
        _ transaction: StoreTransaction
    ) throws {
        var lines: [String] = []
        if regenerated {
            lines.append("A persona of this group was regenerated by \(model):")
        } else {
            lines.append(
                "\(personas.count) new persona\(personas.count == 1 ? "" : "s") for \(request.groupName), "
                    + "proposed by \(model):"
            )
        }
        for persona in personas {
            lines.append("")
            lines.append("\(persona.name) (@\(persona.handle))")
            lines.append(persona.instructions)
        }
        lines.append("")
        lines.append(
            "Mention them with @handle to ask them; see their cards in \(ForumDatabase.personasGroupName)."
        )
        let subject =
            regenerated ? "Persona regenerated: \(personas.first?.name ?? "")" : "New personas for \(request.groupName)"
        let report = try ArticleDraft(
            from: self.systemMailbox,
            newsgroups: [request.groupName],
            subject: subject,
            // Posted in the transaction that marks the request done: it cannot be posted twice.
            messageID: MessageID.generate(domain: self.configuration.hostname),
            date: now,
            extraHeaders: [("X-FORLLM-Model", model)],
            text: lines.joined(separator: "\n"),
            flowed: true
        ).build()
        try self.insertSystemArticle(report, now: now, transaction)
    }
}
