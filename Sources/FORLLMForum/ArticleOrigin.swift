/// Who wrote an article being injected.
public enum ArticleOrigin: Hashable, Sendable {
    /// A person, through NNTP `POST` or `forllm post`.
    case user
    /// A persona answering request `requestID`.
    case persona(id: Int64, version: Int, requestID: Int64)
    /// FORLLM itself: error notices, persona cards, generation reports.
    case system
    /// An archive brought in by `forllm import`: validated like a person's article except that
    /// its `Date` may be of any age; it asks for no answers and is never a control message.
    case imported
}
