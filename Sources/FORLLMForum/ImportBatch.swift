import Foundation

/// A batch of an import, converted and validated, waiting to be stored
/// (``Forum/prepareImport(_:intoGroup:firstPosition:)``, then ``Forum/storeImport(_:)``).
public struct ImportBatch: Sendable {
    /// The time of the import, given to every article of the batch.
    let now: Date
    /// The articles to store, with their archive positions.
    var articles: [(position: Int, article: PreparedArticle)] = []
    /// The messages refused already.
    var rejections: [ImportRejection] = []

    init(now: Date) {
        self.now = now
    }

    /// Messages in the batch, refused ones included.
    public var count: Int { self.articles.count + self.rejections.count }
}
