import NIOCore

/// Parses one command line (without its CRLF) into an ``NNTPCommand``.
///
/// The verb selects a grammar rule; each rule is one function below, with its ABNF from
/// RFC 3977 §9 (or RFC 2980 / RFC 4643 / RFC 4642) above it. Arguments are separated by one or more
/// spaces or tabs. Verbs and keywords are case-insensitive.
///
/// Errors distinguish a verb the server does not know (``NNTPParserError/Code-swift.struct/unknownCommand``,
/// answered `500`) from bad arguments to a known verb
/// (``NNTPParserError/Code-swift.struct/syntaxError``, answered `501`).
///
/// - SeeAlso: [RFC 3977 §9.2](https://datatracker.ietf.org/doc/html/rfc3977#section-9.2)
public enum NNTPCommandParser {
    /// Parses a command line held in a `ByteBuffer`'s readable bytes.
    public static func parseCommand(_ line: ByteBuffer) throws(NNTPParserError) -> NNTPCommand {
        try self.parseCommand(Array(line.readableBytesView))
    }

    /// Parses a command line.
    ///
    /// ```
    /// command-line = command EOL
    /// command = X-command   ; dispatched on the upper-cased verb
    /// ```
    public static func parseCommand(_ line: [UInt8]) throws(NNTPParserError) -> NNTPCommand {
        var arguments = Arguments(line)
        guard let verbBytes = arguments.next() else {
            throw NNTPParserError(.unknownCommand, hint: "empty command line")
        }
        let verb = Self.uppercased(verbBytes)
        switch verb {
        case "CAPABILITIES": return try self.parseCapabilities(&arguments)
        case "MODE": return try self.parseMode(&arguments)
        case "QUIT": return try self.parseNoArguments(.quit, &arguments)
        case "HELP": return try self.parseNoArguments(.help, &arguments)
        case "DATE": return try self.parseNoArguments(.date, &arguments)
        case "GROUP": return try self.parseGroup(&arguments)
        case "LISTGROUP": return try self.parseListGroup(&arguments)
        case "LAST": return try self.parseNoArguments(.last, &arguments)
        case "NEXT": return try self.parseNoArguments(.next, &arguments)
        case "ARTICLE": return .article(try self.parseArticleSelector(&arguments))
        case "HEAD": return .head(try self.parseArticleSelector(&arguments))
        case "BODY": return .body(try self.parseArticleSelector(&arguments))
        case "STAT": return .stat(try self.parseArticleSelector(&arguments))
        case "POST": return try self.parseNoArguments(.post, &arguments)
        case "NEWGROUPS": return try self.parseNewGroups(&arguments)
        case "NEWNEWS": return try self.parseNewNews(&arguments)
        case "LIST": return try self.parseList(&arguments)
        case "OVER": return .over(try self.parseOptionalRangeSelector(&arguments))
        case "XOVER": return .xover(try self.parseOptionalRangeSelector(&arguments))
        case "HDR": return try self.parseHdr(&arguments, isXHDR: false)
        case "XHDR": return try self.parseHdr(&arguments, isXHDR: true)
        case "XPAT": return try self.parseXPat(&arguments)
        case "AUTHINFO": return try self.parseAuthinfo(&arguments)
        case "STARTTLS": return try self.parseNoArguments(.startTLS, &arguments)
        default:
            throw NNTPParserError(.unknownCommand, hint: "unknown command")
        }
    }
}

// MARK: - Arguments

extension NNTPCommandParser {
    /// The words of a command line, consumed left to right.
    struct Arguments {
        private let line: [UInt8]
        private var position: Int

        init(_ line: [UInt8]) {
            self.line = line
            self.position = 0
        }

        /// Whether `byte` separates arguments (`WS = 1*(SP / HTAB)`).
        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
        }

        private mutating func skipWhitespace() {
            while self.position < self.line.count, Self.isWhitespace(self.line[self.position]) {
                self.position += 1
            }
        }

        /// The next word, or `nil` at the end of the line.
        mutating func next() -> ArraySlice<UInt8>? {
            self.skipWhitespace()
            guard self.position < self.line.count else {
                return nil
            }
            let start = self.position
            while self.position < self.line.count, !Self.isWhitespace(self.line[self.position]) {
                self.position += 1
            }
            return self.line[start..<self.position]
        }

        /// Everything from the next word to the end of the line, trailing whitespace removed,
        /// or `nil` when nothing is left.
        mutating func rest() -> ArraySlice<UInt8>? {
            self.skipWhitespace()
            guard self.position < self.line.count else {
                return nil
            }
            var end = self.line.count
            while end > self.position, Self.isWhitespace(self.line[end - 1]) {
                end -= 1
            }
            defer { self.position = self.line.count }
            return self.line[self.position..<end]
        }

        /// Throws unless the line has no more words.
        mutating func expectEnd() throws(NNTPParserError) {
            guard self.next() == nil else {
                throw .syntax("too many arguments")
            }
        }
    }

    static func uppercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
