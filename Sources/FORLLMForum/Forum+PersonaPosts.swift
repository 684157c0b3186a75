import FORLLMStore
import Foundation
import NewsArticle

extension Forum {
    /// Creates or edits a persona from an article posted to `forllm.personas`, inside the
    /// injection transaction: everything is checked before anything is kept (an error rolls
    /// the whole transaction back). The post itself is not stored; the persona's new card is.
    ///
    /// Subject `persona: NAME`; body `Key: value` lines (Name, Handle, Model, Groups,
    /// Default-For), a blank line, the instructions.
    func applyPersonaPost(
        _ prepared: PreparedArticle,
        now: Date,
        _ transaction: StoreTransaction
    ) throws
        -> InjectedArticle
    {
        let facts = prepared.facts
        guard facts.newsgroups == [ForumDatabase.personasGroupName] else {
            throw ArticleError(
                .invalidNewsgroups,
                "Newsgroups: post persona changes to \(ForumDatabase.personasGroupName) alone, not cross-posted"
            )
        }
        let subject = EncodedWord.decode(facts.subject).trimmingCharacters(in: .whitespaces)
        let prefix = "persona:"
        guard subject.lowercased().hasPrefix(prefix) else {
            throw ArticleError(
                .invalidHeaderValue,
                "Subject: to create or change a persona, use 'persona: NAME' (this group holds persona cards only)"
            )
        }
        let target = subject.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard !target.isEmpty else {
            throw ArticleError(.invalidHeaderValue, "Subject: 'persona:' needs the persona's name after it")
        }
        do {
            let card = try PersonaCard(parsing: prepared.plainText)
            // The post is not stored; its answer is the persona's new card.
            return try self.applyCard(card, to: target, by: facts.from.address, now: now, transaction)
                ?? InjectedArticle(
                    messageID: facts.messageID ?? MessageID.generate(domain: self.configuration.hostname),
                    numbers: [],
                    requestIDs: []
                )
        } catch let error as ForumError {
            throw ArticleError(.invalidHeaderValue, "persona post: \(error.message)")
        } catch let error as StoreError {
            throw ArticleError(.invalidHeaderValue, "persona post: \(error.message)")
        }
    }

    /// Creates persona `target` from `card`, or changes it, and posts its card.
    /// - Returns: the card posted.
    private func applyCard(
        _ card: PersonaCard,
        to target: String,
        by author: String,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> InjectedArticle? {
        var persona: Persona
        var change: String
        if let existing = try transaction.activePersona(handleOrName: target) {
            if let handle = card.handle, handle.lowercased() != existing.handle {
                throw ForumError(.invalidInput, "Handle: @\(existing.handle) cannot be changed (handles are permanent)")
            }
            persona = existing
            let changes = PersonaChanges(name: card.name, instructions: card.instructions, model: card.model)
            if changes != PersonaChanges() {
                let before = persona.version
                persona = try self.applyChanges(
                    changes,
                    to: persona,
                    by: author,
                    change: nil,
                    now: now,
                    postingCard: false,
                    requiringChange: false,
                    transaction
                )
                change = persona.version == before ? "assignments" : "edited"
            } else {
                change = "assignments"
            }
            if card.groups == nil, card.defaultFor == nil, persona.version == existing.version {
                throw ForumError(.conflict, "nothing changed: \(existing.name) already has these values")
            }
        } else {
            guard let instructions = card.instructions else {
                throw ForumError(
                    .invalidInput,
                    "there is no persona named \(target); to create it, write its instructions after the "
                        + "Key: value lines and a blank line"
                )
            }
            persona = try self.createPersona(
                name: card.name ?? target,
                handle: card.handle,
                instructions: instructions,
                model: card.model ?? nil,
                by: author,
                now: now,
                postingCard: false,
                transaction
            )
            change = "created"
        }
        try transaction.setAssignments(of: persona, groups: card.groups, defaultFor: card.defaultFor)
        return try self.postCard(for: persona, by: author, change: change, now: now, transaction)
    }
}
