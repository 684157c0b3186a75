/// Why mail input could not be read: an mbox that is no mbox, a message that is no message.
/// `message` is one line for a person.
public struct MailFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notMbox
            case emptyMessage
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The input does not begin with a `From ` separator line.
        public static let notMbox = Code(.notMbox)
        /// A message with no octets (nothing but a separator line, or empty input).
        public static let emptyMessage = Code(.emptyMessage)

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
