import FORLLMStore
import Foundation
import NewsArticle

/// Changes to a persona; `nil` leaves a field as it is.
public struct PersonaChanges: Hashable, Sendable {
    public var name: String?
    public var instructions: String?
    /// `.some(nil)` clears the preferred model.
    public var model: String??

    public init(name: String? = nil, instructions: String? = nil, model: String?? = nil) {
        self.name = name
        self.instructions = instructions
        self.model = model
    }
}

extension Forum {
    // MARK: - Changing personas (each change posts the persona's new card)

    /// Creates a persona (version 1) and posts its card.
    @discardableResult
    public func createPersona(
        name: String,
        handle: String? = nil,
        instructions: String,
        model: String? = nil,
        by author: String
    ) async throws -> Persona {
        let now = self.now()
        return try await self.database.write { transaction in
            try self.createPersona(
                name: name,
                handle: handle,
                instructions: instructions,
                model: model,
                by: author,
                now: now,
                transaction
            )
        }
    }

    /// Applies `changes` as a new version and posts the new card.
    @discardableResult
    public func editPersona(_ text: String, _ changes: PersonaChanges, by author: String) async throws -> Persona {
        let now = self.now()
        return try await self.database.write { transaction in
            let persona = try transaction.requirePersona(text)
            return try self.applyChanges(changes, to: persona, by: author, change: nil, now: now, transaction)
        }
    }

    /// Makes a new version equal to version `version`.
    @discardableResult
    public func revertPersona(_ text: String, to version: Int, by author: String) async throws -> Persona {
        let now = self.now()
        return try await self.database.write { transaction in
            let persona = try transaction.requirePersona(text)
            guard let old = try transaction.personaVersion(personaID: persona.id, version: version) else {
                throw StoreError(
                    .notFound,
                    "\(persona.name) has no version \(version) (it is at version \(persona.version))"
                )
            }
            return try self.applyChanges(
                PersonaChanges(name: old.name, instructions: old.instructions, model: .some(old.model)),
                to: persona,
                by: author,
                change: "reverted to version \(version)",
                now: now,
                transaction
            )
        }
    }

    /// Retires a persona: it takes no new requests and its pending ones are cancelled; its
    /// answers and history stay. The built-in Assistant cannot be deleted (edit it instead).
    public func deletePersona(_ text: String, by author: String) async throws {
        let now = self.now()
        try await self.database.write { transaction in
            let persona = try transaction.requirePersona(text)
            if persona.builtin {
                throw ForumError(
                    .conflict,
                    "Assistant is built in and answers when no other persona is set; edit it instead of deleting it"
                )
            }
            try transaction.retirePersona(id: persona.id, now: now)
            var retired = persona
            retired.retiredAt = now
            try self.postCard(for: retired, by: author, change: "deleted", now: now, transaction)
        }
    }

    /// Assigns a persona to a group, optionally as the group's default.
    public func assignPersona(_ text: String, to group: String, asDefault: Bool) async throws {
        let now = self.now()
        try await self.database.write { transaction in
            let persona = try transaction.requirePersona(text)
            let newsgroup = try transaction.requireGroup(group)
            try transaction.assign(personaID: persona.id, toGroup: newsgroup.id, asDefault: asDefault)
            try self.postCard(for: persona, by: "forllm", change: "assigned to \(group)", now: now, transaction)
        }
    }

    /// Removes a persona from a group (and as its default).
    public func unassignPersona(_ text: String, from group: String) async throws {
        let now = self.now()
        try await self.database.write { transaction in
            let persona = try transaction.requirePersona(text)
            let newsgroup = try transaction.requireGroup(group)
            guard try transaction.unassign(personaID: persona.id, fromGroup: newsgroup.id) else {
                throw StoreError(.notFound, "\(persona.name) is not assigned to \(group)")
            }
            try self.postCard(for: persona, by: "forllm", change: "unassigned from \(group)", now: now, transaction)
        }
    }

    /// Makes a persona the global default.
    public func setGlobalDefaultPersona(_ text: String) async throws {
        try await self.database.write { transaction in
            try transaction.setGlobalDefaultPersona(id: transaction.requirePersona(text).id)
        }
    }

    // MARK: - Inside transactions

