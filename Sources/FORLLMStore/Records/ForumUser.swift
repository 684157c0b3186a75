import Foundation

/// A reader who logs in (`forllm user add`): a name, a password hash and the From addresses
/// the user may post with.
public struct ForumUser: Hashable, Sendable {
    public var id: Int64
    /// The login name, lower-case.
    public var name: String
    /// The password as the forum hashed it (a PHC string, like `$scrypt$ln=15,r=8,p=1$…$…`).
    public var passwordHash: String
    /// The addresses the user posts with, lower-case, in the order given.
    public var addresses: [String]
    public var createdAt: Date

    public init(id: Int64, name: String, passwordHash: String, addresses: [String], createdAt: Date) {
        self.id = id
        self.name = name
        self.passwordHash = passwordHash
        self.addresses = addresses
        self.createdAt = createdAt
    }
}
