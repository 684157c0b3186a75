import Foundation

/// Something that happened in the forum that tools outside may want to act on (hooks): an
/// answer stored, a request failed for good, an article posted by a user. Given to
/// ``ForumEventBus`` subscribers after its transaction committed.
public struct ForumEvent: Hashable, Sendable, Encodable {
    /// What happened.
    public enum Kind: String, Hashable, Sendable, Encodable, CaseIterable {
        /// A persona's answer was stored.
        case answer
        /// A request failed for good (after its retries).
        case failed
        /// A user posted an article.
        case posted
    }

    public var event: Kind
    /// The request answered or failed; `nil` for `posted`.
    public var requestId: Int64?
    /// The persona's handle.
    public var persona: String?
    public var model: String?
    public var backend: String?
    /// The groups of the article (the request's group for `failed`).
    public var groups: [String]
    /// The article stored: the answer, the post, or FORLLM's notice of the failure.
    public var messageId: String?
    /// The article answered (`answer`, `failed`).
    public var inReplyTo: String?
    public var subject: String?
    /// `From` of a post.
    public var from: String?
    /// Why the request failed.
    public var error: String?
    /// The requests a post asked for.
    public var requestIds: [Int64]
    public var date: Date

    public init(
        event: Kind,
        requestId: Int64? = nil,
        persona: String? = nil,
        model: String? = nil,
        backend: String? = nil,
        groups: [String] = [],
        messageId: String? = nil,
        inReplyTo: String? = nil,
        subject: String? = nil,
        from: String? = nil,
        error: String? = nil,
        requestIds: [Int64] = [],
        date: Date
    ) {
        self.event = event
        self.requestId = requestId
        self.persona = persona
        self.model = model
        self.backend = backend
        self.groups = groups
        self.messageId = messageId
        self.inReplyTo = inReplyTo
        self.subject = subject
        self.from = from
        self.error = error
        self.requestIds = requestIds
        self.date = date
    }

    /// The event as one JSON object with snake_case keys, as hooks read it on stdin.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
