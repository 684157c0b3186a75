import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Posts a persona's card to `forllm.personas`, superseding (and removing) its previous
    /// card, and remembers it on the persona's current version. Does nothing when the group
    /// was removed.
    /// - Returns: the card as posted; `nil` when the group was removed.
    @discardableResult
    func postCard(
        for persona: Persona,
        by author: String,
        change: String,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> InjectedArticle? {
        guard try transaction.group(named: ForumDatabase.personasGroupName) != nil else { return nil }
        let details = try transaction.details(of: persona)
        let previous = try transaction.latestCardMessageID(personaID: persona.id)
        let hostname = self.configuration.hostname
        var headers: [(name: String, value: String)] = [
            ("X-FORLLM-Persona", "\(persona.handle) (version \(persona.version))")
        ]
        if let previous { headers.append(("Supersedes", previous)) }
        let stamp = ISO8601DateFormatter().string(from: now)
        var subject = "\(persona.name) (@\(persona.handle))"
        if persona.retiredAt != nil { subject += " [deleted]" }
        let text =
            PersonaCard(
                name: persona.name,
                handle: persona.handle,
                model: persona.model,
                groups: details.groups,
                defaultFor: details.defaultFor,
                instructions: persona.instructions
            ).text + """


                -- 
                Version \(persona.version) (\(change); by \(author), \(stamp))\(persona.retiredAt != nil ? ", deleted" : "")
                To change it, post to \(ForumDatabase.personasGroupName) with the Subject "persona: \(persona.name)" and
                the lines you want changed; see `forllm persona --help`.
                """
        let card = try ArticleDraft(
            from: self.systemMailbox,
            newsgroups: [ForumDatabase.personasGroupName],
            subject: subject,
            messageID: MessageID.generate(domain: hostname),
            date: now,
            extraHeaders: headers,
            text: text,
            flowed: false
        ).build()
        let injected = try self.insertSystemArticle(card, now: now, transaction)
        if let previous {
            try self.enqueueRemovals(messageID: previous, now: now, transaction)
            try transaction.deleteArticle(messageID: previous)
        }
        try transaction.setCardMessageID(injected.messageID, personaID: persona.id, version: persona.version)
        return injected
    }

    /// Posts a card for every active persona whose current version has none (a fresh
    /// database, or `forllm.personas` created again).
    func postMissingCards() async throws {
        let now = self.now()
        try await self.database.write { transaction in
            guard try transaction.group(named: ForumDatabase.personasGroupName) != nil else { return }
            for persona in try transaction.personasWithoutCard() {
                try self.postCard(for: persona, by: "forllm", change: "card", now: now, transaction)
            }
        }
    }
}
