/// Why the forum refused something a person asked for. `message` is one line for that person:
/// the CLI prints it, NNTP sends it after 441.
///
/// The forum also passes on the refusals of the layers below it unchanged: ``ArticleError``
/// (the article's form) and ``StoreError`` (a name that does not exist, a taken handle). All
/// three print as their message.
public struct ForumError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidInput
            case alreadyExists
            case duplicateArticle
            case conflict
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A value does not follow its rules (a persona name, a handle, a count).
        public static let invalidInput = Code(.invalidInput)
        /// A persona with that name or handle exists already.
        public static let alreadyExists = Code(.alreadyExists)
        /// An article with that Message-ID is stored already (NNTP: `441 435 Duplicate`).
        public static let duplicateArticle = Code(.duplicateArticle)
        /// The operation does not fit the current state (deleting the built-in persona).
        public static let conflict = Code(.conflict)

        public var description: String { "\(self.base)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
