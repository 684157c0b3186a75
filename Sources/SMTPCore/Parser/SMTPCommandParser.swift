import NIOCore

/// Parses one command line (without its CRLF) into an ``SMTPCommand``.
///
/// The verb, case-insensitive, selects a grammar rule; each rule is one function, with its ABNF
/// from RFC 5321 §4.1.1 above it. Trailing spaces are ignored. A control character (NUL, a bare
/// CR …) or invalid UTF-8 anywhere in the line is a syntax error, never passed on.
///
/// Errors say which reply the client gets: an unknown verb `500`, bad arguments `501`, a verb
/// this server does not offer `502`, an unknown `MAIL` or `RCPT` parameter `555`
/// (``SMTPParserError/reply``).
///
/// - SeeAlso: [RFC 5321 §4.1.1](https://datatracker.ietf.org/doc/html/rfc5321#section-4.1.1)
public enum SMTPCommandParser {
    /// Verbs of SMTP and its extensions that this server knows of but does not offer.
    static let unimplementedVerbs: Set<String> = [
        "AUTH", "BDAT", "ETRN", "TURN", "ATRN", "SEND", "SOML", "SAML", "XCLIENT", "XFORWARD"
    ]

    /// Parses a command line held in a `ByteBuffer`'s readable bytes.
    public static func parseCommand(_ line: ByteBuffer) throws(SMTPParserError) -> SMTPCommand {
        try self.parseCommand(Array(line.readableBytesView))
    }