    func createPersona(
        name: String,
        handle: String?,
        instructions: String,
        model: String?,
        by author: String,
        now: Date,
        postingCard: Bool = true,
        _ transaction: StoreTransaction
    ) throws -> Persona {
        let name = try Self.checkName(name)
        let instructions = try Self.checkInstructions(instructions)
        let model = try Self.checkModel(model)
        if try transaction.activePersona(handleOrName: name) != nil
            || transaction.activePersona(nameKey: Persona.nameKey(name)) != nil
        {
            throw ForumError(.alreadyExists, "a persona named \(name) already exists")
        }
        let chosen: String
        if let handle {
            guard Persona.isValidHandle(handle) else {
                throw ForumError(
                    .invalidInput,
                    "handle '\(handle)' is not valid: use lower-case letters, digits and '-', like chef-anna"
                )
            }
            if try transaction.handleExists(handle) {
                throw ForumError(.alreadyExists, "the handle @\(handle) is taken (handles are never reused)")
            }
            chosen = handle
        } else {
            let base = Persona.handle(derivedFrom: name)
            var candidate = base
            var suffix = 2
            while try transaction.handleExists(candidate) {
                candidate = "\(base)-\(suffix)"
                suffix += 1
            }
            chosen = candidate
        }
        let persona = try transaction.insertPersona(
            handle: chosen,
            name: name,
            instructions: instructions,
            model: model,
            now: now
        )
        try self.recordVersion(persona, by: author, change: "created", now: now, postingCard: postingCard, transaction)
        return persona
    }

    func applyChanges(
        _ changes: PersonaChanges,
        to persona: Persona,
        by author: String,
        change: String?,
        now: Date,
        postingCard: Bool = true,
        requiringChange: Bool = true,
        _ transaction: StoreTransaction
    ) throws -> Persona {
        var updated = persona
        var changed: [String] = []
        if let name = changes.name {
            let name = try Self.checkName(name)
            if name != persona.name {
                if Persona.nameKey(name) != Persona.nameKey(persona.name),
                    try transaction.activePersona(nameKey: Persona.nameKey(name)) != nil
                {
                    throw ForumError(.alreadyExists, "a persona named \(name) already exists")
                }
                updated.name = name
                changed.append("name")
            }
        }
        if let instructions = changes.instructions {
            let instructions = try Self.checkInstructions(instructions)
            if instructions != persona.instructions {
                updated.instructions = instructions
                changed.append("instructions")
            }
        }
        if let model = changes.model {
            let model = try Self.checkModel(model)
            if model != persona.model {
                updated.model = model
                changed.append("model")
            }
        }
        guard !changed.isEmpty else {
            if change != nil || !requiringChange { return persona }
            throw ForumError(.conflict, "nothing changed: \(persona.name) already has these values")
        }
        updated.version += 1
        try transaction.updatePersona(updated)
        try self.recordVersion(
            updated,
            by: author,
            change: change ?? changed.joined(separator: ", "),
            now: now,
            postingCard: postingCard,
            transaction
        )
        return updated
    }

    func recordVersion(
        _ persona: Persona,
        by author: String,
        change: String,
        now: Date,
        postingCard: Bool = true,
        _ transaction: StoreTransaction
    ) throws {
        try transaction.insertVersion(of: persona, by: author, change: change, now: now)
        if postingCard {
            try self.postCard(for: persona, by: author, change: change, now: now, transaction)
        }
    }

    // MARK: - Rules of a persona's fields

    static func checkName(_ name: String) throws -> String {
        let trimmed = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !trimmed.isEmpty else { throw ForumError(.invalidInput, "a persona needs a name") }
        guard trimmed.count <= Persona.maximumNameLength else {
            throw ForumError(.invalidInput, "a persona name is at most \(Persona.maximumNameLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !trimmed.contains("<"), !trimmed.contains(">"), !trimmed.contains("@")
        else {
            throw ForumError(.invalidInput, "a persona name cannot contain '<', '>', '@' or control characters")
        }
        return trimmed
    }

    static func checkInstructions(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ForumError(.invalidInput, "a persona needs instructions (its system prompt)")
        }
        guard trimmed.utf8.count <= 32_768 else {
            throw ForumError(.invalidInput, "instructions are at most 32 KB")
        }
        return trimmed
    }

    static func checkModel(_ model: String?) throws -> String? {
        guard let model else { return nil }
        let trimmed = model.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard !trimmed.contains(where: { $0.isWhitespace || $0 == ";" || $0 == "," }) else {
            throw ForumError(.invalidInput, "model '\(model)' must be one word, like llama3.2 or qwen2.5:7b")
        }
        return trimmed
    }
}
