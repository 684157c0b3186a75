import Foundation
import GRDB

extension ForumDatabase {
    /// The articles of `group` numbered above `number`, in number order, at most `limit`: one
    /// page of an export (`forllm export mbox`), read in one statement. Each article's
    /// `numbers` holds its number in `group` only. Throws ``StoreError`` `.notFound` for a
    /// group that does not exist.
    public func articles(inGroup group: String, after number: Int64, limit: Int) async throws -> [StoredArticle] {
        try await self.writer.read { db in
            _ = try Self.requireGroup(group, db)
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT a.id, a.message_id, a.head, a.body, ga.number
                        FROM group_article ga JOIN article a ON a.id = ga.article_id
                        WHERE ga.group_id = (SELECT id FROM newsgroup WHERE name = ? AND removed_at IS NULL)
                          AND ga.number > ?
                        ORDER BY ga.number LIMIT ?
                        """
                ),
                arguments: [group, number, limit]
            ).map { row in
                StoredArticle(
                    id: row[0],
                    messageID: row[1],
                    head: row[2],
                    body: row[3],
                    numbers: [GroupNumber(group: group, number: row[4])]
                )
            }
        }
    }
}
