import FORLLMForum
import FORLLMStore
import Foundation

/// Asking a model for personas, and reading its answer strictly.
enum PersonaGeneration {
    static let systemPrompt = """
        You design personas for a Usenet-style discussion forum whose members are AI models. Reply with \
        JSON only, no other text, in exactly this shape:
        {"personas": [{"name": "...", "handle": "...", "instructions": "..."}]}
        name: a display name of 2 to 40 characters. handle: lower-case letters, digits and '-', at most 20 \
        characters. instructions: a system prompt of two to six sentences addressed to the persona ("You \
        are ..."), giving its expertise, its point of view and its writing style.
        """

    static func messages(
        group: Newsgroup,
        existing: [Persona],
        parameters: GenerationParameters,
        target: Persona?
    ) -> [LLMMessage] {
        var request = "The newsgroup is \(group.name)"
        request += group.description.isEmpty ? "." : ": \(group.description)."
        if !existing.isEmpty {
            request +=
                " Personas already there: "
                + existing.map { "\($0.name) (@\($0.handle))" }.joined(separator: ", ") + "."
        }
        if let target {
            request +=
                " Replace the persona \(target.name) (@\(target.handle)), whose instructions were: \""
                + target.instructions + "\". It was not good enough: propose 1 better persona for this group."
        } else {
            request += " Propose \(parameters.count) new, distinct personas that would make good discussions here."
        }
        if let hint = parameters.hint { request += " Wishes of the user: \(hint)" }
        return [LLMMessage(role: .system, content: Self.systemPrompt), LLMMessage(role: .user, content: request)]
    }

    /// The personas in the model's answer: JSON, optionally in a code fence, either
    /// `{"personas": [...]}` or a bare array. Throws ``LLMError/Code/invalidResponse`` (which the
    /// model may do better on a retry) saying what is wrong when the answer is not that, or has
    /// fewer than `count` usable personas.
    static func parse(_ text: String, count: Int) throws -> [GeneratedPersona] {
        guard let start = text.firstIndex(where: { $0 == "{" || $0 == "[" }),
            let end = text.lastIndex(where: { $0 == "}" || $0 == "]" }), start < end
        else {
            throw LLMError(.invalidResponse, "the model's answer was not JSON")
        }
        let json = Data(text[start...end].utf8)
        struct Wrapper: Decodable { var personas: [Entry] }
        struct Entry: Decodable {
            var name: String?
            var handle: String?
            var instructions: String?
        }
        let entries: [Entry]
        if let wrapper = try? JSONDecoder().decode(Wrapper.self, from: json) {
            entries = wrapper.personas
        } else if let list = try? JSONDecoder().decode([Entry].self, from: json) {
            entries = list
        } else {
            throw LLMError(.invalidResponse, "the model's answer was not the JSON asked for ({\"personas\": [...]})")
        }
        var personas: [GeneratedPersona] = []
        var names: Set<String> = []
        for entry in entries {
            guard let name = entry.name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty,
                name.count <= Persona.maximumNameLength,
                let instructions = entry.instructions?.trimmingCharacters(in: .whitespacesAndNewlines),
                instructions.count >= 20
            else { continue }
            guard names.insert(Persona.nameKey(name)).inserted else { continue }
            let handle = entry.handle.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@ ")) }
            personas.append(GeneratedPersona(name: name, handle: handle, instructions: instructions))
        }
        guard personas.count >= count else {
            throw LLMError(
                .invalidResponse,
                "the model proposed \(personas.count) usable persona\(personas.count == 1 ? "" : "s"), "
                    + "\(count) were asked for"
            )
        }
        return Array(personas.prefix(count))
    }
}
