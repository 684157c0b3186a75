import Foundation
import GRDB
import NewsArticle

/// A persona the model proposed.
public struct GeneratedPersona: Hashable, Sendable, Codable {
    public var name: String
    public var handle: String?
    public var instructions: String

    public init(name: String, handle: String? = nil, instructions: String) {
        self.name = name
        self.handle = handle
        self.instructions = instructions
    }
}

/// What a generation request asks for (the request's `params`).
public struct GenerationParameters: Hashable, Sendable, Codable {
    public var count: Int
    public var hint: String?
    /// Handle of the persona to replace.
    public var regenerate: String?

    public init(count: Int, hint: String? = nil, regenerate: String? = nil) {
        self.count = count
        self.hint = hint
        self.regenerate = regenerate
    }
}

extension ForumDatabase {
    /// Most personas one generation request may ask for.
    public static let maximumGeneratedPersonas = 10

    /// Queues a request asking the model for personas fitting `group` (or, with `regenerate`,
    /// for a replacement of that persona).
    @discardableResult
    public func queuePersonaGeneration(
        group: String,
        count: Int,
        hint: String?,
        regenerate: String?,
        model: String?,
        now: Date = Date()
    ) async throws -> ReplyRequest {
        guard (1...Self.maximumGeneratedPersonas).contains(count) else {
            throw StoreError(.invalidInput, "--count must be from 1 to \(Self.maximumGeneratedPersonas)")
        }
        let request = try await self.writer.write { db -> ReplyRequest in
            let newsgroup = try Self.requireGroup(group, db)
            var target: Persona?
            if let regenerate {
                let persona = try self.requirePersona(regenerate, db)
                if persona.builtin {
                    throw StoreError(.conflict, "Assistant is built in; edit it instead of regenerating it")
                }
                target = persona
            }
            let parameters = GenerationParameters(
                count: target == nil ? count : 1,
                hint: hint.flatMap { $0.isEmpty ? nil : $0 },
                regenerate: target?.handle
            )
            let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO request (kind, status, group_name, persona_id, requested_model, params, created_at,
                        updated_at)
                    VALUES ('generate_personas', 'pending', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    newsgroup.name, target?.id, model, json, now.timeIntervalSince1970, now.timeIntervalSince1970,
                ]
            )
            return try Self.requireRequest(db.lastInsertedRowID, db)
        }
        self.queueSignal.notify()
        return request
    }

    /// The parameters of a generation request.
    public static func generationParameters(of request: ReplyRequest) throws -> GenerationParameters {
        try JSONDecoder().decode(GenerationParameters.self, from: Data(request.params.utf8))
    }

    /// Stores what a generation request produced, in one transaction: the personas created
    /// (or the one replaced) and assigned to the group, a report article in the group, and the
    /// request done. Throws ``StoreError`` (nothing kept) when a proposal cannot be used.
    /// - Returns: the personas created or changed.
    @discardableResult
    public func completeGeneration(
        requestID: Int64,
        personas proposals: [GeneratedPersona],
        model: String,
        now: Date = Date()
    ) async throws -> [Persona] {
        try await self.writer.write { db in
            let request = try Self.requireRequest(requestID, db)
            guard request.status == .running else { return [] }
            let parameters = try Self.generationParameters(of: request)
            var personas: [Persona] = []
            if let handle = parameters.regenerate, let proposal = proposals.first {
                let persona = try self.requirePersona(handle, db)
                let changed = try self.applyChanges(
                    PersonaChanges(name: proposal.name, instructions: proposal.instructions),
                    to: persona,
                    by: "forllm (\(model))",
                    change: "regenerated",
                    now: now,
                    db
                )
                personas.append(changed)
            } else {
                for proposal in proposals {
                    let handle = proposal.handle.flatMap { candidate -> String? in
                        guard Persona.isValidHandle(candidate) else { return nil }
                        let taken =
                            (try? Bool.fetchOne(
                                db, sql: "SELECT EXISTS (SELECT 1 FROM persona WHERE handle = ?)", arguments: [candidate]))
                            ?? true
                        return taken == true ? nil : candidate
                    }
                    let persona = try self.createPersona(
                        name: proposal.name,
                        handle: handle,
                        instructions: proposal.instructions,
                        model: nil,
                        by: "forllm (\(model))",
                        now: now,
                        postingCard: false,
                        db
                    )
                    let group = try Self.requireGroup(request.groupName, db)
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO group_persona (group_id, persona_id) VALUES (?, ?)",
                        arguments: [group.id, persona.id]
                    )
                    try self.postCard(for: persona, by: "forllm (\(model))", change: "created", now: now, db)
                    personas.append(persona)
                }
            }
            try self.postGenerationReport(request: request, personas: personas, regenerated: parameters.regenerate != nil, model: model, now: now, db)
            try db.execute(
                sql: "UPDATE request SET status = 'done', error = NULL, finished_at = ?, updated_at = ? WHERE id = ?",
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, requestID]
            )
            return personas
        }
    }

    private func postGenerationReport(
        request: ReplyRequest,
        personas: [Persona],
        regenerated: Bool,
        model: String,
        now: Date,
        _ db: Database
    ) throws {
        let hostname = self.configuration.hostname
        var lines: [String] = []
        if regenerated {
            lines.append("A persona of this group was regenerated by \(model):")
        } else {
            lines.append("\(personas.count) new persona\(personas.count == 1 ? "" : "s") for \(request.groupName), proposed by \(model):")
        }
        for persona in personas {
            lines.append("")
            lines.append("\(persona.name) (@\(persona.handle))")
            lines.append(persona.instructions)
        }
        lines.append("")
        lines.append("Mention them with @handle to ask them; see their cards in \(Self.personasGroupName).")
        let subject = regenerated ? "Persona regenerated: \(personas.first?.name ?? "")" : "New personas for \(request.groupName)"
        let report = try ArticleDraft(
            from: Mailbox(displayName: "FORLLM", address: "forllm@\(hostname)"),
            newsgroups: [request.groupName],
            subject: subject,
            // Posted in the transaction that marks the request done: it cannot be posted twice.
            messageID: MessageID.generate(domain: hostname),
            date: now,
            extraHeaders: [("X-FORLLM-Model", model)],
            text: lines.joined(separator: "\n"),
            flowed: true
        ).build()
        _ = try self.insert(try self.prepare(report, origin: .system, now: now), origin: .system, now: now, db)
    }
}
