import Foundation
import GRDB
import NewsArticle

/// A pending request with what the worker needs to resolve its model and backend.
public struct QueuedRequest: Hashable, Sendable {
    public var request: ReplyRequest
    /// The persona that answers (current version); `nil` for generation jobs.
    public var persona: Persona?
    /// The default model and backend of the request's group.
    public var groupDefaultModel: String?
    public var groupDefaultBackend: String?
    /// The Message-ID of the root of the thread it answers in (whose prompt prefix a model
    /// server's cache may hold); `nil` when the article is gone or for generation jobs.
    public var rootMessageID: String? = nil
    /// How many later requests were claimed before it while it could run.
    public var passedOver: Int = 0
}

/// What a backend ran last: the model it has loaded, and the prompt its cache holds (the
/// group's system message, then the thread from its root, whichever persona answered).
public struct BackendState: Hashable, Sendable {
    public var model: String
    public var rootMessageID: String?
    public var personaID: Int64?

    public init(model: String, rootMessageID: String?, personaID: Int64? = nil) {
        self.model = model
        self.rootMessageID = rootMessageID
        self.personaID = personaID
    }
}

/// One article of a thread, for the prompt.
public struct ThreadArticle: Hashable, Sendable {
    public var article: StoredArticle
    /// The persona that wrote it, if a persona did.
    public var authorPersonaID: Int64?
}

extension ForumDatabase {
    /// Puts requests left `running` by a crash back to `pending`. Call once at start-up, before
    /// the worker runs.
    /// - Returns: how many were recovered.
    @discardableResult
    public func recoverInterruptedRequests(now: Date) async throws -> Int {
        try await self.writer.write { db in
            try db.execute(
                sql: "UPDATE request SET status = 'pending', updated_at = ? WHERE status = 'running'",
                arguments: [now.timeIntervalSince1970]
            )
            return db.changesCount
        }
    }

