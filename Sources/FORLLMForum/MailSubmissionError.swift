/// Why a mail was not posted, in the classes `sendmail` reports (its exit status follows from
/// ``code``). `message` is one line for the person who sent the mail.
public struct MailSubmissionError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidArticle
            case unknownAddress
            case noRecipients
            case unavailable
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The message is no valid article, or breaks a forum rule (sendmail: 65, EX_DATAERR).
        public static let invalidArticle = Code(.invalidArticle)
        /// A recipient is no group or persona of this forum (sendmail: 67, EX_NOUSER).
        public static let unknownAddress = Code(.unknownAddress)
        /// Neither a recipient nor a `Newsgroups` header says where the message goes
        /// (sendmail: 64, EX_USAGE).
        public static let noRecipients = Code(.noRecipients)
        /// The store could not take the message now: busy, locked, unreadable (sendmail: 75,
        /// EX_TEMPFAIL; the mail client may try again later).
        public static let unavailable = Code(.unavailable)

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
