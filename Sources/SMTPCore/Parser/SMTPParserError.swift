/// A command line that could not be parsed, with the reply it deserves.
///
/// - SeeAlso: [RFC 5321 §4.2.4](https://datatracker.ietf.org/doc/html/rfc5321#section-4.2.4)
public struct SMTPParserError: Error, Hashable, Sendable {
    /// What kind of error this is. Cases may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unknownCommand
            case syntaxError
            case commandNotImplemented
            case parameterNotRecognized
        }

        private var base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The verb is not an SMTP command (`500 5.5.2`).
        public static let unknownCommand = Code(.unknownCommand)
        /// The verb is known but its arguments are not valid (`501 5.5.4`).
        public static let syntaxError = Code(.syntaxError)
        /// The verb is an SMTP command this server does not offer (`502 5.5.1`).
        public static let commandNotImplemented = Code(.commandNotImplemented)
        /// A `MAIL`/`RCPT` parameter this server does not know (`555 5.5.4`).
        public static let parameterNotRecognized = Code(.parameterNotRecognized)

        public var description: String {
            switch self.base {
            case .unknownCommand: return "unknownCommand"
            case .syntaxError: return "syntaxError"
            case .commandNotImplemented: return "commandNotImplemented"
            case .parameterNotRecognized: return "parameterNotRecognized"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// A short explanation fit for the text of the reply.
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

    /// The reply to send for this error.
    public var reply: SMTPReply {
        switch self.code {
        case .unknownCommand:
            return SMTPReply(.commandUnrecognized, SMTPEnhancedStatusCode(5, 5, 2), self.hint)
        case .commandNotImplemented:
            return SMTPReply(.commandNotImplemented, SMTPEnhancedStatusCode(5, 5, 1), self.hint)
        case .parameterNotRecognized:
            return SMTPReply(.parametersNotRecognized, SMTPEnhancedStatusCode(5, 5, 4), self.hint)
        default:
            return SMTPReply(.syntaxError, SMTPEnhancedStatusCode(5, 5, 4), self.hint)
        }
    }

    /// A `501` error.
    static func syntax(_ hint: String, file: String = #fileID, line: Int = #line) -> SMTPParserError {
        SMTPParserError(.syntaxError, hint: hint, file: file, line: line)
    }
}

// MARK: - CustomStringConvertible

extension SMTPParserError: CustomStringConvertible {
    public var description: String {
        "SMTPParserError(\(self.code): \(self.hint))"
    }
}