    /// Pending requests that may run at `now` (backoff elapsed), oldest first.
    public func runnableRequests(now: Date, limit: Int = 50) async throws -> [QueuedRequest] {
        try await self.writer.read { db in
            // Cached statements: the worker asks at every poll, and preparing a statement (the
            // request table's many columns, GRDB's authorizer) costs more than running it.
            let requests = try ReplyRequest.fetchAll(
                db.cachedStatement(
                    sql: ReplyRequest.selectSQL + """
                         WHERE r.status = 'pending' AND (r.not_before IS NULL OR r.not_before <= ?)
                        ORDER BY r.id LIMIT ?
                        """
                ),
                arguments: [now.timeIntervalSince1970, limit]
            )
            return try requests.map { request in
                let persona = try request.personaID.flatMap {
                    try Persona.fetchOne(db.cachedStatement(sql: "SELECT * FROM persona WHERE id = ?"), arguments: [$0])
                }
                let group = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT default_model, default_backend FROM newsgroup WHERE name = ?"),
                    arguments: [request.groupName]
                )
                let order = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT r.passed_over, a.root_message_id FROM request r
                            LEFT JOIN article a ON a.id = r.article_id WHERE r.id = ?
                            """
                    ),
                    arguments: [request.id]
                )
                return QueuedRequest(
                    request: request,
                    persona: persona,
                    groupDefaultModel: group?["default_model"],
                    groupDefaultBackend: group?["default_backend"],
                    rootMessageID: order?["root_message_id"],
                    passedOver: order?["passed_over"] ?? 0
                )
            }
        }
    }

    /// The earliest `not_before` among pending requests still waiting for their backoff.
    public func nextBackoffEnd(after now: Date) async throws -> Date? {
        try await self.writer.read { db in
            try ReplyRequest
                .filter(ReplyRequest.Columns.status == RequestStatus.pending.rawValue)
                .filter(ReplyRequest.Columns.notBefore > now.timeIntervalSince1970)
                .select(min(ReplyRequest.Columns.notBefore), as: Double.self)
                .fetchOne(db)
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Claims a pending request for running, in one transaction: only one worker can win it.
    /// Records the model, backend and persona version it runs with and counts the attempt.
    /// - Returns: `false` when it is no longer pending (cancelled, or claimed elsewhere).
    /// With `runs` (the default), also records for the queue's order that the older requests
    /// that could run were passed over, and what the backend runs now (`rootMessageID`: the
    /// thread whose prompt it gets); without, the request is only claimed to be failed.
    public func claim(
        requestID: Int64,
        model: String,
        backend: String,
        personaVersion: Int?,
        rootMessageID: String? = nil,
        runs: Bool = true,
        now: Date
    ) async throws -> Bool {
        try await self.writer.write { db in
            let time = now.timeIntervalSince1970
            try db.execute(
                sql: """
                    UPDATE request SET status = 'running', model = ?, backend = ?, persona_version = ?,
                        attempts = attempts + 1, started_at = ?, updated_at = ?, progress_chars = 0
                    WHERE id = ? AND status = 'pending'
                    """,
                arguments: [model, backend, personaVersion, time, time, requestID]
            )
            guard db.changesCount == 1 else { return false }
            guard runs else { return true }
            try db.execute(
                sql: """
                    UPDATE request SET passed_over = passed_over + 1
                    WHERE status = 'pending' AND id < ? AND (not_before IS NULL OR not_before <= ?)
                    """,
                arguments: [requestID, time]
            )
            try db.execute(
                sql: """
                    INSERT INTO backend_state (backend, model, root_message_id, persona_id, updated_at)
                    SELECT ?, ?, ?, persona_id, ? FROM request WHERE id = ?
                    ON CONFLICT (backend) DO UPDATE SET model = excluded.model,
                        root_message_id = excluded.root_message_id, persona_id = excluded.persona_id,
                        updated_at = excluded.updated_at
                    """,
                arguments: [backend, model, rootMessageID, time, requestID]
            )
            return true
        }
    }

    /// What each backend ran last, by backend name.
    public func backendStates() async throws -> [String: BackendState] {
        try await self.writer.read { db in
            var states: [String: BackendState] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT backend, model, root_message_id, persona_id FROM backend_state")
            ) {
                states[row["backend"]] = BackendState(
                    model: row["model"],
                    rootMessageID: row["root_message_id"],
                    personaID: row["persona_id"]
                )
            }
            return states
        }
    }

    /// Records streaming progress, without a sync of its own (``writeUnsynced(_:)``): a power
    /// cut may lose the latest count, which only `forllm queue` shows (an interrupted request
    /// runs again anyway). The last report of an answer comes right before the answer is
    /// stored: with a sync of its own, it cost the answer that sync's time.
    /// - Returns: `false` when the request is no longer running (cancelled meanwhile): the
    ///   worker should stop generating.
    public func recordProgress(requestID: Int64, characters: Int, now: Date) async throws -> Bool {
        try await self.writeUnsynced { db in
            try db.cachedStatement(
                sql: """
                    UPDATE request SET progress_chars = ?, updated_at = ? WHERE id = ? AND status = 'running'
                    """
            ).execute(arguments: [characters, now.timeIntervalSince1970, requestID])
            return db.changesCount == 1
        }
    }

    /// A write transaction whose loss on a power cut harms nothing: the writer commits it with
    /// `synchronous = NORMAL` (no sync of the WAL), and then runs with `FULL` again, so every
    /// other commit (and the next one makes this one durable too) is synced as before. Not for
    /// anything a client was told is stored.
    func writeUnsynced<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await self.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let result = Result {
                var value: T?
                try db.inTransaction {
                    value = try body(db)
                    return .commit
                }
                return value!
            }
            // Back to FULL whatever happened: the connection's next write may be a post's.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try result.get()
        }
    }

    /// Records a failed attempt that will be retried at `retryAt`.
    /// - Parameter waitingForBackend: the backend could not be reached at all: the try does not
    ///   count as an attempt, and ``ReplyRequest/waitingSince`` starts (or goes on); otherwise
    ///   it ends.
    public func scheduleRetry(
        requestID: Int64,
        error: String,
        retryAt: Date,
        waitingForBackend: Bool = false,
        now: Date
    ) async throws {
        let now = now.timeIntervalSince1970
        try await self.writer.write { db in
            if waitingForBackend {
                try db.execute(
                    sql: """
                        UPDATE request SET status = 'pending', error = ?, not_before = ?, updated_at = ?,
                            attempts = MAX(attempts - 1, 0), waiting_since = COALESCE(waiting_since, ?)
                        WHERE id = ? AND status = 'running'
                        """,
                    arguments: [error, retryAt.timeIntervalSince1970, now, now, requestID]
                )
            } else {
                try db.execute(
                    sql: """
                        UPDATE request SET status = 'pending', error = ?, not_before = ?, updated_at = ?,
                            waiting_since = NULL
                        WHERE id = ? AND status = 'running'
                        """,
                    arguments: [error, retryAt.timeIntervalSince1970, now, requestID]
                )
            }
        }
    }

    /// Puts a running request back to `pending` without counting the attempt (graceful
    /// shutdown interrupted it).
    public func requeue(requestID: Int64, now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE request SET status = 'pending', attempts = MAX(attempts - 1, 0), progress_chars = 0,
                        updated_at = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [now.timeIntervalSince1970, requestID]
            )
        }
    }

    /// The thread of article `articleID` for the prompt: the ancestors present on the server
    /// from the root down along its `References`, then the article itself.
    public func thread(ofArticle articleID: Int64) async throws -> [ThreadArticle] {
        try await self.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT references_header, author_persona_id FROM article WHERE id = ?"),
                    arguments: [articleID]
                ), let article = try Self.storedArticle(id: articleID, db)
            else { return [] }
            var thread: [ThreadArticle] = []
            for reference in Threading.parseReferences(row["references_header"]) {
                guard
                    let ancestor = try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT id, author_persona_id FROM article WHERE message_id = ?"),
                        arguments: [reference.value]
                    ), let stored = try Self.storedArticle(id: ancestor["id"], db)
                else { continue }
                thread.append(ThreadArticle(article: stored, authorPersonaID: ancestor["author_persona_id"]))
            }
            thread.append(ThreadArticle(article: article, authorPersonaID: row["author_persona_id"]))
            return thread
        }
    }
}
