/// An article as the store holds it for rules that look at it (withdrawal).
public struct ArticleSummary: Hashable, Sendable {
    public var id: Int64
    public var fromHeader: String
    public var authorPersonaID: Int64?
    /// The From of the article it follows up (its last `References` entry), when stored.
    public var parentFromHeader: String?
}
