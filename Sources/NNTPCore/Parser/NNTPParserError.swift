/// A command line that could not be parsed.
///
/// The server answers ``Code-swift.struct/unknownCommand`` with `500` and
/// ``Code-swift.struct/syntaxError`` with `501`.
///
/// - SeeAlso: [RFC 3977 §3.2.1](https://datatracker.ietf.org/doc/html/rfc3977#section-3.2.1)
public struct NNTPParserError: Error, Hashable, Sendable {
    /// What kind of error this is. Cases may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unknownCommand
            case syntaxError
        }

        private var base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The verb is not a command this server knows (`500`).
        public static let unknownCommand = Code(.unknownCommand)
        /// The verb is known but its arguments are not valid (`501`).
        public static let syntaxError = Code(.syntaxError)

        public var description: String {
            switch self.base {
            case .unknownCommand: return "unknownCommand"
            case .syntaxError: return "syntaxError"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// A short explanation fit for the text of the status line.
    public var hint: String
    /// Where in the parser the error was raised.
    public var file: String
    /// Where in the parser the error was raised.
    public var line: Int

    /// Creates an error.
    public init(_ code: Code, hint: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.hint = hint
        self.file = file
        self.line = line
    }

    /// A `501` error.
    static func syntax(_ hint: String, file: String = #fileID, line: Int = #line) -> NNTPParserError {
        NNTPParserError(.syntaxError, hint: hint, file: file, line: line)
    }
}

// MARK: - CustomStringConvertible

extension NNTPParserError: CustomStringConvertible {
    public var description: String {
        "NNTPParserError(\(self.code): \(self.hint))"
    }
}
