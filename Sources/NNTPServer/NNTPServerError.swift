/// A failure of the NNTP service itself (not of a client).
public struct NNTPServerError: Error, Hashable, Sendable {
    /// What went wrong.
    public var message: String

    public init(message: String) {
        self.message = message
    }
}
