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
            case unreadableValue
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
        /// A stored value this version does not know (a status or mode written by a newer
        /// FORLLM, or a damaged file): reported, never replaced by a default.
        public static let unreadableValue = Code(.unreadableValue)

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

extension StoreError {
    /// The error for a stored `value` of `column` that this version does not know.
    static func unreadable(_ column: String, _ value: some CustomStringConvertible) -> StoreError {
        StoreError(
            .unreadableValue,
            "the database holds \(column) '\(value)', which this version of FORLLM does not know"
        )
    }
}

extension RawRepresentable where RawValue == String {
    /// The case stored as `value` in `column`; throws ``StoreError`` `.unreadableValue` for
    /// a value this version does not know.
    init(stored value: String, column: String) throws {
        guard let known = Self(rawValue: value) else { throw StoreError.unreadable(column, value) }
        self = known
    }
}
