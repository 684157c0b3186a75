import Foundation
import GRDB

// Maildir deliveries: one row per (article, group) copy, written by the forum in the
// article's own transaction (StoreTransaction+Deliveries), claimed and recorded by the
// deliverer here.
//
//   pending ──(file in new/)──▶ delivered
//      │                            │
//      └──(withdrawn)──▶ removal_pending ──(file gone)──▶ removed
//
// Exactly once: a row gets its Maildir unique name when it is first claimed, in the claim's
// transaction, before anything is written; a claimed row that never recorded its outcome (kill
// -9) is claimed again with `mayExist`, and the deliverer looks for that name in new/ and cur/
// before writing. A delivery whose file is there is recorded, never written twice.

extension ForumDatabase {
    /// The `delivery` table (registered by the migrator).
    static func createDeliveryTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE delivery (
                    id INTEGER PRIMARY KEY,
                    article_id INTEGER REFERENCES article(id) ON DELETE SET NULL,
                    message_id TEXT NOT NULL,
                    group_name TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'delivered', 'removal_pending', 'removed')),
                    -- The Maildir unique name, set by the first claim, before any byte is written.
                    file_name TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    not_before REAL,
                    claimed_until REAL,
                    created_at REAL NOT NULL,
                    delivered_at REAL,
                    updated_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX delivery_article_group ON delivery(article_id, group_name);
                CREATE INDEX delivery_work ON delivery(id) WHERE state IN ('pending', 'removal_pending');
                CREATE INDEX delivery_group ON delivery(group_name, state);
                """
        )
    }

    /// Releases every claim: at the server's start, deliveries a killed process had claimed
    /// are taken up at once instead of when their lease runs out.
    /// - Returns: how many were released.
    @discardableResult
    public func releaseDeliveryClaims() async throws -> Int {
        try await self.writer.write { db in
            try db.execute(sql: "UPDATE delivery SET claimed_until = NULL WHERE claimed_until IS NOT NULL")
            return db.changesCount
        }
    }

    /// Claims up to `limit` deliveries and removals that are due (oldest first), for `lease`
    /// seconds, in one transaction. A row claimed for the first time gets its unique name from
    /// `makeName(id, now)` in that transaction.
    /// - Parameter groups: only these groups; `nil` for all.
    public func claimDeliveries(
        now: Date,
        lease: TimeInterval,
        limit: Int,
        groups: [String]? = nil,
        makeName: @escaping @Sendable (_ id: Int64, _ now: Date) -> String
    ) async throws -> [ClaimedDelivery] {
        try await self.writer.write { db in
            let time = now.timeIntervalSince1970
            var sql = """
                SELECT d.id, d.message_id, d.group_name, d.state, d.file_name, d.attempts, d.article_id,
                    a.head, a.body, a.references_header
                FROM delivery d LEFT JOIN article a ON a.id = d.article_id
                WHERE d.state IN ('pending', 'removal_pending')
                    AND (d.not_before IS NULL OR d.not_before <= ?)
                    AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
                """
            var arguments: StatementArguments = [time, time]
            if let groups {
                guard !groups.isEmpty else { return [] }
                sql += " AND d.group_name IN (\(databaseQuestionMarks(count: groups.count)))"
                arguments += StatementArguments(groups)
            }
            sql += " ORDER BY d.id LIMIT ?"
            arguments += [limit]
            var claimed: [ClaimedDelivery] = []
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let id: Int64 = row["id"]
                let state: String = row["state"]
                let storedName: String? = row["file_name"]
                let fileName = storedName ?? makeName(id, now)
                let kind: ClaimedDelivery.Kind
                switch state {
                case "pending":
                    guard row["article_id"] != nil, let head: Data = row["head"], let body: Data = row["body"] else {
                        // The article went without a withdrawal (its group was removed): if a
                        // file may exist it must go, otherwise there is nothing to do.
                        if storedName == nil {
                            try db.execute(
                                sql: "UPDATE delivery SET state = 'removed', updated_at = ? WHERE id = ?",
                                arguments: [time, id]
                            )
                            continue
                        }
                        kind = .remove
                        break
                    }
                    kind = .deliver(head: head, body: body, references: row["references_header"] ?? "")
                case "removal_pending":
                    kind = .remove
                default:
                    throw StoreError.unreadable("delivery state", state)
                }
                try db.cachedStatement(
                    sql: """
                        UPDATE delivery SET file_name = ?, claimed_until = ?, attempts = attempts + 1, updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [fileName, time + lease, time, id])
                claimed.append(
                    ClaimedDelivery(
                        id: id,
                        messageID: row["message_id"],
                        group: row["group_name"],
                        fileName: fileName,
                        mayExist: storedName != nil,
                        attempts: (row["attempts"] as Int) + 1,
                        kind: kind
                    )
                )
            }
            return claimed
        }
    }

    /// Records what became of claimed deliveries and releases their claims, in one transaction.
    /// A delivery withdrawn while it was being written stays `removal_pending` (its file is
    /// removed next).
    /// - Returns: whether removals are waiting (a withdrawal came in while the copy was
    ///   written): the deliverer goes round again.
    @discardableResult
    public func recordDeliveries(_ outcomes: [DeliveryOutcome], now: Date) async throws -> Bool {
        guard !outcomes.isEmpty else { return false }
        return try await self.writer.write { db in
            let time = now.timeIntervalSince1970
            var removalsWaiting = false
            for outcome in outcomes {
                switch outcome {
                case .delivered(let id):
                    try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET state = 'delivered', delivered_at = ?, error = NULL, not_before = NULL,
                                claimed_until = NULL, updated_at = ?
                            WHERE id = ? AND state = 'pending'
                            """
                    ).execute(arguments: [time, time, id])
                    if db.changesCount == 0 {
                        // Withdrawn meanwhile: removal_pending, its file goes next.
                        try db.cachedStatement(sql: "UPDATE delivery SET claimed_until = NULL WHERE id = ?")
                            .execute(arguments: [id])
                        removalsWaiting = true
                    }
                case .removed(let id):
                    try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET state = 'removed', error = NULL, not_before = NULL, claimed_until = NULL,
                                updated_at = ?
                            WHERE id = ?
                            """
                    ).execute(arguments: [time, id])
                case .failed(let id, let error, let retryAt):
                    try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET error = ?, not_before = ?, claimed_until = NULL, updated_at = ?
                            WHERE id = ?
                            """
                    ).execute(arguments: [error, retryAt.timeIntervalSince1970, time, id])
                case .dropped(let id, let reason):
                    try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET state = 'removed', error = ?, claimed_until = NULL, updated_at = ?
                            WHERE id = ?
                            """
                    ).execute(arguments: [reason, time, id])
                }
            }
            return removalsWaiting
        }
    }

    /// Queues deliveries of every stored article of `groups` that has none yet (`forllm mail
    /// sync`). Queuing again queues nothing. The groups' marks (see
    /// ``queueUnqueuedDeliveries(groups:now:)``) move to their last article.
    /// - Returns: how many were queued.
    public func enqueueMissingDeliveries(groups: [String], now: Date) async throws -> Int {
        guard !groups.isEmpty else { return 0 }
        return try await self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO delivery (article_id, message_id, group_name, created_at, updated_at)
                    SELECT a.id, a.message_id, g.name, ?, ?
                    FROM newsgroup g JOIN group_article ga ON ga.group_id = g.id JOIN article a ON a.id = ga.article_id
                    WHERE g.removed_at IS NULL AND g.name IN (\(databaseQuestionMarks(count: groups.count)))
                    ORDER BY g.id, ga.number
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970] + StatementArguments(groups)
            )
            let queued = db.changesCount
            try db.execute(
                sql: """
                    UPDATE newsgroup SET delivered_through = last_number
                    WHERE removed_at IS NULL AND name IN (\(databaseQuestionMarks(count: groups.count)))
                    """,
                arguments: StatementArguments(groups)
            )
            return queued
        }
    }

    /// Queues the deliveries that the processes storing articles did not: an article stored
    /// by a process without the mail configuration (`forllm post`, `forllm sendmail` with
    /// only `--database`, an import) has no delivery row. The server's deliverer calls this on
    /// each pass.
    ///
    /// Each group keeps a mark, `delivered_through`: the article number up to which every
    /// article of the group has its delivery. Article numbers are never reused (RFC 3977 §6),
    /// so the articles after the mark are exactly those not looked at yet. A group of
    /// `groups` seen for the first time (mail was just turned on for it) starts at its last
    /// article: what was there before is `forllm mail sync`'s. A group that is no longer
    /// delivered loses its mark, so that turning delivery on again starts afresh.
    /// - Returns: how many deliveries were queued.
    @discardableResult
    public func queueUnqueuedDeliveries(groups: [String], now: Date) async throws -> Int {
        let delivered = Set(groups)
        // Most passes find every mark current: a read, no write transaction.
        let behind = try await self.writer.read { db in
            try Self.groupsBehindTheirMark(db, delivered: delivered)
        }
        guard behind else { return 0 }
        return try await self.writer.write { db in
            var queued = 0
            let time = now.timeIntervalSince1970
            for row in try Row.fetchAll(
                db,
                sql: "SELECT id, name, last_number, delivered_through FROM newsgroup WHERE removed_at IS NULL"
            ) {
                let id: Int64 = row["id"]
                let mark: Int64? = row["delivered_through"]
                let last: Int64 = row["last_number"]
                guard delivered.contains(row["name"]) else {
                    if mark != nil {
                        try db.execute(
                            sql: "UPDATE newsgroup SET delivered_through = NULL WHERE id = ?",
                            arguments: [id]
                        )
                    }
                    continue
                }
                guard mark != last else { continue }
                if let mark {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO delivery (article_id, message_id, group_name, created_at, updated_at)
                            SELECT a.id, a.message_id, ?, ?, ?
                            FROM group_article ga JOIN article a ON a.id = ga.article_id
                            WHERE ga.group_id = ? AND ga.number > ?
                            ORDER BY ga.number
                            """,
                        arguments: [row["name"] as String, time, time, id, mark]
                    )
                    queued += db.changesCount
                }
                try db.execute(sql: "UPDATE newsgroup SET delivered_through = ? WHERE id = ?", arguments: [last, id])
            }
            return queued
        }
    }

    /// Whether a group of `delivered` has articles after its mark (or no mark), or a group not
    /// delivered still has one.
    private static func groupsBehindTheirMark(_ db: Database, delivered: Set<String>) throws -> Bool {
        for row in try Row.fetchAll(
            db,
            sql: "SELECT name, last_number, delivered_through FROM newsgroup WHERE removed_at IS NULL"
        ) {
            let mark: Int64? = row["delivered_through"]
            if delivered.contains(row["name"]) ? mark != (row["last_number"] as Int64) : mark != nil {
                return true
            }
        }
        return false
    }

    /// Deliveries and removals waiting (due or not), in `groups` (`nil`: all).
    public func waitingDeliveryCount(groups: [String]? = nil) async throws -> Int {
        try await self.writer.read { db in
            var sql = "SELECT COUNT(*) FROM delivery WHERE state IN ('pending', 'removal_pending')"
            var arguments: StatementArguments = []
            if let groups {
                guard !groups.isEmpty else { return 0 }
                sql += " AND group_name IN (\(databaseQuestionMarks(count: groups.count)))"
                arguments = StatementArguments(groups)
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    /// Where delivery stands in each group that has deliveries, by group name.
    public func deliveryStatus() async throws -> [DeliveryGroupStatus] {
        try await self.writer.read { db in
            var byGroup: [String: DeliveryGroupStatus] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT group_name, state, COUNT(*) AS n, MAX(delivered_at) AS last FROM delivery
                    GROUP BY group_name, state
                    """
            ) {
                let group: String = row["group_name"]
                var status = byGroup[group] ?? DeliveryGroupStatus(group: group)
                let count: Int = row["n"]
                switch row["state"] as String {
                case "pending": status.pending = count
                case "delivered":
                    status.delivered = count
                    status.lastDeliveredAt = (row["last"] as Double?).map { Date(timeIntervalSince1970: $0) }
                case "removal_pending": status.removalPending = count
                case "removed": status.removed = count
                case let other: throw StoreError.unreadable("delivery state", other)
                }
                byGroup[group] = status
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT group_name, error FROM delivery
                    WHERE state IN ('pending', 'removal_pending') AND error IS NOT NULL
                    ORDER BY updated_at
                    """
            ) {
                byGroup[row["group_name"]]?.lastError = row["error"]
            }
            return byGroup.values.sorted { $0.group < $1.group }
        }
    }
}

extension DeliveryOutcome {
    /// The delivery's row id.
    public var id: Int64 {
        switch self {
        case .delivered(let id), .removed(let id), .failed(let id, _, _), .dropped(let id, _):
            return id
        }
    }
}