    /// Parses a command line.
    ///
    /// ```
    /// command-line = verb [SP arguments] CRLF   ; dispatched on the upper-cased verb
    /// ```
    public static func parseCommand(_ line: [UInt8]) throws(SMTPParserError) -> SMTPCommand {
        if let bad = line.first(where: { ($0 < 0x20 && $0 != UInt8(ascii: "\t")) || $0 == 0x7F }) {
            throw .syntax("invalid character \(Self.hex(bad)) in command")
        }
        guard String(validating: line, as: UTF8.self) != nil else {
            throw .syntax("command is not valid UTF-8")
        }
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") {
            end -= 1
        }
        let trimmed = line[..<end]
        let verbEnd = trimmed.firstIndex(of: UInt8(ascii: " ")) ?? trimmed.endIndex
        let verb = Self.uppercased(trimmed[..<verbEnd])
        var arguments = trimmed[verbEnd...]
        while arguments.first == UInt8(ascii: " ") {
            arguments = arguments.dropFirst()
        }
        switch verb {
        case "EHLO": return .ehlo(try self.parseHelloDomain(arguments, verb: verb))
        case "HELO": return .helo(try self.parseHelloDomain(arguments, verb: verb))
        case "MAIL": return try self.parseMail(arguments)
        case "RCPT": return try self.parseRcpt(arguments)
        case "DATA": return try self.parseNoArguments(.data, verb: verb, arguments)
        case "RSET": return try self.parseNoArguments(.rset, verb: verb, arguments)
        case "QUIT": return try self.parseNoArguments(.quit, verb: verb, arguments)
        case "STARTTLS": return try self.parseNoArguments(.startTLS, verb: verb, arguments)
        case "NOOP": return .noop
        case "VRFY": return .vrfy(try self.parseString(arguments, verb: verb))
        case "EXPN": return .expn(try self.parseString(arguments, verb: verb))
        case "HELP": return .help(arguments.isEmpty ? nil : Self.string(arguments))
        case "":
            throw SMTPParserError(.unknownCommand, hint: "empty command line")
        default:
            if Self.unimplementedVerbs.contains(verb) {
                throw SMTPParserError(.commandNotImplemented, hint: "\(verb) not implemented")
            }
            throw SMTPParserError(.unknownCommand, hint: "command not recognized")
        }
    }

    // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
    // helo = "HELO" SP Domain CRLF
    //
    // Lenient, as servers are: the client's name is recorded, not checked (clients send bare
    // host names, names with underscores, their address unbracketed).
    static func parseHelloDomain(_ arguments: ArraySlice<UInt8>, verb: String) throws(SMTPParserError) -> String {
        guard !arguments.isEmpty else {
            throw .syntax("\(verb) needs a domain name or address literal")
        }
        return Self.string(arguments)
    }

    // data = "DATA" CRLF
    // rset = "RSET" CRLF
    // quit = "QUIT" CRLF
    // starttls = "STARTTLS" CRLF   ; RFC 3207 §4
    static func parseNoArguments(
        _ command: SMTPCommand,
        verb: String,
        _ arguments: ArraySlice<UInt8>
    ) throws(SMTPParserError) -> SMTPCommand {
        guard arguments.isEmpty else {
            throw .syntax("\(verb) takes no arguments")
        }
        return command
    }

    // vrfy = "VRFY" SP String CRLF
    // expn = "EXPN" SP String CRLF
    static func parseString(_ arguments: ArraySlice<UInt8>, verb: String) throws(SMTPParserError) -> String {
        guard !arguments.isEmpty else {
            throw .syntax("\(verb) needs an argument")
        }
        return Self.string(arguments)
    }

    // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    //
    // A space after the colon is accepted, as most servers do.
    static func parseMail(_ arguments: ArraySlice<UInt8>) throws(SMTPParserError) -> SMTPCommand {
        var cursor = try Self.cursorAfterKeyword("FROM:", in: arguments, syntax: "MAIL FROM:<address>")
        guard let mailbox = try cursor.parsePath(isForward: false) else {
            return .mail(.null, try self.parseMailParameters(cursor.remainder()))
        }
        return .mail(.mailbox(mailbox), try self.parseMailParameters(cursor.remainder()))
    }

    // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
    //        [SP Rcpt-parameters] CRLF
    static func parseRcpt(_ arguments: ArraySlice<UInt8>) throws(SMTPParserError) -> SMTPCommand {
        var cursor = try Self.cursorAfterKeyword("TO:", in: arguments, syntax: "RCPT TO:<address>")
        let path: SMTPForwardPath
        if cursor.skipPostmaster() {
            path = .postmaster
        } else if let mailbox = try cursor.parsePath(isForward: true) {
            path = .mailbox(mailbox)
        } else {
            throw .syntax("the null path <> is no recipient")
        }
        let parameters = try Self.splitParameters(cursor.remainder())
        if let first = parameters.first {
            throw SMTPParserError(
                .parameterNotRecognized,
                hint: "RCPT parameter \(Self.string(first)) not recognized"
            )
        }
        return .rcpt(path)
    }

    /// A cursor just after `keyword` (e.g. `FROM:`) and any spaces after it.
    private static func cursorAfterKeyword(
        _ keyword: String,
        in arguments: ArraySlice<UInt8>,
        syntax: String
    ) throws(SMTPParserError) -> SMTPPathCursor {
        let keywordBytes = Array(keyword.utf8)
        guard arguments.count >= keywordBytes.count,
            Self.uppercased(arguments.prefix(keywordBytes.count)) == keyword
        else {
            throw .syntax("syntax: \(syntax)")
        }
        var rest = arguments.dropFirst(keywordBytes.count)
        while rest.first == UInt8(ascii: " ") {
            rest = rest.dropFirst()
        }
        return SMTPPathCursor(rest)
    }

    // Mail-parameters = esmtp-param *(SP esmtp-param)
    // esmtp-param     = esmtp-keyword ["=" esmtp-value]
    // esmtp-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    // esmtp-value     = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)
    static func parseMailParameters(_ bytes: ArraySlice<UInt8>) throws(SMTPParserError) -> SMTPMailParameters {
        var parameters = SMTPMailParameters()
        var seen: Set<String> = []
        for parameter in try Self.splitParameters(bytes) {
            let equals = parameter.firstIndex(of: UInt8(ascii: "="))
            let keywordBytes = parameter[..<(equals ?? parameter.endIndex)]
            let value = equals.map { parameter[($0 + 1)...] }
            guard let first = keywordBytes.first, Self.isAlphaNumeric(first),
                keywordBytes.allSatisfy({ Self.isAlphaNumeric($0) || $0 == UInt8(ascii: "-") })
            else {
                throw .syntax("invalid parameter \(Self.string(parameter))")
            }
            if let value, value.isEmpty || value.contains(where: { $0 == UInt8(ascii: "=") || $0 < 33 }) {
                throw .syntax("invalid value in \(Self.string(parameter))")
            }
            let keyword = Self.uppercased(keywordBytes)
            guard seen.insert(keyword).inserted else {
                throw .syntax("parameter \(keyword) given twice")
            }
            switch keyword {
            case "SIZE":
                parameters.size = try Self.parseSize(value)
            case "BODY":
                guard let value, let body = SMTPBodyType(rawValue: Self.uppercased(value)) else {
                    throw .syntax("BODY must be 7BIT or 8BITMIME")
                }
                parameters.body = body
            case "SMTPUTF8":
                guard value == nil else {
                    throw .syntax("SMTPUTF8 takes no value")
                }
                parameters.isSMTPUTF8 = true
            default:
                throw SMTPParserError(.parameterNotRecognized, hint: "MAIL parameter \(keyword) not recognized")
            }
        }
        return parameters
    }

    // size-value = 1*20DIGIT   (RFC 1870 §3)
    private static func parseSize(_ value: ArraySlice<UInt8>?) throws(SMTPParserError) -> Int {
        guard let value, value.count <= 20, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            throw .syntax("SIZE must be a number of octets")
        }
        // Twenty digits may not fit: such a size is larger than any limit, not an error.
        return Int(Self.string(value)) ?? Int.max
    }

    /// The parameters after a path: empty, or a space and space-separated words.
    private static func splitParameters(_ bytes: ArraySlice<UInt8>) throws(SMTPParserError) -> [ArraySlice<UInt8>] {
        guard let first = bytes.first else {
            return []
        }
        guard first == UInt8(ascii: " ") else {
            throw .syntax("unexpected \(Self.string(bytes)) after the address")
        }
        return bytes.split(separator: UInt8(ascii: " "))
    }
}

// MARK: - Bytes

extension SMTPCommandParser {
    static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func uppercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }
}
