import FORLLMStore
import Foundation
import NewsArticle

/// A persona to queue, with the handles that follow it in its mention chain.
struct QueuedTarget {
    var persona: Persona
    var chain: [String]
}

extension Forum {
    /// Queues the requests an article asks for, inside the injection transaction.
    ///
    /// Rules (PRODUCT.md "Asking for an answer"): the article's first group decides. In an `off`
    /// group nothing is queued, and an explicit `X-FORLLM-Request` naming personas is refused.
    /// `X-FORLLM-Request: none` queues nothing. Personas named in the header and `@handle`
    /// mentions are queued, one request per persona. Only when neither asks for anyone does an
    /// `auto` group queue its default persona, and only for articles written by a person.
    /// Persona answers may mention other personas, and in a debate group the next persona
    /// answers on its own, within the bounds of ``boundPersonaTurns(_:answering:root:now:_:)``.
    func queueRequests(
        for prepared: PreparedArticle,
        articleID: Int64,
        messageID: MessageID,
        root: MessageID,
        home: GroupRow,
        origin: ArticleOrigin,
        now: Date,
        _ transaction: StoreTransaction
    ) throws -> [Int64] {
        if origin == .system || origin == .imported { return [] }
        if prepared.request?.who == ForumRequest.Who.none { return [] }
        if home.mode == .off {
            if prepared.request != nil {
                throw ArticleError(
                    .invalidRequest,
                    "X-FORLLM-Request: group '\(home.name)' is in mode off, no persona answers there"
                )
            }
            return []
        }

        var targets: [QueuedTarget] = []
        var regenerated: [Int64] = []
        var turn = 0
        var authorPersonaID: Int64?

        switch origin {
        case .user:
            if let request = prepared.request {
                switch request.who {
                case .none:
                    return []
                case .regenerate:
                    regenerated = try self.queueRegeneration(
                        following: prepared,
                        request: request,
                        now: now,
                        transaction
                    )
                case .defaultPersona:
                    if let persona = try self.defaultPersona(for: home, transaction) {
                        targets.append(QueuedTarget(persona: persona, chain: []))
                    }
                case .personas(let names):
                    for name in names {
                        guard let persona = try transaction.activePersona(handleOrName: name) else {
                            let known = try transaction.activeHandles()
                            throw ArticleError(
                                .invalidRequest,
                                "X-FORLLM-Request: no persona named '\(name)' (known: \(known.joined(separator: ", ")))"
                            )
                        }
                        targets.append(QueuedTarget(persona: persona, chain: []))
                    }
                }
            }
        case .persona(let id, _, let requestID):
            authorPersonaID = id
            // The chain of the request being answered continues with its next handle.
            let parent = try transaction.request(id: requestID)
            turn = parent.turn + 1
            let chain = parent.chain
            if let next = chain.first, let persona = try transaction.activePersona(handle: next) {
                targets.append(QueuedTarget(persona: persona, chain: Array(chain.dropFirst())))
            }
        case .system, .imported:
            return []
        }

        if origin == .user {
            try self.checkMentions(prepared.mentions, transaction)
        }
        for chain in prepared.mentions {
            guard let first = chain.first, let persona = try transaction.activePersona(handle: first) else { continue }
            targets.append(QueuedTarget(persona: persona, chain: Array(chain.dropFirst())))
        }

        if targets.isEmpty, prepared.request == nil, origin == .user, home.mode == .auto,
            let persona = try self.defaultPersona(for: home, transaction)
        {
            targets.append(QueuedTarget(persona: persona, chain: []))
        }

        // One request per persona; a persona never answers itself.
        var seen: Set<Int64> = []
        targets = targets.filter { target in
            target.persona.id != authorPersonaID && seen.insert(target.persona.id).inserted
        }
        if targets.isEmpty, let authorPersonaID {
            targets = try self.debateTargets(
                authorPersonaID: authorPersonaID,
                answering: messageID,
                root: root,
                home: home,
                transaction
            )
        }
        if targets.isEmpty { return regenerated }

        if turn > 0 {
            targets = try self.boundPersonaTurns(targets, answering: messageID, root: root, now: now, transaction)
        }

        var ids = regenerated
        for target in targets {
            let id = try transaction.insertAnswerRequest(
                NewAnswerRequest(
                    articleID: articleID,
                    messageID: messageID,
                    groupName: home.name,
                    personaID: target.persona.id,
                    requestedModel: prepared.request?.model,
                    requestedBackend: prepared.request?.backend,
                    chain: target.chain,
                    turn: turn,
                    task: prepared.request?.task ?? .answer
                ),
                now: now
            )
            try transaction.setAnswerMessageID(
                self.answerMessageID(ofRequest: id, handle: target.persona.handle),
                ofRequest: id
            )
            ids.append(id)
        }
        return ids
    }

    /// A person's `@word` that names no active persona is a typo, not a mention of somebody
    /// outside the forum (an e-mail address is no mention, see ``Mentions``): refused, naming the
    /// known handles, rather than quietly asking nobody. Persona answers are not held to it.
    func checkMentions(_ chains: [[String]], _ transaction: StoreTransaction) throws {
        var unknown: [String] = []
        for handle in chains.joined() where !unknown.contains(handle) {
            if try transaction.activePersona(handle: handle) == nil { unknown.append(handle) }
        }
        guard !unknown.isEmpty else { return }
        let known = try transaction.activeHandles().map { "@" + $0 }.joined(separator: ", ")
        let names = unknown.map { "@" + $0 }.joined(separator: ", ")
        throw ArticleError(
            .invalidRequest,
            "\(names): no persona with \(unknown.count == 1 ? "that handle" : "those handles") (known: \(known))"
        )
    }

    /// The persona that answers in `group` when nobody is named: the group's default, else the
    /// global default, else the built-in `Assistant`; retired personas are skipped.
    func defaultPersona(for group: GroupRow, _ transaction: StoreTransaction) throws -> Persona? {
        if let id = group.defaultPersonaID, let persona = try transaction.activePersona(id: id) {
            return persona
        }
        if let id = try transaction.globalDefaultPersonaID(), let persona = try transaction.activePersona(id: id) {
            return persona
        }
        return try transaction.activePersona(handle: Persona.builtinHandle)
    }
}
