import Foundation
import GRDB
import NewsArticle

/// A new answer request, as the forum's request rules decided it.
public struct NewAnswerRequest: Hashable, Sendable {
    public var articleID: Int64
    public var messageID: MessageID
    public var groupName: String
    public var personaID: Int64
    public var requestedModel: String?
    public var requestedBackend: String?
    /// Handles still to answer after this one.
    public var chain: [String]
    public var turn: Int
    /// What the persona is asked to do.
    public var task: ForumTask
    /// The done request whose answer this one regenerates.
    public var regenerates: Int64?

    public init(
        articleID: Int64,
        messageID: MessageID,
        groupName: String,
        personaID: Int64,
        requestedModel: String?,
        requestedBackend: String?,
        chain: [String],
        turn: Int,
        task: ForumTask = .answer,
        regenerates: Int64? = nil
    ) {
        self.articleID = articleID
        self.messageID = messageID
        self.groupName = groupName
        self.personaID = personaID
        self.requestedModel = requestedModel
        self.requestedBackend = requestedBackend
        self.chain = chain
        self.turn = turn
        self.task = task
        self.regenerates = regenerates
    }
}

extension StoreTransaction {
    /// Inserts a pending answer request.
    /// - Returns: its id.
    public func insertAnswerRequest(_ request: NewAnswerRequest, now: Date) throws -> Int64 {
        try self.db.execute(
            sql: """
                INSERT INTO request (kind, status, article_id, message_id, group_name, persona_id,
                    requested_model, requested_backend, chain, turn, task, regenerates, created_at, updated_at)
                VALUES ('answer', 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                request.articleID, request.messageID.value, request.groupName, request.personaID,
                request.requestedModel, request.requestedBackend, request.chain.joined(separator: " "), request.turn,
                request.task.rawValue, request.regenerates, now.timeIntervalSince1970, now.timeIntervalSince1970
            ]
        )
        return self.db.lastInsertedRowID
    }

    /// Fixes the Message-ID the answer to request `id` will have.
    public func setAnswerMessageID(_ messageID: MessageID, ofRequest id: Int64) throws {
        try self.db.execute(
            sql: "UPDATE request SET answer_message_id = ? WHERE id = ?",
            arguments: [messageID.value, id]
        )
    }

    /// Inserts a pending request for persona generation.
    /// - Returns: the request.
    public func insertGenerationRequest(
        groupName: String,
        personaID: Int64?,
        requestedModel: String?,
        parameters: String,
        now: Date
    ) throws -> ReplyRequest {
        try self.db.execute(
            sql: """
                INSERT INTO request (kind, status, group_name, persona_id, requested_model, params, created_at,
                    updated_at)
                VALUES ('generate_personas', 'pending', ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                groupName, personaID, requestedModel, parameters, now.timeIntervalSince1970, now.timeIntervalSince1970
            ]
        )
        return try ForumDatabase.requireRequest(self.db.lastInsertedRowID, self.db)
    }

    /// Request `id`; throws ``StoreError`` `.notFound` when there is none.
    public func request(id: Int64) throws -> ReplyRequest {
        try ForumDatabase.requireRequest(id, self.db)
    }

    /// How many persona-to-persona turns the thread with root `rootMessageID` has used.
    public func personaTurnsUsed(inThread rootMessageID: MessageID) throws -> Int {
        try Int.fetchOne(
            self.db,
            sql: """
                SELECT COUNT(*) FROM request r JOIN article a ON a.id = r.article_id
                WHERE a.root_message_id = ? AND r.turn > 0
                """,
            arguments: [rootMessageID.value]
        ) ?? 0
    }

    /// Cancels the requests still waiting to answer article `articleID` (it was withdrawn).
    public func cancelRequests(ofArticle articleID: Int64, reason: String, now: Date) throws {
        try self.db.execute(
            sql: """
                UPDATE request SET status = 'cancelled', error = ?, finished_at = ?, updated_at = ?
                WHERE article_id = ? AND status IN ('pending', 'running')
                """,
            arguments: [reason, now.timeIntervalSince1970, now.timeIntervalSince1970, articleID]
        )
    }

    /// Marks a request done. `answerMessageID`, when given, is recorded as its answer, with what
    /// the worker had to do to it (`notes`).
    public func markDone(requestID: Int64, answerMessageID: MessageID?, notes: AnswerNotes = .init(), now: Date) throws
    {
        try self.db.execute(
            sql: """
                UPDATE request SET status = 'done', error = NULL, finished_at = ?, updated_at = ?,
                    answer_message_id = coalesce(?, answer_message_id), truncated = ?, cleaned = ?,
                    usage_prompt_tokens = ?, usage_cached_tokens = ?, usage_completion_tokens = ?,
                    usage_first_token_ms = ?, usage_total_ms = ?, usage_rate = ?
                WHERE id = ?
                """,
            arguments: [
                now.timeIntervalSince1970, now.timeIntervalSince1970, answerMessageID?.value, notes.truncated,
                notes.cleaned, notes.usage?.promptTokens, notes.usage?.cachedPromptTokens,
                notes.usage?.completionTokens, notes.usage?.firstTokenMilliseconds, notes.usage?.totalMilliseconds,
                notes.usage?.tokensPerSecond, requestID
            ]
        )
    }

    /// Marks a running request failed for good.
    /// - Returns: `false` when it was not running (nothing changed).
    public func markFailed(requestID: Int64, error: String, now: Date) throws -> Bool {
        try self.db.execute(
            sql: """
                UPDATE request SET status = 'failed', error = ?, finished_at = ?, updated_at = ?
                WHERE id = ? AND status = 'running'
                """,
            arguments: [error, now.timeIntervalSince1970, now.timeIntervalSince1970, requestID]
        )
        return self.db.changesCount == 1
    }
}
