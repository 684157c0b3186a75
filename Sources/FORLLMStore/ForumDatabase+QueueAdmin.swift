import Foundation
import GRDB

extension ForumDatabase {
    /// Requests, newest first, optionally only those in `status`.
    ///
    /// `model` and `backend` of a request that has not run yet show what it would use now as
    /// far as the store knows it (request, persona, group); the caller fills in the
    /// configuration's defaults.
    public func requests(status: RequestStatus? = nil, limit: Int = 1000) async throws -> [ReplyRequest] {
        try await self.requests(statuses: status.map { [$0] }, limit: limit)
    }

    /// The requests in any of `statuses` (every request when `nil`), newest first, read in one
    /// snapshot: a request that changes state meanwhile is listed once.
    public func requests(statuses: [RequestStatus]?, limit: Int = 1000) async throws -> [ReplyRequest] {
        if statuses?.isEmpty == true { return [] }
        return try await self.writer.read { db in
            var sql = """
                SELECT r.id, r.kind, r.status, r.article_id, r.message_id, r.group_name, r.persona_id,
                    p.handle AS persona_handle, r.persona_version, r.requested_model, r.requested_backend,
                    COALESCE(r.model, r.requested_model, p.model, g.default_model) AS model,
                    COALESCE(r.backend, r.requested_backend, g.default_backend) AS backend,
                    r.chain, r.turn, r.params, r.attempts, r.not_before, r.error, r.waiting_since, r.progress_chars,
                    r.answer_message_id, r.task, r.regenerates, r.task_progress,
                    r.created_at, r.started_at, r.finished_at, r.updated_at
                FROM request r
                LEFT JOIN persona p ON p.id = r.persona_id
                LEFT JOIN newsgroup g ON g.name = r.group_name
                """
            var arguments: StatementArguments = []
            if let statuses {
                sql += " WHERE r.status IN (\(databaseQuestionMarks(count: statuses.count)))"
                arguments += StatementArguments(statuses.map(\.rawValue))
            }
            sql += " ORDER BY r.id DESC LIMIT ?"
            arguments += [limit]
            // Cached: the status publisher and `forllm queue` ask this again and again, and
            // preparing a statement over the request table's columns costs more than running it.
            return try ReplyRequest.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        }
    }

    /// One request.
    public func request(id: Int64) async throws -> ReplyRequest {
        try await self.writer.read { db in
            try Self.requireRequest(id, db)
        }
    }

    /// Puts a failed or cancelled request back into the queue with a fresh attempt count.
    @discardableResult
    public func retryRequest(id: Int64, now: Date) async throws -> ReplyRequest {
        defer { self.queueSignal.notify() }
        return try await self.writer.write { db in
            let request = try Self.requireRequest(id, db)
            switch request.status {
            case .failed, .cancelled:
                break
            case .pending, .running:
                throw StoreError(.conflict, "request \(id) is \(request.status.rawValue) already")
            case .done:
                throw StoreError(.conflict, "request \(id) is done; post again to ask for another answer")
            }
            if request.kind == .answer, request.articleID == nil {
                throw StoreError(.conflict, "request \(id) cannot run again: its article was removed")
            }
            try db.execute(
                sql: """
                    UPDATE request SET status = 'pending', attempts = 0, not_before = NULL, error = NULL, waiting_since = NULL,
                        progress_chars = 0, model = NULL, backend = NULL, finished_at = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now.timeIntervalSince1970, id]
            )
            return try Self.requireRequest(id, db)
        }
    }

    /// Cancels a pending or running request (a running one stops at its next progress report).
    @discardableResult
    public func cancelRequest(id: Int64, now: Date) async throws -> ReplyRequest {
        try await self.writer.write { db in
            let request = try Self.requireRequest(id, db)
            switch request.status {
            case .pending, .running:
                break
            case .done, .failed, .cancelled:
                throw StoreError(.conflict, "request \(id) is \(request.status.rawValue), nothing to cancel")
            }
            try db.execute(
                sql: """
                    UPDATE request SET status = 'cancelled', error = 'cancelled by the user', finished_at = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id]
            )
            return try Self.requireRequest(id, db)
        }
    }

    static func requireRequest(_ id: Int64, _ db: Database) throws -> ReplyRequest {
        guard
            let request = try ReplyRequest.fetchOne(
                db.cachedStatement(sql: ReplyRequest.selectSQL + " WHERE r.id = ?"),
                arguments: [id]
            )
        else {
            throw StoreError(.notFound, "no request \(id)")
        }
        return request
    }
}
