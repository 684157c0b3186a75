/// One message an import refused.
public struct ImportRejection: Hashable, Sendable {
    /// The message's position in the archive, counting from 1.
    public var position: Int
    /// Its Message-ID, when it had a readable one.
    public var messageID: String?
    /// Why it was refused (one line).
    public var reason: String

    public init(position: Int, messageID: String?, reason: String) {
        self.position = position
        self.messageID = messageID
        self.reason = reason
    }
}
