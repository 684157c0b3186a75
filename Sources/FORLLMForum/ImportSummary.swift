/// What importing a batch of mail messages did.
public struct ImportSummary: Hashable, Sendable {
    /// Messages stored as new articles.
    public var imported: Int
    /// Messages skipped because an article with their Message-ID is stored already (from an
    /// earlier run, or earlier in the same archive).
    public var duplicates: Int
    /// Messages refused, each with its reason, in input order.
    public var rejections: [ImportRejection]

    public init(imported: Int = 0, duplicates: Int = 0, rejections: [ImportRejection] = []) {
        self.imported = imported
        self.duplicates = duplicates
        self.rejections = rejections
    }

    /// Messages refused.
    public var rejected: Int { self.rejections.count }

    /// Adds the counts of a later batch.
    public mutating func add(_ other: ImportSummary) {
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.rejections += other.rejections
    }
}
