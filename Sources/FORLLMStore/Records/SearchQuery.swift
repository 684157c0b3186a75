/// A full-text search: FTS5 query syntax, an optional set of groups, a limit.
public struct SearchQuery: Hashable, Sendable {
    /// FTS5 syntax: words, `"a phrase"`, `prefix*`, `AND`/`OR`/`NOT`, `subject:word`.
    public var text: String
    /// Only articles in one of these groups; `nil`: every group.
    public var groups: [String]?
    public var limit: Int

    public init(text: String, groups: [String]? = nil, limit: Int = 20) {
        self.text = text
        self.groups = groups
        self.limit = limit
    }
}
