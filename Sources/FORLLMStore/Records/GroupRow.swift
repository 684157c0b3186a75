import GRDB

/// The columns of a group that injection needs.
public struct GroupRow: Sendable {
    public var id: Int64
    public var name: String
    public var mode: GroupMode
    public var postingAllowed: Bool
    public var lastNumber: Int64
    public var defaultPersonaID: Int64?

    static func fetch(name: String, _ db: Database) throws -> GroupRow? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, name, mode, posting_allowed, last_number, default_persona_id
                        FROM newsgroup WHERE name = ? AND removed_at IS NULL
                        """
                ),
                arguments: [name]
            )
        else { return nil }
        return GroupRow(
            id: row["id"],
            name: row["name"],
            mode: try GroupMode(stored: row["mode"], column: "newsgroup.mode"),
            postingAllowed: row["posting_allowed"],
            lastNumber: row["last_number"],
            defaultPersonaID: row["default_persona_id"]
        )
    }
}
