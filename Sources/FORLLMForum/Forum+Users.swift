import FORLLMStore
import Foundation
import NewsArticle

// The readers who log in (`forllm user`, AUTHINFO): who they are, and what a login allows.
// A logged-in reader posts only with the addresses listed for them, and withdraws (cancel,
// Supersedes) only their own articles and the answers to them (Forum+Control); their name is
// in each article's Injection-Info (posting-account, RFC 5536 §3.2.8).

extension Forum {
    /// The shortest password `forllm user add` and `passwd` take.
    public static let minimumPasswordLength = 8

    /// Adds a user who logs in as `name` with `password` and posts as `addresses`.
    /// - Throws: ``ForumError`` `.invalidInput` for a bad name, address or password;
    ///   ``StoreError`` `.alreadyExists` for a taken name.
    @discardableResult
    public func addUser(name: String, password: String, addresses: [String]) async throws -> ForumUser {
        let name = try Self.userName(name)
        var normalized: [String] = []
        for address in addresses {
            let parsed = try Self.userAddress(address)
            if !normalized.contains(parsed) { normalized.append(parsed) }
        }
        try Self.checkPassword(password)
        let hash = try await PasswordHash.make(password: password, logRounds: self.configuration.passwordCost)
        return try await self.database.addUser(
            name: name,
            passwordHash: hash.encoded,
            addresses: normalized,
            now: self.now()
        )
    }

    /// Sets a new password for user `name`.
    public func changePassword(ofUser name: String, to password: String) async throws {
        let name = try Self.userName(name)
        try Self.checkPassword(password)
        guard try await self.database.user(named: name) != nil else {
            throw StoreError(.notFound, "no user named \(name) (forllm user list shows them)")
        }
        let hash = try await PasswordHash.make(password: password, logRounds: self.configuration.passwordCost)
        try await self.database.setPasswordHash(hash.encoded, ofUser: name, now: self.now())
    }

    /// Removes user `name`; their articles stay.
    public func removeUser(named name: String) async throws {
        try await self.database.removeUser(named: try Self.userName(name))
    }

    /// The user `name` logs in as, when `password` is theirs; `nil` otherwise. An unknown name
    /// costs the same time as a wrong password, so that names cannot be found by timing.
    /// - Throws: only when the store cannot be read.
    public func authenticate(name: String, password: String) async throws -> ForumUser? {
        var stored: ForumUser?
        if let name = try? Self.userName(name) {
            stored = try await self.database.user(named: name)
        }
        guard let stored, let hash = PasswordHash(encoded: stored.passwordHash) else {
            _ = await Self.decoyHash(cost: self.configuration.passwordCost).verify(password)
            return nil
        }
        return await hash.verify(password) ? stored : nil
    }

    /// A hash no password matches, checked for unknown names so that they take as long.
    private static func decoyHash(cost: Int) -> PasswordHash {
        PasswordHash(
            logRounds: cost,
            blockSize: 8,
            parallelism: 1,
            salt: Array(repeating: 0x5A, count: 16),
            hash: Array(repeating: 0, count: 32)
        )
    }

    /// Refuses an article whose From is not an address of `account` (441 over NNTP).
    func checkAuthor(_ from: Mailbox, of account: ForumUser) throws(ArticleError) {
        guard !account.addresses.contains(from.address.lowercased()) else { return }
        let listed =
            account.addresses.isEmpty
            ? "no addresses are listed for \(account.name), so they cannot post"
            : "post with \(account.addresses.joined(separator: " or "))"
        throw ArticleError(
            .invalidFrom,
            "From: \(from.address) is not an address of user \(account.name); \(listed) "
                + "(the administrator adds addresses with forllm user add)"
        )
    }

    /// A login name as stored: lower-case letters, digits, `.`, `_`, `-`, `@`, `+`; 1 to 64.
    static func userName(_ text: String) throws(ForumError) -> String {
        let name = text.lowercased()
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "+")]
                        .contains(byte)
            })
        else {
            throw ForumError(
                .invalidInput,
                "'\(text.prefix(80))' is not a user name: 1 to 64 letters, digits, '.', '_', '-', '@' or '+'"
            )
        }
        return name
    }

    private static func userAddress(_ text: String) throws(ForumError) -> String {
        guard let mailbox = try? Mailbox(parsing: text) else {
            throw ForumError(.invalidInput, "'\(text.prefix(80))' is not a mail address (like jane@example.org)")
        }
        return mailbox.address.lowercased()
    }

    private static func checkPassword(_ password: String) throws(ForumError) {
        guard password.count >= Self.minimumPasswordLength else {
            throw ForumError(.invalidInput, "the password is shorter than \(Self.minimumPasswordLength) characters")
        }
        guard !password.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw ForumError(.invalidInput, "the password contains a line break or NUL")
        }
        guard !password.hasPrefix(" "), !password.hasSuffix(" ") else {
            // AUTHINFO PASS cannot carry leading or trailing spaces (RFC 4643 §2.3).
            throw ForumError(.invalidInput, "the password begins or ends with a space, which AUTHINFO cannot send")
        }
    }
}
