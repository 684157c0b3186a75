/// How far building the full-text index for the articles stored before it existed is.
public struct SearchIndexProgress: Hashable, Sendable {
    /// Articles indexed so far of those the build covers.
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}
