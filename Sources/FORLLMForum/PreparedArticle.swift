import FORLLMStore
import NewsArticle

/// An article validated outside the transaction.
struct PreparedArticle: Sendable {
    var article: Article
    var facts: PostingFacts
    var request: ForumRequest?
    var mentions: [[String]]
    /// The body as text (``ArticleText/plainText(of:)``), decoded once for the mentions, the
    /// vote, a persona card and the search index.
    var plainText: String
    /// The vote it casts on the answer it follows up (never answered).
    var vote: ArticleVote? = nil
    /// The logged-in reader who posted it, when there is one.
    var account: ForumUser? = nil
}
