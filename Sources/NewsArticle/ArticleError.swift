/// Why an article, or a header value in it, was refused.
///
/// `message` is written for a person: it is what an NNTP client shows after `441`, and what
/// `forllm post` prints. It names the header and the problem ("Newsgroups: no such group
/// 'comp.foo'"), never an internal detail.
public struct ArticleError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformedHeader
            case missingHeader
            case duplicateHeader
            case invalidHeaderValue
            case invalidMessageID
            case invalidDate
            case dateOutOfRange
            case invalidNewsgroups
            case invalidFrom
            case tooLarge
            case invalidRequest
            case invalidEncoding
            case lineTooLong
            case invalidBody
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A header line without a colon, a bad field name, a bare CR/LF or NUL in the header.
        public static let malformedHeader = Code(.malformedHeader)
        /// One of From, Newsgroups, Subject is absent or empty.
        public static let missingHeader = Code(.missingHeader)
        /// A header that may occur once occurs twice.
        public static let duplicateHeader = Code(.duplicateHeader)
        /// A header whose value does not follow its grammar.
        public static let invalidHeaderValue = Code(.invalidHeaderValue)
        /// Message-ID (or a References entry we must use) is not `<left@right>`.
        public static let invalidMessageID = Code(.invalidMessageID)
        /// Date does not parse as an RFC 5322 date.
        public static let invalidDate = Code(.invalidDate)
        /// Date lies too far in the future or the past.
        public static let dateOutOfRange = Code(.dateOutOfRange)
        /// Newsgroups is empty or names an invalid group name.
        public static let invalidNewsgroups = Code(.invalidNewsgroups)
        /// From has no usable address.
        public static let invalidFrom = Code(.invalidFrom)
        /// The article exceeds the configured size.
        public static let tooLarge = Code(.tooLarge)
        /// `X-FORLLM-Request` does not follow its grammar.
        public static let invalidRequest = Code(.invalidRequest)
        /// Content-Transfer-Encoding or charset problems that make the text unreadable.
        public static let invalidEncoding = Code(.invalidEncoding)
        /// A line of the header or the body is longer than 998 octets.
        public static let lineTooLong = Code(.lineTooLong)
        /// The body contains a NUL octet.
        public static let invalidBody = Code(.invalidBody)

        public var description: String { "\(self.base)" }
    }

    public var code: Code
    /// One line, for a person; no trailing period, no CR or LF.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
