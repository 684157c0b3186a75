/// Why a Maildir operation failed. `message` is one line for a person: it names the file or
/// directory and the reason (`strerror`).
public struct MaildirError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidName
            case cannotCreate
            case cannotWrite
            case cannotRead
            case cannotRemove
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A folder or unique name that cannot be a file name (empty, `/`, a leading `.`).
        public static let invalidName = Code(.invalidName)
        /// A directory of the Maildir could not be made.
        public static let cannotCreate = Code(.cannotCreate)
        /// A message could not be written, synced or renamed into `new/`.
        public static let cannotWrite = Code(.cannotWrite)
        /// A directory could not be listed.
        public static let cannotRead = Code(.cannotRead)
        /// A message could not be removed.
        public static let cannotRemove = Code(.cannotRemove)

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
