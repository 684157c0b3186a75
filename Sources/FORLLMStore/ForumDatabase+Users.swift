import Foundation
import GRDB

// The readers who log in: `forllm user add|list|remove|passwd`. The forum hashes passwords
// and checks them (FORLLMForum, Forum+Users); the store keeps the hash and the addresses.

extension ForumDatabase {
    /// The `forum_user` and `user_address` tables (registered by the migrator).
    static func createUserTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE forum_user (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    password_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE user_address (
                    user_id INTEGER NOT NULL REFERENCES forum_user(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    address TEXT NOT NULL,
                    PRIMARY KEY (user_id, address)
                ) WITHOUT ROWID;
                """
        )
    }

    /// Adds user `name` (lower-case) with `passwordHash` and `addresses` (lower-case).
    /// Throws ``StoreError`` `.alreadyExists` when the name is taken.
    @discardableResult
    public func addUser(name: String, passwordHash: String, addresses: [String], now: Date) async throws -> ForumUser {
        try await self.writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_user WHERE name = ?", arguments: [name]) == true {
                throw StoreError(.alreadyExists, "a user named \(name) exists already")
            }
            let time = now.timeIntervalSince1970
            try db.execute(
                sql: "INSERT INTO forum_user (name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [name, passwordHash, time, time]
            )
            let id = db.lastInsertedRowID
            for (position, address) in addresses.enumerated() {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO user_address (user_id, position, address) VALUES (?, ?, ?)",
                    arguments: [id, position, address]
                )
            }
            return ForumUser(id: id, name: name, passwordHash: passwordHash, addresses: addresses, createdAt: now)
        }
    }

    /// User `name` (lower-case), or `nil`.
    public func user(named name: String) async throws -> ForumUser? {
        try await self.writer.read { db in
            try Self.fetchUsers(db, name: name).first
        }
    }

    /// Every user, by name.
    public func users() async throws -> [ForumUser] {
        try await self.writer.read { db in try Self.fetchUsers(db, name: nil) }
    }

    /// Whether any user exists (then the server asks readers to log in).
    public func hasUsers() async throws -> Bool {
        try await self.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM forum_user)") ?? false
        }
    }

    /// Removes user `name`. Throws ``StoreError`` `.notFound`.
    public func removeUser(named name: String) async throws {
        try await self.writer.write { db in
            try db.execute(sql: "DELETE FROM forum_user WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError(.notFound, "no user named \(name)") }
        }
    }

    /// Replaces the password hash of user `name`. Throws ``StoreError`` `.notFound`.
    public func setPasswordHash(_ hash: String, ofUser name: String, now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(
                sql: "UPDATE forum_user SET password_hash = ?, updated_at = ? WHERE name = ?",
                arguments: [hash, now.timeIntervalSince1970, name]
            )
            if db.changesCount == 0 { throw StoreError(.notFound, "no user named \(name)") }
        }
    }

    private static func fetchUsers(_ db: Database, name: String?) throws -> [ForumUser] {
        var sql = "SELECT id, name, password_hash, created_at FROM forum_user"
        var arguments: StatementArguments = []
        if let name {
            sql += " WHERE name = ?"
            arguments = [name]
        }
        sql += " ORDER BY name"
        var users: [ForumUser] = []
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let id: Int64 = row["id"]
            let addresses = try String.fetchAll(
                db,
                sql: "SELECT address FROM user_address WHERE user_id = ? ORDER BY position",
                arguments: [id]
            )
            users.append(
                ForumUser(
                    id: id,
                    name: row["name"],
                    passwordHash: row["password_hash"],
                    addresses: addresses,
                    createdAt: Date(timeIntervalSince1970: row["created_at"])
                )
            )
        }
        return users
    }
}
