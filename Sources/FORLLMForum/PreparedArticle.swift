import FORLLMStore
import NewsArticle

/// An article validated outside the transaction.
struct PreparedArticle: Sendable {
    var article: Article
    var facts: PostingFacts
    var request: ForumRequest?
    var mentions: [[String]]
    /// The logged-in reader who posted it, when there is one.
    var account: ForumUser? = nil
}
