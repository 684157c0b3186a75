import Foundation
import GRDB
import NewsArticle

extension StoreTransaction {
    /// The persona, version and model of answer `messageID`; `nil` when that article is not
    /// here or was not written by a persona.
    public func votedAnswer(messageID: String) throws -> VotedAnswer? {
        try Row.fetchOne(
            self.db,
            sql: """
                SELECT a.author_persona_id, a.author_persona_version, r.model
                FROM article a LEFT JOIN request r ON r.id = a.request_id
                WHERE a.message_id = ? AND a.author_persona_id IS NOT NULL
                """,
            arguments: [messageID]
        ).map {
            VotedAnswer(
                personaID: $0["author_persona_id"],
                personaVersion: $0["author_persona_version"] ?? 1,
                model: $0["model"]
            )
        }
    }

    /// Records `voter`'s vote (`+1` or `-1`) cast by article `articleID` on answer
    /// `answerMessageID`, replacing that voter's earlier vote on the same answer.
    public func recordVote(
        articleID: Int64,
        answerMessageID: MessageID,
        answer: VotedAnswer,
        voter: String,
        value: Int,
        now: Date
    ) throws {
        try self.db.execute(
            sql: """
                INSERT INTO vote (article_id, answer_message_id, persona_id, persona_version, model, voter, value,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (answer_message_id, voter) DO UPDATE SET
                    article_id = excluded.article_id, value = excluded.value, created_at = excluded.created_at
                """,
            arguments: [
                articleID, answerMessageID.value, answer.personaID, answer.personaVersion, answer.model,
                voter, value, now.timeIntervalSince1970
            ]
        )
    }
}
