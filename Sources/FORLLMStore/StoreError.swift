/// Why a store operation was refused. `message` is one line for a person (the CLI prints it,
/// NNTP sends it after 441).
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound
            case alreadyExists
            case invalidInput
            case conflict
            case cannotOpen
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The named group, persona, request or window does not exist.
        public static let notFound = Code(.notFound)
        /// A group, persona or article with that name or ID exists already.
        public static let alreadyExists = Code(.alreadyExists)
        /// A value does not follow its rules (a group name, a handle, a time).
        public static let invalidInput = Code(.invalidInput)
        /// The operation does not fit the current state (retrying a running request).
        public static let conflict = Code(.conflict)
        /// The database file cannot be opened or migrated (a missing directory, no
        /// permission, not a database, a schema from a newer FORLLM).
        public static let cannotOpen = Code(.cannotOpen)

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
