import Foundation
import GRDB

extension ForumDatabase {
    /// One row per voter and answer: a later vote of the same voter on the same answer
    /// replaces the earlier one. The row goes away with the article that cast it (a cancelled
    /// vote no longer counts); it stays when the answer voted on is withdrawn, since the vote
    /// was about the persona version and model that wrote it.
    static func createVoteTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE vote (
                    id INTEGER PRIMARY KEY,
                    article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
                    answer_message_id TEXT NOT NULL,
                    persona_id INTEGER NOT NULL REFERENCES persona(id),
                    persona_version INTEGER NOT NULL,
                    model TEXT,
                    voter TEXT NOT NULL,
                    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
                    created_at REAL NOT NULL,
                    UNIQUE (answer_message_id, voter)
                );
                CREATE INDEX vote_article ON vote(article_id);
                """
        )
    }

    /// The tallies of `forllm persona stats`: per persona (by handle), per persona version and
    /// per model, each ordered by score, then by the number of votes, then by name.
    public func voteStatistics() async throws -> VoteStatistics {
        try await self.writer.read { db in
            func tallies(_ subject: String, _ from: String) throws -> [VoteTally] {
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(subject) AS subject,
                            SUM(v.value = 1) AS up, SUM(v.value = -1) AS down,
                            COUNT(DISTINCT v.answer_message_id) AS answers
                        FROM vote v \(from)
                        GROUP BY 1
                        ORDER BY SUM(v.value) DESC, COUNT(*) DESC, 1
                        """
                ).map { VoteTally(subject: $0["subject"], up: $0["up"], down: $0["down"], answers: $0["answers"]) }
            }
            return VoteStatistics(
                personas: try tallies("p.handle", "JOIN persona p ON p.id = v.persona_id"),
                versions: try tallies(
                    "p.handle || ' v' || v.persona_version",
                    "JOIN persona p ON p.id = v.persona_id"
                ),
                models: try tallies("COALESCE(v.model, 'unknown')", "")
            )
        }
    }
}
