import FORLLMStore
import NewsArticle

/// The result of injecting an article.
public struct InjectedArticle: Hashable, Sendable {
    public var messageID: MessageID
    /// The article's number in each of its groups, in `Newsgroups` order.
    public var numbers: [GroupNumber]
    /// The requests queued because of it.
    public var requestIDs: [Int64]
}
