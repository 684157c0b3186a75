/// An article as the store holds it for rules that look at it (withdrawal).
public struct ArticleSummary: Hashable, Sendable {
    public var id: Int64
    public var fromHeader: String
    public var authorPersonaID: Int64?
}
