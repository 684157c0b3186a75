import NewsArticle

/// An article validated outside the transaction.
struct PreparedArticle: Sendable {
    var article: Article
    var facts: PostingFacts
    var request: ForumRequest?
    var mentions: [[String]]
}
