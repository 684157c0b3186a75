import FORLLMForum
import FORLLMStore
import Foundation

extension Admin {
    struct PersonaJSON: Encodable {
        var name: String
        var handle: String
        @Nullable var model: String?
        var version: Int
        var builtin: Bool
        var retired: Bool
        var address: String
        var groups: [String]?
        var defaultFor: [String]?
        var globalDefault: Bool?
        var instructions: String?
        var createdAt: Date
    }

    struct PersonaVersionJSON: Encodable {
        var version: Int
        var name: String
        var handle: String
        @Nullable var model: String?
        var instructions: String
        var changedAt: Date
        var changedBy: String
        var change: String
        @Nullable var messageId: String?
    }

    func personaJSON(_ persona: Persona, details: PersonaDetails?, withInstructions: Bool) -> PersonaJSON {
        PersonaJSON(
            name: persona.name,
            handle: persona.handle,
            model: persona.model,
            version: persona.version,
            builtin: persona.builtin,
            retired: persona.retiredAt != nil,
            address: persona.address(hostname: self.configuration.forum.hostname),
            groups: details?.groups,
            defaultFor: details?.defaultFor,
            globalDefault: details?.isGlobalDefault,
            instructions: withInstructions ? persona.instructions : nil,
            createdAt: persona.createdAt
        )
    }

    /// Who made a change from the command line.
    static var operatorName: String {
        ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"
    }

    /// `forllm persona create`
    public func createPersona(
        name: String,
        instructions: String,
        handle: String?,
        model: String?
    ) async throws -> String {
        try await self.checkPersonaModel(model)
        let persona = try await self.forum.createPersona(
            name: name,
            handle: handle,
            instructions: instructions,
            model: model,
            by: Self.operatorName
        )
        return "created persona \(persona.name) (@\(persona.handle)); assign it to a group with: "
            + "forllm persona assign GROUP \(persona.handle)"
    }

    /// `forllm persona edit`: only what is given changes; every edit is a new version, and an
    /// empty `model` clears the preferred model.
    public func editPersona(
        name: String,
        newName: String?,
        instructions: String?,
        model: String?
    ) async throws
        -> String
    {
        try await self.checkPersonaModel(model)
        let changes = PersonaChanges(name: newName, instructions: instructions, model: model.map { $0 })
        let persona = try await self.forum.editPersona(name, changes, by: Self.operatorName)
        return "\(persona.name) (@\(persona.handle)) is now at version \(persona.version)"
    }

    /// `forllm persona list`
    public func listPersonas(json: Bool, includingRetired: Bool) async throws -> String {
        let personas = try await self.database.personas(includingRetired: includingRetired)
        var items: [PersonaJSON] = []
        for persona in personas {
            let details = persona.retiredAt == nil ? try await self.database.personaDetails(persona.handle) : nil
            items.append(self.personaJSON(persona, details: details, withInstructions: false))
        }
        if json { return try JSONOutput.encode(items) }
        return TextTable.render(
            header: ["NAME", "HANDLE", "MODEL", "VERSION", "GROUPS", "NOTE"],
            rows: items.map { item in
                var notes: [String] = []
                if item.builtin { notes.append("built in") }
                if item.globalDefault == true { notes.append("global default") }
                if let defaults = item.defaultFor, !defaults.isEmpty {
                    notes.append("default in \(defaults.joined(separator: ","))")
                }
                if item.retired { notes.append("deleted") }
                return [
                    item.name, "@" + item.handle, item.model ?? "-", String(item.version),
                    (item.groups ?? []).joined(separator: ",").ifEmpty("-"), notes.joined(separator: "; ")
                ]
            }
        )
    }

    /// `forllm persona show`
    public func showPersona(name: String, json: Bool) async throws -> String {
        let details = try await self.database.personaDetails(name)
        let item = self.personaJSON(details.persona, details: details, withInstructions: true)
        if json { return try JSONOutput.encode(item) }
        return [
            "name:         \(item.name)",
            "handle:       @\(item.handle)",
            "address:      \(item.address)",
            "model:        \(item.model ?? "- (group or configuration default)")",
            "version:      \(item.version)",
            "groups:       \(details.groups.joined(separator: ", ").ifEmpty("-"))",
            "default in:   \(details.defaultFor.joined(separator: ", ").ifEmpty("-"))\(details.isGlobalDefault ? " (and the global default)" : "")",
            "",
            details.persona.instructions
        ].joined(separator: "\n")
    }

    /// `forllm persona history`
    public func personaHistory(name: String, json: Bool) async throws -> String {
        let versions = try await self.database.personaHistory(name)
        if json {
            return try JSONOutput.encode(
                versions.map {
                    PersonaVersionJSON(
                        version: $0.version,
                        name: $0.name,
                        handle: $0.handle,
                        model: $0.model,
                        instructions: $0.instructions,
                        changedAt: $0.changedAt,
                        changedBy: $0.changedBy,
                        change: $0.change,
                        messageId: $0.articleMessageID
                    )
                }
            )
        }
        let format = ISO8601DateFormatter()
        format.timeZone = .current
        return TextTable.render(
            header: ["VERSION", "WHEN", "BY", "CHANGE", "NAME", "MODEL", "INSTRUCTIONS"],
            rows: versions.map { version in
                [
                    String(version.version), format.string(from: version.changedAt), version.changedBy, version.change,
                    version.name, version.model ?? "-", Self.oneLine(version.instructions, limit: 50)
                ]
            }
        )
    }

    /// `forllm persona revert`
    public func revertPersona(name: String, version: Int) async throws -> String {
        let persona = try await self.forum.revertPersona(name, to: version, by: Self.operatorName)
        return "\(persona.name) (@\(persona.handle)) is now at version \(persona.version), equal to version \(version)"
    }

    /// `forllm persona delete`
    public func deletePersona(name: String) async throws -> String {
        try await self.forum.deletePersona(name, by: Self.operatorName)
        return "deleted persona \(name); its answers and history stay (forllm persona history \(name))"
    }

    /// `forllm persona assign`
    public func assignPersona(group: String, name: String, asDefault: Bool) async throws -> String {
        try await self.forum.assignPersona(name, to: group, asDefault: asDefault)
        return "assigned \(name) to \(group)\(asDefault ? " as its default" : "")"
    }

    /// `forllm persona unassign`
    public func unassignPersona(group: String, name: String) async throws -> String {
        try await self.forum.unassignPersona(name, from: group)
        return "unassigned \(name) from \(group)"
    }

    /// `forllm persona default`
    public func setDefaultPersona(name: String) async throws -> String {
        try await self.forum.setGlobalDefaultPersona(name)
        return "\(name) now answers where no group default is set"
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { self.isEmpty ? replacement : self }
}

extension Admin {
    /// `forllm persona generate`
    public func generatePersonas(
        group: String,
        count: Int,
        hint: String?,
        regenerate: String?,
        model: String?
    )
        async throws -> String
    {
        let request = try await self.forum.queuePersonaGeneration(
            group: group,
            count: count,
            hint: hint,
            regenerate: regenerate,
            model: model
        )
        let what =
            regenerate.map { "a replacement for \($0)" } ?? "\(count) persona\(count == 1 ? "" : "s") for \(group)"
        return
            "queued request \(request.id): \(what); it runs in the schedule like any other (forllm queue show \(request.id))"
    }
}
