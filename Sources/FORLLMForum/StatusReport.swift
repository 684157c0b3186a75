/// What the article of `forllm.status` about one request says: made by the status publisher,
/// posted by ``Forum/publishStatus(_:)``.
public struct StatusReport: Hashable, Sendable {
    public var requestID: Int64
    public var subject: String
    /// The body.
    public var text: String
    /// What the body says leaving out what changes without news (the time it was written):
    /// an unchanged digest is not posted again.
    public var digest: String
    /// The `X-FORLLM-Status` value: `<request id>; <state>`.
    public var state: String

    public init(requestID: Int64, subject: String, text: String, digest: String, state: String) {
        self.requestID = requestID
        self.subject = subject
        self.text = text
        self.digest = digest
        self.state = state
    }
}
