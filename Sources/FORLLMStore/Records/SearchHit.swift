import Foundation

/// One article found by a full-text search, best first.
public struct SearchHit: Hashable, Sendable {
    public var messageID: String
    /// The groups it is in (its `Newsgroups`, comma-separated as stored).
    public var newsgroups: String
    /// `Subject`, `From` and `Date` as in the overview (encoded words not decoded).
    public var subject: String
    public var from: String
    public var date: String
    /// When the server stored it.
    public var arrivedAt: Date
    /// The words around the match, each matching term between `*`.
    public var snippet: String
    /// bm25 score: lower is better (SQLite FTS5 convention).
    public var score: Double
}
