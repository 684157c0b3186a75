/// What a persona is asked to do (`task=` of `X-FORLLM-Request`, the `X-FORLLM-Task` header
/// of what it posts).
///
/// ```
/// X-FORLLM-Request: alice; task=summary
/// X-FORLLM-Task: summary
/// ```
public enum ForumTask: String, Hashable, Sendable, CaseIterable {
    /// Reply to the requested article (the default).
    case answer
    /// Summarise the whole thread, every branch, oldest first.
    case summary

    /// The header an answer carries when its task is not a plain answer.
    public static let headerName = "X-FORLLM-Task"
}
