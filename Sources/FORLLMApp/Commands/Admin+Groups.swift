import FORLLMStore
import FORLLMWorker
import Foundation

extension Admin {
    struct GroupJSON: Encodable {
        var name: String
        var description: String
        var mode: String
        var postingAllowed: Bool
        var low: Int64
        var high: Int64
        var count: Int64
        var createdAt: Date
        @Nullable var defaultPersona: String?
        @Nullable var defaultModel: String?
        @Nullable var defaultBackend: String?
        /// Whether the group's personas go on answering each other on their own.
        var debate: Bool
        /// Only in `group show`.
        var personas: [String]?
    }

    func groupJSON(_ group: Newsgroup, personas: [Persona]?) async throws -> GroupJSON {
        var defaultHandle: String?
        if let id = group.defaultPersonaID {
            defaultHandle = try await self.database.persona(id: id)?.handle
        }
        return GroupJSON(
            name: group.name,
            description: group.description,
            mode: group.mode.rawValue,
            postingAllowed: group.postingAllowed,
            low: group.lowNumber,
            high: group.lastNumber,
            count: group.articleCount,
            createdAt: group.createdAt,
            defaultPersona: defaultHandle,
            defaultModel: group.defaultModel,
            defaultBackend: group.defaultBackend,
            debate: group.debate,
            personas: personas?.map(\.handle)
        )
    }

    /// `forllm group create`
    public func createGroup(
        name: String,
        description: String?,
        mode: GroupModeArgument?,
        postingAllowed: Bool?
    )
        async throws -> String
    {
        let group = try await self.database.createGroup(
            name: name,
            description: description ?? "",
            mode: mode?.mode ?? .request,
            postingAllowed: postingAllowed ?? true,
            now: self.now
        )
        return "created group \(group.name) (mode \(group.mode.rawValue))"
    }

    /// `forllm group list`
    public func listGroups(json: Bool) async throws -> String {
        let groups = try await self.database.groups()
        if json {
            var items: [GroupJSON] = []
            for group in groups { items.append(try await self.groupJSON(group, personas: nil)) }
            return try JSONOutput.encode(items)
        }
        if groups.isEmpty { return "no groups; create one with: forllm group create NAME" }
        return TextTable.render(
            header: ["NAME", "MODE", "POSTING", "DEBATE", "ARTICLES", "NUMBERS", "DESCRIPTION"],
            rows: groups.map { group in
                [
                    group.name, group.mode.rawValue, group.postingAllowed ? "yes" : "no", group.debate ? "on" : "off",
                    String(group.articleCount),
                    group.articleCount == 0 ? "-" : "\(group.lowNumber)-\(group.lastNumber)", group.description
                ]
            }
        )
    }

    /// `forllm group show`
    public func showGroup(name: String, json: Bool) async throws -> String {
        guard let group = try await self.database.group(named: name) else {
            throw StoreError(.notFound, "no group named \(name)")
        }
        let personas = try await self.database.personas(assignedTo: name)
        let item = try await self.groupJSON(group, personas: personas)
        if json { return try JSONOutput.encode(item) }
        var lines = [
            "name:            \(group.name)",
            "description:     \(group.description.isEmpty ? "-" : group.description)",
            "mode:            \(group.mode.rawValue)",
            "posting:         \(group.postingAllowed ? "allowed" : "not allowed")",
            "articles:        \(group.articleCount) (numbers \(group.lowNumber)-\(group.lastNumber))",
            "created:         \(ISO8601DateFormatter().string(from: group.createdAt))",
            "default persona: \(item.defaultPersona ?? "- (global default)")",
            "default model:   \(group.defaultModel ?? "- (\(self.configuration.worker.defaultModel) from the configuration)")",
            "default backend: \(group.defaultBackend ?? "- (chosen by model)")",
            "debate:          " + Self.debateLine(group)
        ]
        lines.append(
            "personas:        \(personas.isEmpty ? "-" : personas.map { "\($0.name) (@\($0.handle))" }.joined(separator: ", "))"
        )
        return lines.joined(separator: "\n")
    }

    /// `forllm group edit`: only what is given changes; an empty `defaultModel` or
    /// `defaultBackend` clears it.
    public func editGroup(
        name: String,
        description: String?,
        mode: GroupModeArgument?,
        postingAllowed: Bool?,
        defaultModel: String?,
        defaultBackend: String?,
        debate: SwitchArgument? = nil
    ) async throws -> String {
        let changes = GroupChanges(
            description: description,
            mode: mode?.mode,
            postingAllowed: postingAllowed,
            defaultModel: defaultModel.map { $0 },
            defaultBackend: defaultBackend.map { $0 }
        )
        if let backend = changes.defaultBackend, let backend, !backend.isEmpty,
            !self.configuration.backends.contains(where: { $0.name == backend })
        {
            throw StoreError(
                .invalidInput,
                "no backend named \(backend) (configured: \(self.configuration.backends.map(\.name).joined(separator: ", ")))"
            )
        }
        var group = try await self.database.editGroup(name, changes)
        if let debate { group = try await self.database.setDebate(debate.isOn, group: name) }
        return "updated group \(group.name)"
    }

    /// `forllm group remove`
    public func removeGroup(name: String) async throws -> String {
        let deleted = try await self.database.removeGroup(name, now: self.now)
        return "removed group \(name) (\(deleted) article\(deleted == 1 ? "" : "s") deleted)"
    }
}
