import Foundation
import GRDB
import NewsArticle

extension ForumDatabase {
    /// Queues the requests an article asks for, inside the injection transaction.
    ///
    /// Rules (PRODUCT.md "Asking for an answer"): the article's first group decides. In an `off`
    /// group nothing is queued, and an explicit `X-FORLLM-Request` naming personas is refused.
    /// `X-FORLLM-Request: none` queues nothing. Personas named in the header and `@handle`
    /// mentions are queued, one request per persona. Only when neither asks for anyone does an
    /// `auto` group queue its default persona, and only for articles written by a person.
    /// Persona answers may mention other personas, within the per-thread turn budget.
    func queueRequests(
        for prepared: PreparedArticle,
        articleID: Int64,
        messageID: MessageID,
        rootMessageID: String,
        home: GroupRow,
        origin: ArticleOrigin,
        now: Date,
        _ db: Database
    ) throws -> [Int64] {
        if case .system = origin { return [] }
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
        var turn = 0
        var authorPersonaID: Int64?

        switch origin {
        case .user:
            if let request = prepared.request {
                switch request.who {
                case .none:
                    return []
                case .defaultPersona:
                    if let persona = try self.defaultPersona(for: home, db) {
                        targets.append(QueuedTarget(persona: persona, chain: []))
                    }
                case .personas(let names):
                    for name in names {
                        guard let persona = try self.activePersona(handleOrName: name, db) else {
                            let known = try String.fetchAll(
                                db,
                                sql: "SELECT handle FROM persona WHERE retired_at IS NULL ORDER BY handle"
                            )
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
            let parent = try Row.fetchOne(
                db,
                sql: "SELECT chain, turn FROM request WHERE id = ?",
                arguments: [requestID]
            )
            turn = (parent?["turn"] as Int? ?? 0) + 1
            let chain = (parent?["chain"] as String? ?? "").split(separator: " ").map(String.init)
            if let next = chain.first, let persona = try self.activePersona(handle: next, db) {
                targets.append(QueuedTarget(persona: persona, chain: Array(chain.dropFirst())))
            }
        case .system:
            return []
        }

        for chain in prepared.mentions {
            guard let first = chain.first, let persona = try self.activePersona(handle: first, db) else { continue }
            targets.append(QueuedTarget(persona: persona, chain: Array(chain.dropFirst())))
        }

        if targets.isEmpty, prepared.request == nil, origin == .user, home.mode == .auto,
            let persona = try self.defaultPersona(for: home, db)
        {
            targets.append(QueuedTarget(persona: persona, chain: []))
        }

        // One request per persona; a persona never answers itself.
        var seen: Set<Int64> = []
        targets = targets.filter { target in
            target.persona.id != authorPersonaID && seen.insert(target.persona.id).inserted
        }
        if targets.isEmpty { return [] }

        if turn > 0 {
            let used =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM request r JOIN article a ON a.id = r.article_id
                        WHERE a.root_message_id = ? AND r.turn > 0
                        """,
                    arguments: [rootMessageID]
                ) ?? 0
            let left = max(0, self.configuration.maximumPersonaTurns - used)
            targets = Array(targets.prefix(left))
        }

        var ids: [Int64] = []
        for target in targets {
            try db.execute(
                sql: """
                    INSERT INTO request (kind, status, article_id, message_id, group_name, persona_id,
                        requested_model, requested_backend, chain, turn, created_at, updated_at)
                    VALUES ('answer', 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    articleID, messageID.value, home.name, target.persona.id, prepared.request?.model,
                    prepared.request?.backend, target.chain.joined(separator: " "), turn,
                    now.timeIntervalSince1970, now.timeIntervalSince1970,
                ]
            )
            let id = db.lastInsertedRowID
            // Fixed here, once per request, so a request that runs twice cannot post two answers;
            // the random part keeps it unique beyond this database (a fresh database, or another
            // installation with the default hostname, counts request ids from 1 again).
            let answerID = MessageID.derived(
                from: "\(id).\(target.persona.handle).answer.\(String(UInt64.random(in: .min ... .max), radix: 36))",
                domain: self.configuration.hostname
            )
            try db.execute(
                sql: "UPDATE request SET answer_message_id = ? WHERE id = ?",
                arguments: [answerID.value, id]
            )
            ids.append(id)
        }
        return ids
    }

    /// The persona that answers in `group` when nobody is named: the group's default, else the
    /// global default, else the built-in `Assistant`; retired personas are skipped.
    func defaultPersona(for group: GroupRow, _ db: Database) throws -> Persona? {
        if let id = group.defaultPersonaID, let persona = try self.activePersona(id: id, db) {
            return persona
        }
        if let value = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'default_persona_id'"),
            let id = Int64(value), let persona = try self.activePersona(id: id, db)
        {
            return persona
        }
        return try self.activePersona(handle: Persona.builtinHandle, db)
    }

    func activePersona(id: Int64, _ db: Database) throws -> Persona? {
        try Persona.fetchOne(db, sql: "SELECT * FROM persona WHERE id = ? AND retired_at IS NULL", arguments: [id])
    }

    func activePersona(handle: String, _ db: Database) throws -> Persona? {
        try Persona.fetchOne(
            db,
            sql: "SELECT * FROM persona WHERE handle = ? AND retired_at IS NULL",
            arguments: [handle.lowercased()]
        )
    }

    /// A persona by handle, else by display name (case-insensitive).
    func activePersona(handleOrName text: String, _ db: Database) throws -> Persona? {
        if let persona = try self.activePersona(handle: text, db) { return persona }
        return try Persona.fetchOne(
            db,
            sql: "SELECT * FROM persona WHERE name_key = ? AND retired_at IS NULL",
            arguments: [Persona.nameKey(text)]
        )
    }
}

/// A persona to queue, with the handles that follow it in its mention chain.
struct QueuedTarget {
    var persona: Persona
    var chain: [String]
}
